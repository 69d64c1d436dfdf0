/**
 * The embedded OTLP/HTTP receiver: what the official OTLP exporters and an OTel Collector
 * `otlphttp` exporter POST, decoded and committed to the span store before the 200 goes back.
 * Answering only after the commit is what makes "the exporter got a 200" mean "the analyser will
 * see the span"; every other outcome is a non-2xx the exporter reports or retries, and a counter.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GauntletError } from '../util/errors.ts';
import { BodyError, contentEncodingOf, decodeContent, readBody, type ContentEncoding } from './http-body.ts';
import { OTLP_CONTENT_TYPES, decodeTraces, otlpEncodingOf, type OtlpEncoding } from './otlp-decode.ts';
import { DEFAULT_ATTRIBUTE_LIMITS, applyAttributeLimits } from './attribute-limits.ts';
import { decodeMetrics } from './metrics-decode.ts';
import { encodeRpcStatus } from './otlp-proto.ts';
import type { SpanStore } from './span-store.ts';

export interface ReceiverOptions {
  store: SpanStore;
  /** Loopback only unless asked: the receiver has no authentication. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Largest request body accepted on the wire (default 16 MiB). */
  maxBodyBytes?: number;
  /** Largest body after gzip/deflate (default 64 MiB): the decompression-bomb guard. */
  maxDecompressedBytes?: number;
  /**
   * While the store has more spans than this waiting for their commit (default 262,144), new
   * exports get a retryable 503 instead of growing memory without bound.
   */
  maxPendingSpans?: number;
  /**
   * Attributes kept per span, span event and link (default 128, the OTel SDK's): the rest are
   * dropped and added to the span's stored `dropped_attributes_count`.
   */
  maxAttributesPerSpan?: number;
  /**
   * Characters kept of a string attribute value (default 1 Mi), also inside arrays and kvlists.
   * Keep it above probe.maxEventBodyBytes: response bodies ride in span event attributes.
   */
  maxAttributeValueLength?: number;
}

export interface ReceiverStats {
  /** HTTP requests received, on any path. */
  requests: number;
  /** Requests answered with a 4xx/5xx. */
  rejected: number;
  /** Spans decoded from well-formed /v1/traces requests. */
  spansAccepted: number;
  /** Rows committed to the store. */
  spansStored: number;
  /** Accepted spans the store failed to write (answered 503 so the exporter retries). */
  spansFailed: number;
  /** /v1/metrics requests (stored in the `metrics` table) and /v1/logs requests (acknowledged, not stored). */
  metricsRequests: number;
  logsRequests: number;
  /** Metric data points decoded from well-formed /v1/metrics requests, and committed to the store. */
  metricPointsAccepted: number;
  metricPointsStored: number;
  /** Accepted points the store failed to write (answered 503 so the exporter retries). */
  metricPointsFailed: number;
  /** Attributes dropped over maxAttributesPerSpan, and string values cut to maxAttributeValueLength. */
  attributesDropped: number;
  attributesTruncated: number;
}

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:4318; exporters append /v1/traces. */
  url: string;
  port: number;
  stats(): ReceiverStats;
  /**
   * The first error the store failed a write with (spans or metric points), e.g. GAUNTLET_DISK_FULL
   * naming the store path. Exporters only see a retryable 503; a run should end with this error.
   */
  storeError(): GauntletError | undefined;
  /** Stops accepting, lets in-flight exports finish (and commit), then resolves. Leaves the store open. */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
