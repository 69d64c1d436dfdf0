import { createHash } from 'node:crypto';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { StoredSpan } from '../collect/index.ts';
import type { ObservedExchange } from './exchanges.ts';

/**
 * What one runtime did inside one request, from the span tree under its SERVER span. Only the span
 * tree and OpenTelemetry semantic conventions are read (resource `service.name`, span name, kind,
 * status, parent ids) — nothing gauntlet puts inside the daemons — so this works on anyone's traces.
 */

/** An operation: who (service.name), what (span name) and how (kind). Its key is stable across runs. */
export interface Operation {
  key: string;
  service: string;
  name: string;
  kind: string;
}

export interface OperationCalls {
  op: Operation;
  /** The operation's parent operation (first seen), for drawing the aggregated tree. */
  parent: string | undefined;
  depth: number;
  calls: number;
  /** Spans of this operation with status ERROR. */
  errors: number;
  /** CLIENT spans with no SERVER span under them (the call left the trace). */
  unjoined: number;
  /** CLIENT spans with a SERVER span under them. */
  joined: number;
  /** Sum over its calls of duration minus the union of its children's intervals (ns). */
  selfNs: number;
  /** Each call's self time (ns): self-time shifts are judged per call, so more calls is call-count, not self time. */
  selfNsPerCall: number[];
  /** Sum of its calls' durations (ns). */
  durationNs: number;
  /** Message of the first error span, if any. */
  firstError: string | undefined;
}

export interface ExchangeStructure {
  traceId: string;
  /** The runtime's own SERVER span (the root of the structure). */
  rootOp: string;
  spans: number;
  depth: number;
  /** Canonical signature: operations nested, children sorted — equal trees, equal strings. */
  signature: string;
  hash: string;
  ops: Map<string, OperationCalls>;
  /** Operations along the critical path, with the time each spends on it (ns). */
  criticalPath: Array<{ op: string; ns: number }>;
  serverNs: number;
}

/** `storaged` + `GET /v1/schemas/{id}` + SERVER → one key; the label people read is `storaged GET /v1/schemas/{id}`. */
export function operationOf(span: StoredSpan): Operation {
  const service = span.serviceName ?? 'unknown_service';
  return { key: `${service}\u0001${span.kind}\u0001${span.name}`, service, name: span.name, kind: span.kind };
}

export function operationLabel(op: Pick<Operation, 'service' | 'name'>): string {
  return `${op.service} ${op.name}`;
}

/** A finding's path for an operation (`/storaged/GET /v1/schemas/{id}`): ledger path globs such as `/storaged/**` match it. */
export function operationPath(op: Pick<Operation, 'service' | 'name'>): string {
  return `/${op.service}/${op.name}`;
}

/** Children of every span, by `traceId/spanId` of the parent. */
export type SpanIndex = Map<string, StoredSpan[]>;

export function indexChildren(spans: readonly StoredSpan[]): SpanIndex {
  const children: SpanIndex = new Map();
  const seen = new Set<string>();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    const id = `${s.traceId}/${s.spanId}`;
    if (seen.has(id)) continue; // exporter retries may store a span twice
    seen.add(id);
    const key = `${s.traceId}/${s.parentSpanId}`;
    const list = children.get(key);
    if (list) list.push(s);
    else children.set(key, [s]);
  }
  return children;
}

/** The runtime's SERVER span for an exchange: a SERVER child of the probe's CLIENT span. */
export function serverSpanOf(x: Pick<ObservedExchange, 'traceId' | 'spanId'>, children: SpanIndex): StoredSpan | undefined {
  return children.get(`${x.traceId}/${x.spanId}`)?.find((s) => s.kind === 'SERVER');
}

/**
 * The structure under one SERVER span. Children are found by parent id only: a child's interval
 * is clipped to its parent's for self time, but never required to nest — another process's SDK
 * may end its SERVER span a fraction of a millisecond after the caller's CLIENT span.
 */
