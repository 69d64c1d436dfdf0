import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher } from 'undici';
import { classifyTransportError } from '../probe/index.ts';
import { GauntletError } from '../util/errors.ts';
import { BodyCapture, endToEndHeaders, flattenHeaders } from './capture.ts';
import { encodeBody, makeHeader, type RecordedExchange } from './format.ts';
import { DEFAULT_REDACTION, redactExchange, type RedactionRules } from './redact.ts';
import { RecordingWriter, type WriterStats } from './writer.ts';

export interface RecordProxyOptions {
  host?: string;
  port?: number;
  upstream: string;
  out: string;
  service: string;
  rules?: RedactionRules;
  /** Rotate recording files at this size. */
  maxBytes?: number;
  /** Stop recording (keep proxying) once the files total this much. */
  maxTotalBytes?: number;
  /** Bytes of each body kept in the recording (default 1 MiB); the rest is forwarded, not recorded. */
  maxBodyBytes?: number;
  /** Request bodies larger than this are refused with 413 (default 16 MiB). */
  maxRequestBytes?: number;
  upstreamTimeoutMs?: number;
  /** Bind a non-loopback address. Off by default: a recorder sees credentials in flight. */
  allowRemote?: boolean;
  onWarning?: (message: string) => void;
}

export interface RecordProxyStats extends WriterStats {
  requests: number;
  inFlight: number;
  upstreamErrors: number;
  rejected: number;
  writeErrors: number;
}