/** google.rpc.Code values for the Status body the OTLP/HTTP spec asks for on errors. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;
/** How long close() waits for in-flight requests before cutting their sockets. */
const CLOSE_GRACE_MS = 5000;

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const host = opts.host ?? '127.0.0.1';
  const limits = {
    body: opts.maxBodyBytes ?? 16 * MiB,
    decompressed: opts.maxDecompressedBytes ?? 64 * MiB,
    pendingSpans: opts.maxPendingSpans ?? 262_144,
  };
  const attributeLimits = {
    maxAttributes: opts.maxAttributesPerSpan ?? DEFAULT_ATTRIBUTE_LIMITS.maxAttributes,
    maxValueLength: opts.maxAttributeValueLength ?? DEFAULT_ATTRIBUTE_LIMITS.maxValueLength,
  };
  let firstStoreError: GauntletError | undefined;
  const noteStoreError = (err: unknown) => {
    if (err instanceof GauntletError) firstStoreError ??= err;
  };
  const stats: ReceiverStats = {
    requests: 0,
    rejected: 0,
    spansAccepted: 0,
    spansStored: 0,
    spansFailed: 0,
    metricsRequests: 0,
    logsRequests: 0,
    metricPointsAccepted: 0,
    metricPointsStored: 0,
    metricPointsFailed: 0,
    attributesDropped: 0,
    attributesTruncated: 0,
  };

  const server = createServer((req, res) => {
    stats.requests++;
    res.on('finish', () => {
      if (res.statusCode >= 400) stats.rejected++;
    });
    route(req, res).catch((err: unknown) => {
      // Unreachable by design (route answers every failure itself); kept so a bug can't crash the harness.
      if (!res.headersSent) sendText(res, 500, `internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz') {
      if (req.method === 'GET' || req.method === 'HEAD') return sendText(res, 200, 'ok');
      return sendMethodNotAllowed(res, 'GET, HEAD');
    }
    if (path !== '/v1/traces' && path !== '/v1/metrics' && path !== '/v1/logs') {
      return sendText(res, 404, `no route for ${path}; OTLP/HTTP paths are /v1/traces, /v1/metrics, /v1/logs`);
    }
    if (req.method !== 'POST') return sendMethodNotAllowed(res, 'POST');
    if (path === '/v1/traces') return receiveTraces(req, res);
    if (path === '/v1/metrics') return receiveMetrics(req, res);
    return acknowledgeSignal(req, res, 'logsRequests');
  }

  async function receiveTraces(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    const encoding = otlpEncodingOf(contentType);
    if (!encoding) {
      return sendText(res, 415, `unsupported Content-Type ${JSON.stringify(contentType)}; use application/x-protobuf or application/json`);
    }
    const contentEncoding = contentEncodingOf(req.headers['content-encoding']);
    if (!contentEncoding) {
      return sendError(res, encoding, 415, RPC_INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(req.headers['content-encoding'])}; use gzip or none`);
    }
    if (opts.store.pendingSpans > limits.pendingSpans) {
      // Exporters retry 503 with backoff: the spans arrive later instead of piling up here.
      res.setHeader('Retry-After', '1');
      res.setHeader('Connection', 'close'); // the body is not read
      return sendError(res, encoding, 503, RPC_UNAVAILABLE, `span store is ${opts.store.pendingSpans} spans behind; retry later`);
    }
    let queued: { accepted: number; stored: Promise<number> };
    try {
      queued = await decodeAndStore(req, contentType, contentEncoding);
    } catch (err) {
      if (err instanceof BodyError) {
        if (err.status === 413) res.setHeader('Connection', 'close'); // don't read the rest of a huge body
        return sendError(res, encoding, err.status, err.status === 413 ? RPC_RESOURCE_EXHAUSTED : RPC_INVALID_ARGUMENT, err.message);
      }
      if (err instanceof GauntletError) return sendError(res, encoding, 400, RPC_INVALID_ARGUMENT, err.message);
      throw err;
    }
    stats.spansAccepted += queued.accepted;
    let stored: number;
    try {
      stored = await queued.stored; // not `stats.x += await`: that reads x before the await
    } catch (err) {
      noteStoreError(err);
      stats.spansFailed += queued.accepted;
      // 503 is retryable for OTLP exporters: a store hiccup becomes a retry, not a lost span.
      res.setHeader('Retry-After', '1');
      return sendError(res, encoding, 503, RPC_UNAVAILABLE, `spans not stored: ${(err as Error).message}`);
    }
    stats.spansStored += stored;
    sendSuccess(res, encoding);
  }

  /**
   * Body → spans → store queue. A function of its own so neither the body nor the decoded spans
   * stay referenced while the request waits for its commit: under load that wait is where
   * memory piles up.
   */
  async function decodeAndStore(
    req: IncomingMessage,
    contentType: string,
    contentEncoding: ContentEncoding,
  ): Promise<{ accepted: number; stored: Promise<number> }> {
    const body = await decodeContent(await readBody(req, limits.body), contentEncoding, limits.decompressed);
    const spans = decodeTraces(body, contentType);
    const limited = applyAttributeLimits(spans, attributeLimits);
    stats.attributesDropped += limited.dropped;
    stats.attributesTruncated += limited.truncated;
    const stored = opts.store.insert(spans);
    stored.catch(() => undefined); // handled by the caller's await; this only stops an early "unhandled" report
    return { accepted: spans.length, stored };
  }

  /** Same contract as traces: the 200 goes back only once the points are committed. */
  async function receiveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.metricsRequests++;
    const contentType = req.headers['content-type'] ?? '';
    const encoding = otlpEncodingOf(contentType);
    if (!encoding) {
      return sendText(res, 415, `unsupported Content-Type ${JSON.stringify(contentType)}; use application/x-protobuf or application/json`);
    }
    const contentEncoding = contentEncodingOf(req.headers['content-encoding']);
    if (!contentEncoding) {
      return sendError(res, encoding, 415, RPC_INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(req.headers['content-encoding'])}; use gzip or none`);
    }
    let points;
    try {
      points = decodeMetrics(await decodeContent(await readBody(req, limits.body), contentEncoding, limits.decompressed), contentType);
    } catch (err) {
      if (err instanceof BodyError) {
        if (err.status === 413) res.setHeader('Connection', 'close');
        return sendError(res, encoding, err.status, err.status === 413 ? RPC_RESOURCE_EXHAUSTED : RPC_INVALID_ARGUMENT, err.message);
      }
      if (err instanceof GauntletError) return sendError(res, encoding, 400, RPC_INVALID_ARGUMENT, err.message);
      throw err;
    }
    stats.metricPointsAccepted += points.length;
    try {
      const stored = await opts.store.insertMetrics(points);
      stats.metricPointsStored += stored;
    } catch (err) {
      noteStoreError(err);
      stats.metricPointsFailed += points.length;
      res.setHeader('Retry-After', '1');
      return sendError(res, encoding, 503, RPC_UNAVAILABLE, `metric points not stored: ${(err as Error).message}`);
    }
    sendSuccess(res, encoding);
  }

  /** Logs aren't stored; answering 200 keeps exporters from logging export errors. */
  function acknowledgeSignal(req: IncomingMessage, res: ServerResponse, counter: 'logsRequests'): void {
    stats[counter]++;
    const encoding = otlpEncodingOf(req.headers['content-type']) ?? 'protobuf';
    req.on('end', () => sendSuccess(res, encoding));
    req.on('error', () => res.destroy());
    req.resume();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new GauntletError('GAUNTLET_USAGE', `OTLP receiver cannot listen on ${host}:${opts.port ?? 0}: ${err.message}`, { hint: 'pick another port or stop the process using it' }, { cause: err })),
    );
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => ({ ...stats }),
    storeError: () => firstStoreError,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}

/** An empty ExportTraceServiceResponse: zero protobuf bytes, or `{}` in JSON. */
function sendSuccess(res: ServerResponse, encoding: OtlpEncoding): void {
  const body = encoding === 'json' ? '{}' : Buffer.alloc(0);
  res.writeHead(200, { 'Content-Type': OTLP_CONTENT_TYPES[encoding], 'Content-Length': body.length });
  res.end(body);
}

/** A google.rpc.Status in the request's own encoding, as the OTLP/HTTP spec asks. */
function sendError(res: ServerResponse, encoding: OtlpEncoding, status: number, rpcCode: number, message: string): void {
  const body = encoding === 'json' ? JSON.stringify({ code: rpcCode, message }) : Buffer.from(encodeRpcStatus(rpcCode, message));
  res.writeHead(status, { 'Content-Type': OTLP_CONTENT_TYPES[encoding], 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) + 1 });
  res.end(`${text}\n`);
}

function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendText(res, 405, `method not allowed; use ${allow}`);
}
