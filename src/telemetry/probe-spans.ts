import { context as otelContext, trace, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_HEADER,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_REQUEST_BODY_SIZE, ATTR_HTTP_RESPONSE_BODY_SIZE } from '@opentelemetry/semantic-conventions/incubating';
import type { ExchangeEvent, ExchangeResult, ProbeSubscriber } from '../probe/types.ts';
import { redactHeaders, redactQuery, redactUrl } from '../record/redact.ts';
import * as A from '../contract/attributes.ts';
import { boundedMemo as memo } from '../util/memo.ts';

const propagator = new W3CTraceContextPropagator();

function capUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  // Cut on a character boundary so the event stays valid UTF-8.
  return { text: Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, ''), truncated: true };
}

/**
 * Turns probe events into one CLIENT span per exchange, per the telemetry contract in the README.
 * It injects W3C `traceparent` so an instrumented runtime's SERVER span joins the same trace.
 */
export interface SpanSubscriberOptions {
  maxEventBodyBytes: number;
  /** Applied to the response body before it is put in the span event (config `redact` rules). */
  redactBody?: (text: string, contentType: string | undefined) => string;
  /** Applied to `url.full`; defaults to the built-in credential/query redaction. */
  redactUrl?: (url: string) => string;
  /** Applied to recorded response headers (RECORDED_RESPONSE_HEADERS); defaults to the built-in header redaction. */
  redactHeaders?: (headers: Record<string, string>) => Record<string, string>;
  /** Response headers to record besides RECORDED_RESPONSE_HEADERS (lower-case names; config `noise.headers.compare`). */
  recordHeaders?: readonly string[];
}

const recordsHeader = (name: string) => A.RECORDED_RESPONSE_HEADERS.includes(name) || name.startsWith(A.RECORDED_RESPONSE_HEADER_PREFIX);

/** The allowlisted response headers, redacted (fail closed: a failing hook records nothing). */
export function recordedHeaders(headers: Record<string, string>, redact: SpanSubscriberOptions['redactHeaders'], extra: readonly string[] = []): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (recordsHeader(k) || extra.includes(k)) picked[k] = v;
  // A redirect target is a URL: its credentials and secret query parameters are redacted like url.full's.
  if (picked.location !== undefined) picked.location = redactLocation(picked.location);
  // A challenge (`Basic realm="shop"`) holds no credential, but the `Basic …`/`Bearer …` secret
  // pattern would blank its scheme, and with it the difference between two runtimes' challenges.
  const { 'www-authenticate': challenge, ...rest } = picked;
  try {
    return { ...(redact ?? redactHeaders)(rest), ...(challenge !== undefined ? { 'www-authenticate': challenge } : {}) };
  } catch {
    return {};
  }
}

function redactLocation(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return redactUrl(value);
  const q = value.indexOf('?');
  if (q === -1) return value;
  const hash = value.indexOf('#', q);
  const end = hash === -1 ? value.length : hash;
  return `${value.slice(0, q + 1)}${redactQuery(value.slice(q + 1, end))}${value.slice(end)}`;
}

/** A failing redaction hook must not leak what it was meant to hide: fail closed. */
function safeRedact<T extends unknown[]>(fn: ((...args: T) => string) | undefined, fallback: (...args: T) => string, ...args: T): string {
  try {
    return (fn ?? fallback)(...args);
  } catch {
    return '[REDACTED: redaction failed]';
  }
}

