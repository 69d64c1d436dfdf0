import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { StoredSpan } from '../collect/index.ts';
import { reconstructExchanges, type ObservedExchange } from './exchanges.ts';
import { indexChildren, operationOf, serverSpanOf, structureOf, type ExchangeStructure, type OperationCalls } from './trace-structure.ts';

// Semconv (incubating, copied): the request body size the probe's CLIENT span carries.
const ATTR_HTTP_REQUEST_BODY_SIZE = 'http.request.body.size';

/** The serialisable shapes are zod schemas in config (baselines store them). */
export type { OperationSummary, RouteTraceSummary } from '../config/index.ts';
import type { OperationSummary, RouteTraceSummary } from '../config/index.ts';

/** A summary plus the per-request samples the statistics need (not kept in baselines). */
export interface RouteTrace {
  summary: RouteTraceSummary;
  /** Per operation key: self time (ms) of each call. */
  selfMs: Map<string, number[]>;
  /** Per operation key: total duration (ms) per request, 0 where absent — for "of which" explanations. */
  durationMs: Map<string, number[]>;
  serverMs: number[];
  /** Per request, aligned with every op's call array. */
  calls: Map<string, number[]>;
  traceIds: string[];
}

export const routeKey = (s: { service: string; method: string; route: string }) => `${s.service} ${s.method} ${s.route}`;

/**
 * Every exchange's structure, grouped by (service, method, route, runtime). The route is the
 * probe's (`gauntlet.route`), or the SERVER span's `http.route` on traces no gauntlet driver made.
 */
