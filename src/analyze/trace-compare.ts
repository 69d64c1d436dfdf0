import { createHash } from 'node:crypto';
import type { AggregatedFinding } from './parity-report.ts';
import { operationLabel, operationPath } from './trace-structure.ts';
import type { OperationSummary, RouteTraceSummary } from './trace-summary.ts';

import type { TraceClass } from '../config/index.ts';
export { TRACE_CLASSES, type TraceClass } from '../config/index.ts';

/** What a trace finding compares and the numbers behind it. */
export interface TraceEvidence {
  operation: { service: string; name: string; kind: string };
  /** The reference side: a runtime name (A/B) or `baseline <run id>`. */
  reference: string;
  /** The runtime the finding is about. */
  subject: string;
  comparison: 'runtime' | 'baseline';
  callsReference?: number;
  callsSubject?: number;
  /** callsSubject / callsReference. */
  ratio?: number;
  /** Calls grow with the request's size on the subject side: an N+1. */
  nPlusOne?: boolean;
  /** Self-time shift of the operation (Hodges-Lehmann, ms) and its CI, for `self-time`. */
  shiftMs?: number;
  ciMs?: [number, number];
  /** Route-level server time shift (median, ms) and the part of it this operation accounts for. */
  routeDeltaMs?: number;
  operationDeltaMs?: number;
  /** Example trace ids on each side (open them in Jaeger/Tempo). */
  examples: { reference?: string | undefined; subject?: string | undefined };
  /** One plain sentence naming the operation. */
  explanation: string;
}

export interface TraceFinding extends AggregatedFinding {
  trace: TraceEvidence;
}

export interface TraceCompareOptions {
  /** Call-count changes smaller than this relative amount are not reported at all (default 0.1 = ±10%). */
  minCallChange: number;
  /** Operations seen in fewer than this share of a side's requests are not "new"/"missing" (default 0.1). */
  minPresence: number;
  /** Fewer requests on either side: nothing is concluded for the route. */
  minRequests: number;
}

