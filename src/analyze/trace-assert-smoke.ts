import type { StoredSpan } from '../collect/index.ts';
import { CheckSpecSchema, type CheckSpec, type ResponseExpect } from '../config/smoke-schema.ts';
import * as A from '../contract/attributes.ts';
import { reconstructExchanges, type ObservedExchange } from './exchanges.ts';
import { evaluateSpanAssertion } from './trace-assert.ts';
import { ABSENT, matchValue, resolveBodyPath, show } from './trace-assert-match.ts';

/**
 * Judge a smoke run from its spans alone. Each check × runtime is one trace: a root span carrying
 * the check's expectations (`gauntlet.check`), the probe's CLIENT span (status, body event) and,
 * when the runtime is instrumented, its SERVER span. Nothing comes from the driver in memory, so
 * a stored run re-judges to the same result in a fresh process.
 */

export const SMOKE_RESULT_VERSION = 1;

export interface SmokeCheckResult {
  /** `<suite>/<check>`, e.g. `validatord/healthz`. */
  id: string;
  suite: string;
  service: string;
  check: string;
  runtime: string;
  role: string;
  outcome: 'pass' | 'fail';
  status: number | undefined;
  latencyMs: number | undefined;
  /** `server` when the runtime's own SERVER span timed it (no client/network noise). */
  latencySource: 'server' | 'client' | undefined;
  traceId: string;
  /** Expectations evaluated (status, each pointer, each span assertion, …). */
  assertions: number;
  /** Why it failed, one entry per broken expectation; empty on a pass. */
  reasons: string[];
}

export interface SmokeResult {
  schemaVersion: typeof SMOKE_RESULT_VERSION;
  runId: string;
  checks: SmokeCheckResult[];
  passed: number;
  failed: number;
  /** Check traces the phase said it sent but the store does not hold (also a failed entry). */
  missing: number;
}

const ROLE_ORDER: Record<string, number> = { primary: 0, candidate: 1, secondary: 2 };
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

function judgeResponse(expect: ResponseExpect, x: ObservedExchange): { assertions: number; reasons: string[] } {
  const reasons: string[] = [];
  let assertions = 0;
  if (expect.status !== undefined) {
    assertions++;
    const ok = Array.isArray(expect.status) ? expect.status.includes(x.status!) : expect.status === x.status;
    if (!ok) reasons.push(`status: expected ${Array.isArray(expect.status) ? `one of ${expect.status.join(', ')}` : expect.status}, observed ${x.status}`);
  }
  if (expect.contentType) {
    assertions++;
    const f = matchValue(expect.contentType, x.contentType ?? ABSENT);
    if (f) reasons.push(`contentType: expected ${f.expected}, observed ${f.observed}`);
  }
  const truncated = x.bodyTruncated ? ' (body truncated in telemetry: raise probe.maxEventBodyBytes)' : '';
  if (expect.body) {
    assertions++;
    const f = matchValue(expect.body, x.body ?? ABSENT);
    if (f) reasons.push(`body: expected ${f.expected}, observed ${f.observed}${truncated}`);
  }
  const pointers = Object.entries(expect.json ?? {});
  if (pointers.length > 0) {
    assertions += pointers.length;
    let doc: unknown;
    try {
      doc = JSON.parse(x.body ?? '');
    } catch {
      reasons.push(`json: body is not JSON, observed ${show(x.body ?? '')}${truncated}`);
      return { assertions, reasons };
    }
    for (const [path, m] of pointers) {
      const f = matchValue(m, resolveBodyPath(doc, path));
      if (f) reasons.push(`json ${path}: expected ${f.expected}, observed ${f.observed}`);
    }
  }
  if (expect.latencyMs !== undefined) {
    assertions++;
    const latency = x.serverMs ?? x.clientMs;
    if (latency > expect.latencyMs) {
      reasons.push(`latency: ${latency.toFixed(1)} ms (${x.serverMs !== undefined ? 'server' : 'client'} span) over the ${expect.latencyMs} ms budget`);
    }
  }
  return { assertions, reasons };
}

function parseSpec(span: StoredSpan): CheckSpec | string {
  try {
    const parsed = CheckSpecSchema.safeParse(JSON.parse(String(span.attributes[A.ATTR_GAUNTLET_CHECK])));
    return parsed.success ? parsed.data : `unreadable check spec on span ${span.spanId}: ${parsed.error.issues[0]?.message}`;
  } catch (err) {
    return `unreadable check spec on span ${span.spanId}: ${(err as Error).message}`;
  }
}

