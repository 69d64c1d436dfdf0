import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { flattenHeaders } from './capture.ts';
import { assertLoopbackListen, forwardExchange, originForm, parseUpstream, startProxyServer, type ProxyServer } from './forward.ts';
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

/**
 * A recording reverse proxy: each request is forwarded to the upstream (streaming both bodies,
 * keep-alive to the upstream through one undici Agent), the answer streamed back, and the exchange
 * appended to the recording after redaction. Recording never delays the client: the exchange is
 * written once the response has been sent.
 */
export async function startRecordProxy(opts: RecordProxyOptions): Promise<RecordProxy> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopbackListen(host, opts.allowRemote, 'the recorder');
  const upstream = parseUpstream(opts.upstream, '--upstream');
  const rules = opts.rules ?? DEFAULT_REDACTION;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const maxRequestBytes = opts.maxRequestBytes ?? 16 * 1024 * 1024;
  const timeout = opts.upstreamTimeoutMs ?? 60_000;
  const writer = await RecordingWriter.open(opts.out, makeHeader(opts.service, 'record', { origin: upstream.url.origin + upstream.prefix }), {
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.maxTotalBytes !== undefined ? { maxTotalBytes: opts.maxTotalBytes } : {}),
  });
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128 });
  const counts = { requests: 0, upstreamErrors: 0, rejected: 0, writeErrors: 0 };
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
    const out = await forwardExchange(req, res, {
      dispatcher: agent,
      upstream,
      maxRequestBytes,
      captureRequestBytes: maxBodyBytes,
      captureResponseBytes: maxBodyBytes,
      timeoutMs: timeout,
      name: 'gauntlet record',
    });
    if (out.kind === 'rejected') counts.rejected++;
    if (out.kind === 'upstream-error' || out.kind === 'broken') counts.upstreamErrors++;
    if (out.kind !== 'ok') return;
    const recordedRequestHeaders = flattenHeaders(out.clientHeaders);
    // Host names the recorder, not the service; replay sets its own.
    delete recordedRequestHeaders.host;
    const target = originForm(req.url, upstream.url);
    const q = target.indexOf('?');
    await record({
      ts,
      request: {
        method: req.method ?? 'GET',
        path: q === -1 ? target : target.slice(0, q),
        query: q === -1 ? '' : target.slice(q + 1),
        headers: recordedRequestHeaders,
        ...encodeBody(out.request.bytes(), out.request.truncated),
        ...(out.request.truncated ? { bodyTruncated: true } : {}),
      },
      response: {
        status: out.status,
        headers: flattenHeaders(out.responseHeaders),
        ...encodeBody(out.response.bytes(), out.response.truncated),
        ...(out.response.truncated ? { bodyTruncated: true } : {}),
        latencyMs: Math.round(out.totalMs * 1000) / 1000,
      },
    });
  }

  let server: ProxyServer;
  try {
    server = await startProxyServer({ host, port: opts.port ?? 0, name: 'gauntlet record', handle, warn });
  } catch (err) {
    await writer.close();
    await agent.close();
    throw err;
  }
  const stats = (): RecordProxyStats => ({ ...writer.stats(), ...counts, inFlight: server.inFlight() });
  let closing: Promise<RecordProxyStats> | undefined;
  return {
    url: server.url,
    stats,
    close() {
      closing ??= (async () => {
        await server.stop(10_000);
        await writer.close();
        await agent.close();
        return stats();
      })();
      return closing;
    },
  };
}