export const DEFAULT_TRACE_COMPARE: TraceCompareOptions = { minCallChange: 0.1, minPresence: 0.1, minRequests: 3 };

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(v >= 10 ? 1 : 2));
const fmtMs = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v) >= 10 ? Math.abs(v).toFixed(1) : Math.abs(v).toFixed(2)} ms`;

/**
 * Trace findings of one route: `subject` (candidate runtime, or this run) against `reference`
 * (primary runtime, or the baseline), from their aggregated structures. Self time needs the
 * statistics of the judge and is added by the gate (`trace/self-time`).
 */
export function compareRouteTraces(
  reference: RouteTraceSummary,
  subject: RouteTraceSummary,
  ctx: { comparison: 'runtime' | 'baseline'; referenceName: string; seen: { first: string; last: string }; routeDeltaMs?: number | undefined; operationDeltaMs?: (opKey: string) => number | undefined },
  options: TraceCompareOptions = DEFAULT_TRACE_COMPARE,
): TraceFinding[] {
  const out: TraceFinding[] = [];
  if (reference.requests < options.minRequests || subject.requests < options.minRequests) {
    // A runtime whose SERVER span stopped joining the trace is itself a finding.
    if (reference.requests >= options.minRequests && subject.requests === 0 && subject.withoutServerSpan > 0) {
      out.push(finding(reference, subject, ctx, 'broken', reference.ops.find((o) => o.key === reference.rootOp) ?? rootOf(reference), subject.withoutServerSpan, {
        examples: { reference: reference.exampleTraceId },
        explanation: `${subject.runtime}'s own SERVER span is missing from all ${subject.withoutServerSpan} traces (${ctx.referenceName} has it): it no longer joins the caller's trace context (traceparent not extracted?)`,
      }));
    }
    return out;
  }
  const refOps = new Map(reference.ops.map((o) => [o.key, o]));
  const subOps = new Map(subject.ops.map((o) => [o.key, o]));
  const routeDelta = ctx.routeDeltaMs;
  const brokenClients = new Set<string>();

  for (const s of subject.ops) {
    const r = refOps.get(s.key);
    const sShare = s.requests / subject.requests;
    // broken: calls that reach a traced server on the reference side leave the trace on the subject's
    if (s.kind === 'CLIENT' && r && r.joinedRequests / reference.requests >= 0.5 && s.unjoinedRequests / subject.requests >= 0.5 && s.joinedRequests / subject.requests < 0.5) {
      brokenClients.add(s.key);
      out.push(finding(reference, subject, ctx, 'broken', s, s.unjoinedRequests, {
        examples: { reference: r.exampleTraceId, subject: s.exampleTraceId },
        explanation: `\`${operationLabel(s)}\` calls leave the trace on ${subject.runtime} (no downstream SERVER span under them in ${s.unjoinedRequests}/${subject.requests} requests; on ${ctx.referenceName} they join it): context propagation lost — no traceparent on the outgoing request?`,
      }));
    }
    if (!r || r.requests / reference.requests < options.minPresence) {
      if (sShare < options.minPresence) continue;
      out.push(finding(reference, subject, ctx, 'new-operation', s, s.requests, {
        callsReference: r?.callsPerRequest ?? 0,
        callsSubject: s.callsPerRequest,
        examples: { reference: reference.exampleTraceId, subject: s.exampleTraceId },
        explanation: `${subject.runtime} does \`${operationLabel(s)}\` (${s.kind}) ×${fmt(s.callsPerRequest)} per request; ${ctx.referenceName} does not${deltaText(routeDelta, ctx.operationDeltaMs?.(s.key))}`,
      }));
      continue;
    }
    // call-count
    const ratio = r.callsPerRequest > 0 ? s.callsPerRequest / r.callsPerRequest : Infinity;
    // A call and the downstream SERVER span under it are one operation seen from two sides: the
    // finding names the downstream (`storaged GET /v1/schemas/{id}`) when it is traced.
    const tracedDownstream = s.kind === 'CLIENT' && subject.ops.some((c) => c.kind === 'SERVER' && c.parent === s.key && refOps.has(c.key));
    if (Math.abs(ratio - 1) >= options.minCallChange && !tracedDownstream) {
      const nPlusOne = s.callsMax > s.callsMin && (s.sizeCorrelation ?? 0) >= 0.5 && r.callsMax === r.callsMin;
      const retried = s.kind === 'CLIENT' && s.hiddenErrorRequests > 0 && r.hiddenErrorRequests === 0;
      out.push(finding(reference, subject, ctx, 'call-count', s, s.requests, {
        callsReference: r.callsPerRequest,
        callsSubject: s.callsPerRequest,
        ratio: round(ratio),
        ...(nPlusOne ? { nPlusOne } : {}),
        examples: { reference: r.exampleTraceId, subject: s.exampleTraceId },
        explanation:
          `\`${operationLabel(s)}\` ×${fmt(s.callsPerRequest)} per request on ${subject.runtime} instead of ×${fmt(r.callsPerRequest)} on ${ctx.referenceName} (×${fmt(round(ratio))})` +
          (nPlusOne ? ` — N+1: the calls grow with the request's size (${s.callsMin}…${s.callsMax} per request)` : s.callsMax > s.callsMin ? ` (${s.callsMin}…${s.callsMax} per request)` : '') +
          (retried ? ` — retries: failed attempts in ${s.hiddenErrorRequests}/${subject.requests} requests` : '') +
          deltaText(routeDelta, ctx.operationDeltaMs?.(s.key)),
      }));
    }
  }
  for (const r of reference.ops) {
    if (subOps.has(r.key) && subOps.get(r.key)!.requests / subject.requests >= options.minPresence) continue;
    if (r.requests / reference.requests < options.minPresence) continue;
    // A downstream's SERVER span missing because the call under it left the trace is the broken finding, not a second one.
    if (r.kind === 'SERVER' && r.parent && brokenClients.has(r.parent)) continue;
    out.push(finding(reference, subject, ctx, 'missing-operation', r, reference.requests, {
      callsReference: r.callsPerRequest,
      callsSubject: subOps.get(r.key)?.callsPerRequest ?? 0,
      examples: { reference: r.exampleTraceId, subject: subject.exampleTraceId },
      explanation: `${subject.runtime} no longer does \`${operationLabel(r)}\` (${r.kind}); ${ctx.referenceName} does it ×${fmt(r.callsPerRequest)} per request`,
    }));
  }
  for (const s of subject.ops) {
    if (s.hiddenErrorRequests === 0) continue;
    const r = refOps.get(s.key);
    const sRate = s.hiddenErrorRequests / subject.requests;
    const rRate = r ? r.hiddenErrorRequests / reference.requests : 0;
    if (sRate <= rRate) continue;
    out.push(finding(reference, subject, ctx, 'hidden-error', s, s.hiddenErrorRequests, {
      examples: { reference: r?.exampleTraceId, subject: s.exampleErrorTraceId },
      explanation: `\`${operationLabel(s)}\` errored${s.firstError ? ` (${s.firstError})` : ''} in ${s.hiddenErrorRequests}/${subject.requests} requests on ${subject.runtime} that still answered without a server error (${ctx.referenceName}: ${r?.hiddenErrorRequests ?? 0}/${reference.requests})`,
    }));
  }
  return out;
}

