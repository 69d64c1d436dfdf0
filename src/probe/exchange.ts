import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { request, type Dispatcher } from 'undici';
import { bodyHash, parseBody, shapeHash, shapeSignature } from '../shape/index.ts';
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

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function describeBody(text: string, contentType: string | undefined): Pick<ExchangeResult, 'shape' | 'shapeHash' | 'bodyHash'> {
  const looksJson = (contentType ?? '').includes('json') || /^\s*[[{]/.test(text);
  if (looksJson && text.length > 0) {
    const parsed = parseBody(text);
    if (parsed.ok) return { shape: shapeSignature(parsed.value), shapeHash: shapeHash(parsed.value), bodyHash: bodyHash(text) };
  }
  return { shape: undefined, shapeHash: undefined, bodyHash: bodyHash(text) };
}

/**
 * One exchange: send, time, capture a capped body, describe its shape. A refused, reset or
 * timed-out request is a result with `errorType`, never an exception that ends a run.
 */
export async function runExchange(req: ExchangeRequest, opts: ProbeOptions): Promise<ExchangeResult> {
  const url = new URL(req.path, req.baseUrl).toString();
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
  const { result: pending, timing } = withConnectTiming(() =>
    request(url, {
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: req.body,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: AbortSignal.timeout(opts.timeoutMs),
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    }),
  );
  let ttfbMs: number | undefined;
  try {
    const res = await pending;
    ttfbMs = performance.now() - started;
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    let truncated = false;
    const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase().trim();
    // Bodies are compared decoded; the decoder's output is capped like any body, so a gzip bomb
    // costs at most maxBodyBytes of memory and is marked truncated.
    const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
    const source: AsyncIterable<Buffer> = decoder ? (res.body as NodeJS.ReadableStream).pipe(decoder) : (res.body as AsyncIterable<Buffer>);
    for await (const chunk of source) {
      received += chunk.length;
      if (kept < opts.maxBodyBytes) {
        const take = Math.min(chunk.length, opts.maxBodyBytes - kept);
        chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
        kept += take;
      }
      if (received > opts.maxBodyBytes) {
        // Stop reading: a huge body must not cost memory or time beyond the cap.
        truncated = true;
        decoder?.destroy();
        res.body.destroy();
        break;
      }
    }
    const respHeaders = flattenHeaders(res.headers);
    const declared = Number(respHeaders['content-length']);
    const text = Buffer.concat(chunks).toString('utf8');
    const contentType = respHeaders['content-type'];
    result = {
      status: res.statusCode,
      headers: respHeaders,
      contentType,
      bodyText: text,
      bodyBytes: truncated && Number.isFinite(declared) && !decoder ? declared : received,
      bodyTruncated: truncated,
      requestBodyBytes,
      timing: { connectMs: timing.connectMs, ttfbMs, totalMs: performance.now() - started },
      errorType: undefined,
      errorMessage: undefined,
      ...describeBody(text, contentType),
    };
  } catch (err) {
    const { type, message } = classifyTransportError(err);
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