/** `server.address` / `server.port` of an origin (`http://127.0.0.1:3100`). */
// A replay sends the same few URLs over and over; each costs a URL parse otherwise.
const serverOfOrigin = memo((origin: string) => {
  const url = new URL(origin);
  return { address: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
});

function serverOf(url: string): { address: string; port: number } {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return serverOfOrigin(slash === -1 ? url : url.slice(0, slash));
}

export function createSpanSubscriber(tracer: Tracer, opts: SpanSubscriberOptions): ProbeSubscriber {
  const spans = new WeakMap<ExchangeEvent, Span>();
  // The redaction rules are fixed for the subscriber's life, so a URL's redacted form is too.
  const urlFull = memo((raw: string) => safeRedact(opts.redactUrl, (u: string) => redactUrl(u), raw));
  // Likewise a body's (a redaction parses and walks it): repeated bodies are the rule in replays.
  const redactedByType = new Map<string | undefined, (body: string) => string>();
  const redactedBody = (body: string, contentType: string | undefined): string => {
    if (body.length > 16 * 1024) return safeRedact(opts.redactBody, (t: string) => t, body, contentType);
    let redacted = redactedByType.get(contentType);
    if (!redacted) {
      if (redactedByType.size >= 64) redactedByType.clear();
      redacted = memo((b: string) => safeRedact(opts.redactBody, (t: string) => t, b, contentType), 256);
      redactedByType.set(contentType, redacted);
    }
    return redacted(body);
  };
  return {
    onStart(event) {
      const r = event.request;
      const server = serverOf(event.url);
      const span = tracer.startSpan(
        `${r.method} ${r.route}`,
        {
          kind: SpanKind.CLIENT,
          ...(event.startTime !== undefined ? { startTime: event.startTime } : {}),
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: r.method,
            [ATTR_URL_FULL]: urlFull(event.url),
            [ATTR_SERVER_ADDRESS]: server.address,
            [ATTR_SERVER_PORT]: server.port,
            [ATTR_HTTP_ROUTE]: r.route,
            [A.ATTR_GAUNTLET_RUN_ID]: r.runId,
            [A.ATTR_GAUNTLET_DRIVER]: r.driver,
            [A.ATTR_GAUNTLET_SERVICE]: r.service,
            [A.ATTR_GAUNTLET_RUNTIME]: r.runtime,
            [A.ATTR_GAUNTLET_RUNTIME_ROLE]: r.role,
            [A.ATTR_GAUNTLET_CASE]: r.caseId,
            [A.ATTR_GAUNTLET_PAIR_ID]: r.pairId,
            [A.ATTR_GAUNTLET_ROUTE]: r.route,
          },
        },
        r.parent ?? otelContext.active(),
      );
      if (r.body !== undefined && r.body.length > 0) {
        // What was sent, so a finding can show both requests' outcomes — redacted like the response.
        const raw = typeof r.body === 'string' ? r.body : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength).toString('utf8');
        const contentType = r.headers['content-type'];
        const text = opts.redactBody ? redactedBody(raw, contentType) : raw;
        const body = capUtf8(text, opts.maxEventBodyBytes);
        span.addEvent(A.EVENT_GAUNTLET_REQUEST_BODY, { [A.ATTR_GAUNTLET_BODY_TEXT]: body.text, [A.ATTR_GAUNTLET_REQUEST_BODY_TRUNCATED]: body.truncated });
      }
      spans.set(event, span);
      propagator.inject(trace.setSpan(otelContext.active(), span), event.headers, {
        set: (carrier, key, value) => {
          (carrier as Record<string, string>)[key] = value;
        },
      });
    },
    onEnd(event, result: ExchangeResult) {
      const span = spans.get(event);
      if (!span) return;
      span.setAttribute(ATTR_HTTP_REQUEST_BODY_SIZE, result.requestBodyBytes);
      span.setAttribute(A.ATTR_GAUNTLET_TIMING_TOTAL_MS, result.timing.totalMs);
      if (result.timing.ttfbMs !== undefined) span.setAttribute(A.ATTR_GAUNTLET_TIMING_TTFB_MS, result.timing.ttfbMs);
      if (result.timing.connectMs !== undefined) span.setAttribute(A.ATTR_GAUNTLET_TIMING_CONNECT_MS, result.timing.connectMs);
      if (result.status !== undefined) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.status);
        span.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, result.bodyBytes);
        span.setAttribute(A.ATTR_GAUNTLET_RESPONSE_BODY_HASH, result.bodyHash);
        span.setAttribute(A.ATTR_GAUNTLET_RESPONSE_BODY_TRUNCATED, result.bodyTruncated);
        if (result.contentType) span.setAttribute(A.ATTR_GAUNTLET_RESPONSE_CONTENT_TYPE, result.contentType);
        for (const [k, v] of Object.entries(recordedHeaders(result.headers, opts.redactHeaders, opts.recordHeaders))) span.setAttribute(ATTR_HTTP_RESPONSE_HEADER(k), [v]);
        if (result.shape !== undefined) span.setAttribute(A.ATTR_GAUNTLET_RESPONSE_SHAPE, result.shape);
        if (result.shapeHash !== undefined) span.setAttribute(A.ATTR_GAUNTLET_RESPONSE_SHAPE_HASH, result.shapeHash);
        const text = opts.redactBody ? redactedBody(result.bodyText, result.contentType) : result.bodyText;
        const body = capUtf8(text, opts.maxEventBodyBytes);
        span.addEvent(A.EVENT_GAUNTLET_RESPONSE_BODY, {
          [A.ATTR_GAUNTLET_BODY_TEXT]: body.text,
          [A.ATTR_GAUNTLET_RESPONSE_BODY_TRUNCATED]: body.truncated || result.bodyTruncated,
        });
        // Semconv: for CLIENT spans a 4xx/5xx is an error; error.type is the status code as a string.
        if (result.status >= 400) {
          span.setAttribute(ATTR_ERROR_TYPE, String(result.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } else {
        span.setAttribute(ATTR_ERROR_TYPE, result.errorType ?? 'transport');
        if (result.errorMessage) span.setAttribute(A.ATTR_GAUNTLET_ERROR_MESSAGE, result.errorMessage.slice(0, 500));
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorType ?? 'transport' });
      }
      span.end(result.endedAt);
    },
  };
}