export function structureOf(root: StoredSpan, children: SpanIndex): ExchangeStructure {
  const ops = new Map<string, OperationCalls>();
  let spans = 0;
  let maxDepth = 0;
  const visit = (span: StoredSpan, depth: number, parent: string | undefined, seen: Set<string>): string => {
    spans++;
    if (depth > maxDepth) maxDepth = depth;
    const op = operationOf(span);
    const kids = (children.get(`${span.traceId}/${span.spanId}`) ?? []).filter((k) => !seen.has(k.spanId));
    let entry = ops.get(op.key);
    if (!entry) {
      entry = { op, parent, depth, calls: 0, errors: 0, unjoined: 0, joined: 0, selfNs: 0, selfNsPerCall: [], durationNs: 0, firstError: undefined };
      ops.set(op.key, entry);
    }
    entry.calls++;
    const duration = span.endNs > span.startNs ? Number(span.endNs - span.startNs) : 0;
    entry.durationNs += duration;
    const self = selfTimeNs(span, kids);
    entry.selfNs += self;
    entry.selfNsPerCall.push(self);
    if (span.statusCode === 'ERROR') {
      entry.errors++;
      entry.firstError ??= span.statusMessage || errorTypeOf(span);
    }
    if (span.kind === 'CLIENT') {
      if (kids.some((k) => k.kind === 'SERVER')) entry.joined++;
      else entry.unjoined++;
    }
    seen.add(span.spanId);
    const sigs = kids.map((k) => visit(k, depth + 1, op.key, seen)).sort();
    return sigs.length ? `${op.service}|${op.kind}|${op.name}(${sigs.join(',')})` : `${op.service}|${op.kind}|${op.name}`;
  };
  const signature = visit(root, 0, undefined, new Set());
  return {
    traceId: root.traceId,
    rootOp: operationOf(root).key,
    spans,
    depth: maxDepth,
    signature,
    hash: createHash('sha256').update(signature).digest('hex').slice(0, 12),
    ops,
    criticalPath: criticalPathOf(root, children),
    serverNs: root.endNs > root.startNs ? Number(root.endNs - root.startNs) : 0,
  };
}

function errorTypeOf(span: StoredSpan): string {
  const type = span.attributes['error.type'];
  if (type !== undefined && type !== null) return String(type);
  const status = span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE];
  return status !== undefined ? `status ${String(status)}` : 'error';
}

/** Duration minus the union of the children's intervals, each clipped to the span (overlaps count once). */
export function selfTimeNs(span: Pick<StoredSpan, 'startNs' | 'endNs'>, kids: ReadonlyArray<Pick<StoredSpan, 'startNs' | 'endNs'>>): number {
  const start = span.startNs;
  const end = span.endNs;
  if (end <= start) return 0;
  const intervals: Array<[bigint, bigint]> = [];
  for (const k of kids) {
    const s = k.startNs > start ? k.startNs : start;
    const e = k.endNs < end ? k.endNs : end;
    if (e > s) intervals.push([s, e]);
  }
  intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let covered = 0n;
  let curS = -1n;
  let curE = -1n;
  for (const [s, e] of intervals) {
    if (s > curE) {
      if (curE > curS) covered += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) curE = e;
  }
  if (curE > curS) covered += curE - curS;
  return Number(end - start - covered);
}

/**
 * The critical path (as Jaeger draws it): from the span's end backwards, the child that finished
 * last before the current point is on the path, recursively; the gaps between are the span's own
 * time on the path.
 */
export function criticalPathOf(root: StoredSpan, children: SpanIndex): Array<{ op: string; ns: number }> {
  const totals = new Map<string, number>();
  const add = (op: string, ns: number) => {
    if (ns > 0) totals.set(op, (totals.get(op) ?? 0) + ns);
  };
  const walk = (span: StoredSpan, from: bigint, to: bigint, depth: number): void => {
    const op = operationOf(span).key;
    const kids = depth > 64 ? [] : [...(children.get(`${span.traceId}/${span.spanId}`) ?? [])].sort((a, b) => (a.endNs > b.endNs ? -1 : a.endNs < b.endNs ? 1 : 0));
    let cursor = to;
    for (const k of kids) {
      const kEnd = k.endNs < cursor ? k.endNs : cursor;
      const kStart = k.startNs > from ? k.startNs : from;
      if (kEnd <= kStart || k.startNs >= cursor) continue;
      add(op, Number(cursor - kEnd));
      walk(k, kStart, kEnd, depth + 1);
      cursor = kStart;
    }
    if (cursor > from) add(op, Number(cursor - from));
  };
  walk(root, root.startNs, root.endNs, 0);
  return [...totals.entries()].map(([op, ns]) => ({ op, ns })).sort((a, b) => b.ns - a.ns);
}