export interface RecordProxy {
  url: string;
  stats(): RecordProxyStats;
  /** Stop accepting, let in-flight exchanges finish, close the recording (renaming it into place). */
  close(): Promise<RecordProxyStats>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

class BodyTooLarge extends Error {}

/**
 * A recording reverse proxy: each request is forwarded to the upstream (streaming both bodies,
 * keep-alive to the upstream through one undici Agent), the answer streamed back, and the exchange
 * appended to the recording after redaction. Recording never delays the client: the exchange is
 * written once the response has been sent.
 */
export async function startRecordProxy(opts: RecordProxyOptions): Promise<RecordProxy> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !opts.allowRemote) {
    throw new GauntletError('GAUNTLET_USAGE', `refusing to listen on ${host}: the recorder sees credentials in flight, so it binds loopback only`, {
      hint: 'use 127.0.0.1 (or pass --allow-remote if you really mean it)',
    });
  }
  let upstream: URL;
  try {
    upstream = new URL(opts.upstream);
    if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new GauntletError('GAUNTLET_USAGE', `--upstream must be an http(s) URL, got "${opts.upstream}"`);
  }
  const prefix = upstream.pathname.replace(/\/$/, '');
  const rules = opts.rules ?? DEFAULT_REDACTION;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const maxRequestBytes = opts.maxRequestBytes ?? 16 * 1024 * 1024;
  const timeout = opts.upstreamTimeoutMs ?? 60_000;
  const writer = await RecordingWriter.open(opts.out, makeHeader(opts.service, 'record', { origin: upstream.origin + prefix }), {
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.maxTotalBytes !== undefined ? { maxTotalBytes: opts.maxTotalBytes } : {}),
  });
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128 });
  const counts = { requests: 0, upstreamErrors: 0, rejected: 0, writeErrors: 0 };
  const inFlight = new Set<Promise<void>>();
  const warn = opts.onWarning ?? ((m: string) => process.emitWarning(m));

  async function record(x: Omit<RecordedExchange, 'seq'>): Promise<void> {
    try {
      await writer.append(redactExchange(x, rules));
    } catch (err) {
      counts.writeErrors++;
      warn(`gauntlet record: could not append to ${opts.out}: ${(err as Error).message}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counts.requests++;
    const ts = new Date().toISOString();
    const started = performance.now();
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxRequestBytes) {
      counts.rejected++;
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end(`request body over ${maxRequestBytes} bytes\n`);
      req.resume();
      return;
    }
    // Aborting the upstream exchange when the client goes away keeps a dead client from holding an upstream connection.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const reqBody = new BodyCapture(maxBodyBytes);
    const hasBody = declared > 0 || req.headers['transfer-encoding'] !== undefined;
    const headers = endToEndHeaders(req.headers);
    const recordedRequestHeaders = flattenHeaders(headers);
    // Host names the recorder, not the service; replay sets its own.
    delete recordedRequestHeaders.host;
    headers.host = upstream.host;
    const xff = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = [xff, req.socket.remoteAddress].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] ??= 'http';
    let upstreamRes: Dispatcher.ResponseData;
    try {
      upstreamRes = await agent.request({
        origin: upstream.origin,
        path: prefix + (req.url ?? '/'),
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers,
        body: hasBody ? Readable.from(tap(req, reqBody, maxRequestBytes), { objectMode: false }) : null,
        signal: abort.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof BodyTooLarge || (err as { cause?: unknown }).cause instanceof BodyTooLarge) {
        counts.rejected++;
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end(`request body over ${maxRequestBytes} bytes\n`);
      } else {
        counts.upstreamErrors++;
        const { type } = classifyTransportError(err);
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`gauntlet record: upstream ${upstream.origin} failed: ${type}\n`);
      }
      return;
    }
    const resHeaders = endToEndHeaders(upstreamRes.headers);
    const resBody = new BodyCapture(maxBodyBytes);
    try {
      res.writeHead(upstreamRes.statusCode, resHeaders);
      await pipeline(upstreamRes.body, async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          resBody.add(chunk);
          yield chunk;
        }
      }, res);
    } catch {
      // The client went away or the upstream broke mid-body: nothing faithful to record.
      counts.upstreamErrors++;
      return;
    }
    const requestBytes = reqBody.bytes();
    // Origin-form (`/p?q`) is what a reverse proxy receives; absolute-form is reduced to it.
    const target = (req.url ?? '/').startsWith('/') ? (req.url ?? '/') : new URL(req.url ?? '/', upstream).pathname + new URL(req.url ?? '/', upstream).search;
    const q = target.indexOf('?');
    await record({
      ts,
      request: {
        method: req.method ?? 'GET',
        path: q === -1 ? target : target.slice(0, q),
        query: q === -1 ? '' : target.slice(q + 1),
        headers: recordedRequestHeaders,
        ...encodeBody(requestBytes, reqBody.truncated),
        ...(reqBody.truncated ? { bodyTruncated: true } : {}),
      },
      response: {
        status: upstreamRes.statusCode,
        headers: flattenHeaders(resHeaders),
        ...encodeBody(resBody.bytes(), resBody.truncated),
        ...(resBody.truncated ? { bodyTruncated: true } : {}),
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      },
    });
  }

  const server = createServer((req, res) => {
    const p = handle(req, res).catch((err: unknown) => {
      warn(`gauntlet record: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new GauntletError('GAUNTLET_USAGE', `cannot listen on ${host}:${opts.port ?? 0}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { hint: 'pick another --listen port' })));
    server.listen(opts.port ?? 0, host, () => resolve());
  }).catch(async (err) => {
    await writer.close();
    await agent.close();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  const stats = (): RecordProxyStats => ({ ...writer.stats(), ...counts, inFlight: inFlight.size });
  let closing: Promise<RecordProxyStats> | undefined;
  return {
    url: `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`,
    stats,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Finish in-flight exchanges, but never hang shutdown on a stuck client.
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
        await Promise.race([Promise.allSettled([...inFlight]), grace]);
        server.closeAllConnections();
        await stopped;
        await writer.close();
        await agent.close();
        return stats();
      })();
      return closing;
    },
  };
}

/** Stream the request body upstream while keeping its first bytes, refusing more than `limit`. */
async function* tap(req: IncomingMessage, capture: BodyCapture, limit: number): AsyncGenerator<Buffer> {
  for await (const chunk of req as AsyncIterable<Buffer>) {
    capture.add(chunk);
    if (capture.total > limit) throw new BodyTooLarge(`request body over ${limit} bytes`);
    yield chunk;
  }
}
