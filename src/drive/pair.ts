/**
 * The one pair builder every driver uses: the pair id scheme, the root pair span, the ABBA order
 * and the header precedence. A pair is one request sent to every runtime of a service under one
 * pair id; the analyser pairs the exchanges by that id from the store, never from memory.
 *
 * Header precedence, one rule for parity, smoke, replay and mirror: **a runtime's configured
 * headers override the request's** (case, check, recorded or client headers). The runtime's
 * headers are its environment — credentials, tenant, host routing — and recorded credentials are
 * redacted, so the real ones must come from the config. (Before, parity and smoke let the case
 * win while replay and mirror let the runtime win.)
 */
import { context as otelContext, trace, SpanKind, type Context, type Span, type Tracer } from '@opentelemetry/api';
import * as A from '../contract/attributes.ts';
import type { Driver } from '../contract/vocabularies.ts';
import type { ExchangeRequest, RuntimeRole } from '../probe/index.ts';
import { newPairId } from './run-id.ts';
import type { RuntimeEndpoint } from './stack.ts';

export { newPairId };

/**
 * A pair id derived from a position, for drivers whose two sides run apart in time (the load
 * engine's ABBA blocks): the same iteration index on each runtime shares the id, so sampled
 * exchanges pair up in the store.
 */
export function indexedPairId(scope: string, index: number): string {
  return `${scope}#${index}`;
}

/** Request headers (lower-cased) overlaid by the runtime's configured headers: the runtime wins. */
export function mergeHeaders(request: Readonly<Record<string, string>> | undefined, runtime: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(request ?? {})) out[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(runtime ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/**
 * A then B, then B then A (ABBA) on alternate pairs: neither runtime systematically goes first into
 * a warm cache, and machine drift lands on both sides equally.
 */
export function abbaOrder<T>(runtimes: readonly T[], index: number): T[] {
  return index % 2 === 0 ? [...runtimes] : [...runtimes].reverse();
}

export interface PairIdentity {
  runId: string;
  driver: Driver;
  service: string;
  caseId: string;
  pairId: string;
}

/** The attributes of a pair span (the root of the pair's trace unless a parent is given). */
export function pairAttributes(p: PairIdentity): Record<string, string> {
  return {
    [A.ATTR_GAUNTLET_RUN_ID]: p.runId,
    [A.ATTR_GAUNTLET_DRIVER]: p.driver,
    [A.ATTR_GAUNTLET_SERVICE]: p.service,
    [A.ATTR_GAUNTLET_CASE]: p.caseId,
    [A.ATTR_GAUNTLET_PAIR_ID]: p.pairId,
  };
}

/** Start a pair span; returns it and the context its exchanges are sent under. */
export function startPairSpan(tracer: Tracer, p: PairIdentity, opts: { startTime?: number; parent?: Context } = {}): { span: Span; ctx: Context } {
  const span = tracer.startSpan(
    `pair ${p.caseId}`,
    { kind: SpanKind.INTERNAL, ...(opts.parent ? {} : { root: true }), ...(opts.startTime !== undefined ? { startTime: opts.startTime } : {}), attributes: pairAttributes(p) },
    opts.parent,
  );
  return { span, ctx: trace.setSpan(opts.parent ?? otelContext.active(), span) };
}

/** What is sent to each runtime of a pair. */
export interface PairRequest {
  method: string;
  path: string;
  route: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** The probe's request for one side of a pair: the pair's identity, the runtime's URL, the merged headers. */
export function exchangeFor(p: PairIdentity, rt: Pick<RuntimeEndpoint, 'name' | 'url' | 'headers'> & { role: RuntimeRole }, req: PairRequest, parent: Context): ExchangeRequest {
  return {
    runId: p.runId,
    driver: p.driver,
    service: p.service,
    runtime: rt.name,
    role: rt.role,
    caseId: p.caseId,
    pairId: p.pairId,
    baseUrl: rt.url,
    method: req.method,
    path: req.path,
    route: req.route,
    headers: mergeHeaders(req.headers, rt.headers),
    ...(req.body !== undefined ? { body: req.body } : {}),
    parent,
  };
}