function deltaText(routeDelta: number | undefined, opDelta: number | undefined): string {
  if (routeDelta === undefined || opDelta === undefined || Math.abs(routeDelta) < 0.05) return '';
  return `; the route is ${fmtMs(routeDelta)}, of which ${fmtMs(opDelta)} is this operation`;
}

function rootOf(s: RouteTraceSummary): OperationSummary {
  const [service = s.service, , name = `${s.method} ${s.route}`] = s.rootOp.split('\u0001');
  return { key: s.rootOp, service, name, kind: 'SERVER', depth: 0, requests: 0, callsPerRequest: 1, callsMin: 1, callsMax: 1, hiddenErrorRequests: 0, unjoinedRequests: 0, joinedRequests: 0, selfMs: { p50: 0, p95: 0, p99: 0 }, criticalShare: 0, exampleTraceId: s.exampleTraceId };
}

const CAUSES: Record<TraceClass, { cause: string; hint: string }> = {
  'call-count': { cause: 'the operation is called more (or fewer) times per request', hint: 'batch the calls (one lookup per request, not per item), or check for retries and lost caching' },
  'new-operation': { cause: 'an inner step or downstream call only this side makes', hint: 'an extra round trip or a cache miss path: is it needed on every request?' },
  'missing-operation': { cause: 'an inner step or downstream call this side no longer makes', hint: 'a skipped step (validation, auth, audit) or an uninstrumented path' },
  'hidden-error': { cause: 'an inner span errors while the client sees a normal answer', hint: 'a swallowed error or a silent fallback: log it, count it, or surface it' },
  broken: { cause: 'trace context is lost: spans leave the trace', hint: 'propagate W3C traceparent on outgoing requests and extract it on incoming ones' },
  'self-time': { cause: 'the operation itself got slower', hint: 'profile the named operation; its children are not the cause' },
};

export function traceFindingId(parts: readonly string[]): string {
  return createHash('sha256').update(['trace', ...parts].join('\u0000')).digest('hex').slice(0, 12);
}

export function finding(
  _reference: RouteTraceSummary,
  subject: RouteTraceSummary,
  ctx: { comparison: 'runtime' | 'baseline'; referenceName: string; seen: { first: string; last: string } },
  cls: TraceClass,
  op: Pick<OperationSummary, 'service' | 'name' | 'kind'>,
  count: number,
  evidence: Omit<TraceEvidence, 'operation' | 'reference' | 'subject' | 'comparison'>,
): TraceFinding {
  const path = operationPath(op);
  const idParts = [subject.service, subject.method, subject.route, cls, path, ...(ctx.comparison === 'baseline' ? ['baseline', subject.runtime] : [])];
  return {
    id: traceFindingId(idParts),
    service: subject.service,
    method: subject.method,
    route: subject.route,
    kind: 'trace',
    class: cls,
    path,
    count,
    cases: [],
    example: {
      case: evidence.examples.subject ?? subject.exampleTraceId,
      path,
      ...(evidence.callsReference !== undefined ? { left: `×${fmt(evidence.callsReference)}` } : {}),
      ...(evidence.callsSubject !== undefined ? { right: `×${fmt(evidence.callsSubject)}` } : {}),
      detail: evidence.explanation,
    },
    details: [],
    cause: CAUSES[cls].cause,
    hint: CAUSES[cls].hint,
    firstSeen: ctx.seen.first,
    lastSeen: ctx.seen.last,
    trace: { operation: { service: op.service, name: op.name, kind: op.kind }, reference: ctx.referenceName, subject: subject.runtime, comparison: ctx.comparison, ...evidence },
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