export function judgeSmoke(runId: string, spans: readonly StoredSpan[]): SmokeResult {
  const byTrace = new Map<string, StoredSpan[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  // Spans come in store order; sort each trace so messages do not depend on how they were read.
  for (const list of byTrace.values()) list.sort((p, q) => (p.startNs < q.startNs ? -1 : p.startNs > q.startNs ? 1 : p.spanId.localeCompare(q.spanId)));
  const exchanges = new Map(reconstructExchanges(spans).map((x) => [x.spanId, x]));
  const clientOf = new Map<string, StoredSpan>();
  for (const s of spans) if (s.kind === 'CLIENT' && s.parentSpanId) clientOf.set(`${s.traceId}/${s.parentSpanId}`, s);

  const rows: Array<SmokeCheckResult & { order: number }> = [];
  let expected = 0;
  for (const s of spans) {
    const a = s.attributes;
    if (a[A.ATTR_GAUNTLET_DRIVER] !== 'smoke') continue;
    if (a[A.ATTR_GAUNTLET_SMOKE_EXPECTED] !== undefined) expected += Number(a[A.ATTR_GAUNTLET_SMOKE_EXPECTED]) || 0;
    if (a[A.ATTR_GAUNTLET_CHECK] === undefined) continue;
    const spec = parseSpec(s);
    const client = clientOf.get(`${s.traceId}/${s.spanId}`);
    const x = client ? exchanges.get(client.spanId) : undefined;
    const base = {
      suite: typeof spec === 'string' ? '?' : spec.suite,
      service: str(a[A.ATTR_GAUNTLET_SERVICE]) ?? '?',
      check: str(a[A.ATTR_GAUNTLET_CASE]) ?? '?',
      runtime: str(a[A.ATTR_GAUNTLET_RUNTIME]) ?? '?',
      role: str(a[A.ATTR_GAUNTLET_RUNTIME_ROLE]) ?? '?',
      traceId: s.traceId,
      order: Number(a[A.ATTR_GAUNTLET_CHECK_INDEX] ?? 0),
      status: x?.status,
      latencyMs: x ? (x.serverMs ?? x.clientMs) : undefined,
      latencySource: x ? (x.serverMs !== undefined ? ('server' as const) : ('client' as const)) : undefined,
    };
    const reasons: string[] = [];
    let assertions = 0;
    if (typeof spec === 'string') reasons.push(spec);
    else if (!x) reasons.push('no CLIENT span for this check in the store (telemetry lost before the receiver?)');
    else if (x.status === undefined) reasons.push(`transport error ${x.errorType ?? 'transport'}: ${x.errorMessage ?? 'no response'}`);
    else {
      const r = judgeResponse(spec.expect, x);
      assertions += r.assertions;
      reasons.push(...r.reasons);
      const trace = byTrace.get(s.traceId) ?? [];
      for (const sa of spec.spans) {
        assertions++;
        reasons.push(...evaluateSpanAssertion(trace, sa));
      }
    }
    rows.push({ ...base, id: `${base.suite}/${base.check}`, outcome: reasons.length ? 'fail' : 'pass', assertions, reasons });
  }
  rows.sort((p, q) => p.order - q.order || (ROLE_ORDER[p.role] ?? 3) - (ROLE_ORDER[q.role] ?? 3) || p.runtime.localeCompare(q.runtime));
  const checks: SmokeCheckResult[] = rows.map(({ order: _order, ...r }) => r);
  const missing = Math.max(0, expected - checks.length);
  if (missing > 0) {
    // Lost telemetry must not read as a pass: a gate that saw fewer checks than were sent fails.
    checks.push({
      id: 'smoke/telemetry', suite: 'smoke', service: '-', check: 'telemetry', runtime: '-', role: '-', outcome: 'fail',
      status: undefined, latencyMs: undefined, latencySource: undefined, traceId: '', assertions: 1,
      reasons: [`${missing} of ${expected} check traces are not in the store`],
    });
  }
  const failed = checks.filter((c) => c.outcome === 'fail').length;
  return { schemaVersion: SMOKE_RESULT_VERSION, runId, checks, passed: checks.length - failed, failed, missing };
}

/**
 * The spans of a run minus every smoke trace. Smoke exchanges carry a pair id of their own (the
 * probe contract requires one) but no partner, so a parity judgement over a run that also had a
 * smoke phase must not see them: `buildParityReport(runId, withoutSmokeTraces(spans))`.
 */
export function withoutSmokeTraces(spans: readonly StoredSpan[]): StoredSpan[] {
  const smoke = new Set(spans.filter((s) => s.attributes[A.ATTR_GAUNTLET_DRIVER] === 'smoke').map((s) => s.traceId));
  return spans.filter((s) => !smoke.has(s.traceId));
}
