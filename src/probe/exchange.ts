import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { bodyHash } from '../shape/index.ts';
import { CaptureError, captureExchange } from './capture.ts';
import { describeBody } from './decode.ts';
import type { ExchangeEvent, ExchangeRequest, ExchangeResult, ProbeSubscriber } from './types.ts';
import { withConnectTiming } from './timing.ts';

export interface ProbeOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  dispatcher?: Dispatcher;
  subscribers?: readonly ProbeSubscriber[];
}

/** Map transport failures to stable, low-cardinality codes (they become `error.type`). */
export function classifyTransportError(err: unknown): { type: string; message: string } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { type: 'connection_refused', message };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { type: 'connection_reset', message };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { type: 'connect_timeout', message };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { type: 'timeout', message };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { type: 'dns', message };
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_BROTLI_DECOMPRESSION_FAILED':
      return { type: 'invalid_content_encoding', message };
    case 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE':
      return { type: 'response_too_large', message };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return { type: 'tls', message };
    default:
      if (e.name === 'AbortError' || e.name === 'TimeoutError') return { type: 'timeout', message };
      return { type: code ? code.toLowerCase() : 'transport', message };
  }
}

function safely(fn: () => void): void {
  // A subscriber (telemetry, user hook) must never be able to fail an exchange.
  try {
    fn();
  } catch (err) {
    process.emitWarning(`gauntlet probe subscriber failed: ${(err as Error).message}`);
  }
}

/**
 * One exchange: send, time, capture a capped body, describe its shape. A refused, reset or
 * timed-out request is a result with `errorType`, never an exception that ends a run.
 */
export async function runExchange(req: ExchangeRequest, opts: ProbeOptions): Promise<ExchangeResult> {
  const target = new URL(req.path, req.baseUrl);
  const url = target.toString();
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.byteLength);
  }
  const event: ExchangeEvent = { request: req, url, headers, startedAt: performance.now() };
  const subscribers = opts.subscribers ?? [];
  for (const s of subscribers) if (s.onStart) safely(() => s.onStart!(event));

  const requestBodyBytes = req.body === undefined ? 0 : typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.byteLength;
  const started = performance.now();
  let result: ExchangeResult;
  // The dispatcher directly, with the URL already parsed (undici's top-level `request()` would parse
  // it again) and a handler that only collects chunks: see capture.ts.
  const { result: pending, timing } = withConnectTiming(() =>
    captureExchange(
      opts.dispatcher ?? getGlobalDispatcher(),
      {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.body ?? null,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      },
      { cap: opts.maxBodyBytes, deadlineMs: opts.timeoutMs, started },
    ),
  );
  let ttfbMs: number | undefined;
  try {
    const body = await pending;
    ttfbMs = body.ttfbMs;
    const respHeaders = body.headers;
    const declared = Number(respHeaders['content-length']);
    const text = body.bytes.toString('utf8');
    const contentType = respHeaders['content-type'];
    result = {
      status: body.status,
      headers: respHeaders,
      contentType,
      bodyText: text,
      bodyBytes: body.truncated && Number.isFinite(declared) && !body.decoded ? declared : body.received,
      bodyTruncated: body.truncated,
      requestBodyBytes,
      timing: { connectMs: timing.connectMs, ttfbMs, totalMs: performance.now() - started },
      errorType: undefined,
      errorMessage: undefined,
      ...describeBody(text, contentType),
    };
  } catch (err) {
    if (err instanceof CaptureError) ttfbMs = err.ttfbMs;
    const { type, message } = classifyTransportError(err instanceof CaptureError ? err.failure : err);
    result = {
      status: undefined,
      headers: {},
      contentType: undefined,
      bodyText: '',
      bodyBytes: 0,
      bodyTruncated: false,
      requestBodyBytes,
      timing: { connectMs: timing.connectMs, ttfbMs, totalMs: performance.now() - started },
      errorType: type,
      errorMessage: message,
      shape: undefined,
      shapeHash: undefined,
      bodyHash: bodyHash(''),
    };
  }
  for (const s of subscribers) if (s.onEnd) safely(() => s.onEnd!(event, result));
  return result;
}