export function buildRouteTraces(spans: readonly StoredSpan[], exchanges: readonly ObservedExchange[] = reconstructExchanges(spans)): RouteTrace[] {
  const children = indexChildren(spans);
  const clientById = new Map<string, StoredSpan>();
  for (const s of spans) if (s.kind === 'CLIENT') clientById.set(`${s.traceId}/${s.spanId}`, s);
  const groups = new Map<string, { x: ObservedExchange; structures: Array<{ s: ExchangeStructure; x: ObservedExchange; size: number | undefined }>; missing: number }>();
  for (const x of exchanges) {
    if (x.status === undefined) continue; // transport failures have no structure to compare
    const key = `${x.service}\u0000${x.method}\u0000${x.route}\u0000${x.runtime}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { x, structures: [], missing: 0 }));
    const root = serverSpanOf(x, children);
    if (!root) {
      g.missing++;
      continue;
    }
    const size = Number(clientById.get(`${x.traceId}/${x.spanId}`)?.attributes[ATTR_HTTP_REQUEST_BODY_SIZE]);
    g.structures.push({ s: structureOf(root, children), x, size: Number.isFinite(size) ? size : undefined });
  }
  return [...groups.values()]
    .filter((g) => g.structures.length > 0 || g.missing > 0)
    .map((g) => summarise(g.x, g.structures, g.missing))
    .sort((a, b) => routeKey(a.summary).localeCompare(routeKey(b.summary)) || a.summary.runtime.localeCompare(b.summary.runtime));
}

function summarise(x: ObservedExchange, items: ReadonlyArray<{ s: ExchangeStructure; x: ObservedExchange; size: number | undefined }>, missing: number): RouteTrace {
  const n = items.length;
  const calls = new Map<string, number[]>();
  const selfMs = new Map<string, number[]>();
  const durationMs = new Map<string, number[]>();
  const meta = new Map<string, { op: OperationCalls; hidden: number; unjoined: number; joined: number; example: string; errorExample?: string; firstError?: string; critical: number }>();
  const signatures = new Map<string, number>();
  let spanTotal = 0;
  let maxDepth = 0;
  let criticalTotal = 0;
  items.forEach(({ s, x: ex }, i) => {
    spanTotal += s.spans;
    if (s.depth > maxDepth) maxDepth = s.depth;
    signatures.set(s.hash, (signatures.get(s.hash) ?? 0) + 1);
    for (const [key, c] of s.ops) {
      let m = meta.get(key);
      if (!m) {
        m = { op: c, hidden: 0, unjoined: 0, joined: 0, example: s.traceId, critical: 0 };
        meta.set(key, m);
        calls.set(key, new Array<number>(n).fill(0));
        durationMs.set(key, new Array<number>(n).fill(0));
        selfMs.set(key, []);
      }
      calls.get(key)![i] = c.calls;
      durationMs.get(key)![i] = c.durationNs / 1e6;
      for (const ns of c.selfNsPerCall) selfMs.get(key)!.push(ns / 1e6);
      // The runtime's own SERVER span erring is what the client sees (a 5xx); below it, an error
      // under an answer that is not a server error is hidden from the client.
      if (c.errors > 0 && key !== s.rootOp && (ex.status ?? 500) < 500) {
        m.hidden++;
        m.errorExample ??= s.traceId;
        m.firstError ??= c.firstError;
      }
      if (c.unjoined > 0) m.unjoined++;
      if (c.joined > 0) m.joined++;
    }
    for (const { op, ns } of s.criticalPath) {
      const m = meta.get(op);
      if (m) m.critical += ns;
      criticalTotal += ns;
    }
  });
  const sizes = items.map((it) => it.size);
  const ops: OperationSummary[] = [...meta.entries()].map(([key, m]) => {
    const perRequest = calls.get(key)!;
    const present = perRequest.filter((c) => c > 0).length;
    const min = Math.min(...perRequest);
    const max = Math.max(...perRequest);
    const self = [...selfMs.get(key)!].sort((a, b) => a - b);
    const correlation = max > min && sizes.every((v) => v !== undefined) ? spearman(perRequest, sizes as number[]) : undefined;
    return {
      key,
      service: m.op.op.service,
      name: m.op.op.name,
      kind: m.op.op.kind,
      ...(m.op.parent ? { parent: m.op.parent } : {}),
      depth: m.op.depth,
      requests: present,
      callsPerRequest: round(perRequest.reduce((a, b) => a + b, 0) / Math.max(1, n)),
      callsMin: min,
      callsMax: max,
      ...(correlation !== undefined ? { sizeCorrelation: round(correlation) } : {}),
      hiddenErrorRequests: m.hidden,
      unjoinedRequests: m.unjoined,
      joinedRequests: m.joined,
      selfMs: { p50: round(quantile(self, 0.5)), p95: round(quantile(self, 0.95)), p99: round(quantile(self, 0.99)) },
      criticalShare: criticalTotal > 0 ? round(m.critical / criticalTotal) : 0,
      exampleTraceId: m.example,
      ...(m.errorExample ? { exampleErrorTraceId: m.errorExample } : {}),
      ...(m.firstError ? { firstError: m.firstError } : {}),
    };
  });
  ops.sort((a, b) => a.depth - b.depth || a.service.localeCompare(b.service) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  const first = items[0];
  return {
    summary: {
      service: x.service,
      method: x.method,
      route: x.route,
      runtime: x.runtime,
      requests: n,
      withoutServerSpan: missing,
      rootOp: first?.s.rootOp ?? '',
      spansPerRequest: round(spanTotal / Math.max(1, n)),
      maxDepth,
      signatures: [...signatures.entries()].map(([hash, count]) => ({ hash, count })).sort((a, b) => b.count - a.count || a.hash.localeCompare(b.hash)).slice(0, 5),
      ops,
      exampleTraceId: first?.s.traceId ?? '',
    },
    selfMs,
    durationMs,
    serverMs: items.map((it) => it.s.serverNs / 1e6),
    calls,
    traceIds: items.map((it) => it.s.traceId),
  };
}

/**
 * Downstream vs runtime SERVER spans: a SERVER span whose parent is a CLIENT span of some service
 * (not the probe's) is a downstream's. The run summary counts only the runtimes' own.
 */
export function countRuntimeServerSpans(spans: readonly StoredSpan[]): number {
  const byId = new Map<string, StoredSpan>();
  for (const s of spans) byId.set(`${s.traceId}/${s.spanId}`, s);
  let n = 0;
  for (const s of spans) {
    if (s.kind !== 'SERVER') continue;
    const parent = s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined;
    if (parent && parent.runId === null && parent.kind === 'CLIENT') continue;
    n++;
  }
  return n;
}

/** The route of a SERVER span on traces no driver made (`http.route`, else its name). */
export function serverRouteOf(span: StoredSpan): string {
  const r = span.attributes[ATTR_HTTP_ROUTE];
  return typeof r === 'string' ? r : operationOf(span).name;
}

function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = (sorted.length - 1) * p;
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (idx - lo);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((x, y) => x + y, 0) / n;
  const mb = rb.reduce((x, y) => x + y, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i]! - ma) * (rb[i]! - mb);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

const round = (v: number) => Math.round(v * 1000) / 1000;
