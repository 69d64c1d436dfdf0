import type { Context } from '@opentelemetry/api';
import type { Driver } from '../contract/attributes.ts';

/** `calibration`: a repeat of the primary's request, to learn which fields change on their own. */
export type RuntimeRole = 'primary' | 'candidate' | 'secondary' | 'calibration';

/** One request to one runtime. Everything a subscriber needs to describe the exchange. */
export interface ExchangeRequest {
  runId: string;
  driver: Driver;
  service: string;
  runtime: string;
  role: RuntimeRole;
  caseId: string;
  pairId: string;
  baseUrl: string;
  method: string;
  /** Path plus query string, e.g. /v1/items/7?full=1 */
  path: string;
  /** Route template for grouping (low cardinality); defaults to the path without query. */
  route: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Trace context the exchange's CLIENT span is a child of (a pair span). */
  parent?: Context;
}

export interface ExchangeTiming {
  /** TCP connect time when this exchange opened a new connection; 0 on a reused keep-alive connection. */
  connectMs: number | undefined;
  /** Request start to response headers. */
  ttfbMs: number | undefined;
  /** Request start to the last body byte read (or to the error). */
  totalMs: number;
}

export interface ExchangeResult {
  status: number | undefined;
  headers: Record<string, string>;
  contentType: string | undefined;
  /** Body as text (UTF-8), capped at the probe's maxBodyBytes. */
  bodyText: string;
  /** Bytes received (≥ bodyText bytes when truncated). */
  bodyBytes: number;
  bodyTruncated: boolean;
  requestBodyBytes: number;
  timing: ExchangeTiming;
  /** Stable, low-cardinality failure code (`connection_refused`, `timeout`, …); undefined on success. */
  errorType: string | undefined;
  errorMessage: string | undefined;
  /** Canonical structural signature of a JSON body, with its hash; undefined for non-JSON. */
  shape: string | undefined;
  shapeHash: string | undefined;
  bodyHash: string;
  /** When the exchange ended, for a result handed to subscribers later than that: epoch milliseconds. Default: now. */
  endedAt?: number;
}

/** An exchange as subscribers see it: the request plus headers they may add (e.g. traceparent). */
export interface ExchangeEvent {
  readonly request: ExchangeRequest;
  readonly url: string;
  /** Outgoing headers; subscribers' onStart may add to them (propagation). */
  readonly headers: Record<string, string>;
  readonly startedAt: number;
  /**
   * When the exchange started, for an event created later than that (the mirror describes the
   * primary's exchange off the client's path): epoch milliseconds. Default: now.
   */
  readonly startTime?: number;
}

/** Probe subscribers: telemetry hangs off these hooks, so "tracing off" is simply no subscriber. */
export interface ProbeSubscriber {
  onStart?(event: ExchangeEvent): void;
  onEnd?(event: ExchangeEvent, result: ExchangeResult): void;
}
