import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { StoredSpan, AttrValue } from '../collect/index.ts';
import * as A from '../contract/attributes.ts';
import { headersOfAttributes } from './headers.ts';

/** One exchange as reconstructed from telemetry: the probe's CLIENT span plus the runtime's SERVER span. */
export interface ObservedExchange {
  traceId: string;
  spanId: string;
  driver: string;
  service: string;
  runtime: string;
  role: string;
  caseId: string;
  pairId: string;
  route: string;
  method: string;
  url: string;
  startNs: bigint;
  status: number | undefined;
  errorType: string | undefined;
  errorMessage: string | undefined;
  contentType: string | undefined;
  /** Response headers the probe recorded (`http.response.header.<name>`), names lower-case. */
  headers?: Record<string, string>;
  body: string | undefined;
  bodyTruncated: boolean;
  shapeHash: string | undefined;
  bodyHash: string | undefined;
  clientMs: number;
  /** Duration of the runtime's own SERVER span when it is instrumented; no client/network noise. */
  serverMs: number | undefined;
  serverRoute: string | undefined;
}

const str = (v: AttrValue | undefined): string | undefined => (v === undefined || v === null ? undefined : String(v));
const num = (v: AttrValue | undefined): number | undefined => {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** Rebuild the exchanges of a run; spans are the only input. */
export function reconstructExchanges(spans: readonly StoredSpan[]): ObservedExchange[] {
  const serverByParent = new Map<string, StoredSpan>();
  for (const s of spans) if (s.kind === 'SERVER' && s.parentSpanId) serverByParent.set(`${s.traceId}/${s.parentSpanId}`, s);
  const out: ObservedExchange[] = [];
  for (const s of spans) {
    if (s.kind !== 'CLIENT') continue;
    const a = s.attributes;
    const pairId = str(a[A.ATTR_GAUNTLET_PAIR_ID]);
    if (!pairId) continue;
    const server = serverByParent.get(`${s.traceId}/${s.spanId}`);
    const status = num(a[ATTR_HTTP_RESPONSE_STATUS_CODE]);
    const bodyEvent = s.events.find((e) => e.name === A.EVENT_GAUNTLET_RESPONSE_BODY);
    out.push({
      traceId: s.traceId,
      spanId: s.spanId,
      driver: str(a[A.ATTR_GAUNTLET_DRIVER]) ?? 'unknown',
      service: str(a[A.ATTR_GAUNTLET_SERVICE]) ?? 'unknown',
      runtime: str(a[A.ATTR_GAUNTLET_RUNTIME]) ?? 'unknown',
      role: str(a[A.ATTR_GAUNTLET_RUNTIME_ROLE]) ?? 'unknown',
      caseId: str(a[A.ATTR_GAUNTLET_CASE]) ?? pairId,
      pairId,
      route: str(a[A.ATTR_GAUNTLET_ROUTE]) ?? str(a[ATTR_HTTP_ROUTE]) ?? '/',
      method: str(a[ATTR_HTTP_REQUEST_METHOD]) ?? 'GET',
      url: str(a[ATTR_URL_FULL]) ?? '',
      startNs: s.startNs,
      status,
      // A response is not a transport failure even when semconv marks 4xx/5xx spans as errors.
      errorType: status === undefined ? (str(a[ATTR_ERROR_TYPE]) ?? 'transport') : undefined,
      errorMessage: str(a[A.ATTR_GAUNTLET_ERROR_MESSAGE]),
      contentType: str(a[A.ATTR_GAUNTLET_RESPONSE_CONTENT_TYPE]),
      headers: headersOfAttributes(a),
      body: bodyEvent ? str(bodyEvent.attributes[A.ATTR_GAUNTLET_BODY_TEXT]) : undefined,
      bodyTruncated: a[A.ATTR_GAUNTLET_RESPONSE_BODY_TRUNCATED] === true || bodyEvent?.attributes[A.ATTR_GAUNTLET_RESPONSE_BODY_TRUNCATED] === true,
      shapeHash: str(a[A.ATTR_GAUNTLET_RESPONSE_SHAPE_HASH]),
      bodyHash: str(a[A.ATTR_GAUNTLET_RESPONSE_BODY_HASH]),
      clientMs: nsToMs(s.endNs - s.startNs),
      serverMs: server ? nsToMs(server.endNs - server.startNs) : undefined,
      serverRoute: server ? str(server.attributes[ATTR_HTTP_ROUTE]) : undefined,
    });
  }
  return out;
}

export interface ObservedPair {
  pairId: string;
  service: string;
  caseId: string;
  route: string;
  method: string;
  startNs: bigint;
  primary: ObservedExchange | undefined;
  candidate: ObservedExchange | undefined;
  /** The same request sent a second time to the primary (repeat calibration of volatile fields). */
  calibration: ObservedExchange | undefined;
  secondaries: ObservedExchange[];
}

/** Group exchanges by pair id; order is deterministic (service, first start, case, pair id). */
export function pairExchanges(exchanges: readonly ObservedExchange[]): ObservedPair[] {
  const pairs = new Map<string, ObservedPair>();
  for (const x of exchanges) {
    let p = pairs.get(x.pairId);
    if (!p) {
      p = { pairId: x.pairId, service: x.service, caseId: x.caseId, route: x.route, method: x.method, startNs: x.startNs, primary: undefined, candidate: undefined, calibration: undefined, secondaries: [] };
      pairs.set(x.pairId, p);
    }
    if (x.startNs < p.startNs) p.startNs = x.startNs;
    if (x.role === 'primary') p.primary = x;
    else if (x.role === 'candidate') p.candidate = x;
    else if (x.role === 'calibration') p.calibration = x;
    else p.secondaries.push(x);
  }
  return [...pairs.values()].sort(
    (a, b) => a.service.localeCompare(b.service) || (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0) || a.caseId.localeCompare(b.caseId) || a.pairId.localeCompare(b.pairId),
  );
}
