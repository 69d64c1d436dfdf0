/**
 * `gauntlet mirror`, the client's path: a reverse proxy that answers every request from the
 * primary runtime (streamed, byte for byte, through the same forwarding code as `gauntlet record`)
 * and, only once the answer has gone out, hands a copy to the copy path (copy-engine.ts) — which
 * the daemon runs in another process at the lowest CPU priority, so sending to the candidate,
 * comparing and exporting telemetry never share an event loop, or a GC, with the client's requests.
 *
 * What this path does per request is kept to forwarding plus bookkeeping: decide whether the request
 * will be copied (method, route, queue room — before forwarding, so a request that will not be
 * copied costs nothing more), give the primary a trace context whose CLIENT span is created later on
 * the copy path, keep the bodies (capped), hand over plain data. A full copy path means a drop,
 * counted; a candidate that hangs, errors or is down is invisible from here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { Agent } from 'undici';
import {
  assertLoopbackListen,
  BodyCapture,
  flattenHeaders,
  forwardExchange,
  originForm,
  parseUpstream,
  SAFE_METHODS,
  startProxyServer,
  unsafeGate,
  type ProxyServer,
} from '../../record/index.ts';
import type { MirrorOutcome } from '../../telemetry/metrics.ts';
import { newPairId } from '../pair.ts';
import { liveRouteLabeller } from './route.ts';
import type { CopyJob, CopyPath, CopyStats, MirrorRuntime } from './types.ts';

export interface MirrorOptions {
  host?: string;
  port?: number;
  /** Bind a non-loopback address. Off by default: the mirror sees credentials in flight. */
  allowRemote?: boolean;
  primary: MirrorRuntime;
  /** Where copies go: a CopyEngine in this thread, or the remote copy path to the engine's process (remote-path.ts). */
  copies: CopyPath;
  /** Route templates (`/v1/items/{id}`) for grouping; unmatched paths have their id segments generalised. */
  routes?: readonly string[];
  /** Routes where unsafe methods may be mirrored (`replay.safeRoutes`). */
  safeRoutes?: ReadonlyArray<{ method: string; route: string }>;
  /** Mirror every method, side effects and all. */
  unsafe?: boolean;
  /** Fraction of requests copied, chosen at random (default 1: all). */
  sample?: number;
  /** Per client request: how long the primary may take. */
  upstreamTimeoutMs?: number;
  /** Request bodies up to this are copied (larger ones are forwarded, not copied); response bytes kept. */
  maxBodyBytes?: number;
  /** Request bodies over this are refused with 413. */
  maxRequestBytes?: number;
  log?: (line: string) => void;
}

export interface Mirror {
  url: string;
  stats(): Promise<CopyStats>;
  /**
   * Stop accepting clients and finish their requests, then close the copy path: queued copies run
   * for at most `drainMs` (the rest are dropped and counted), running ones until their timeout.
   */
  close(drainMs?: number): Promise<void>;
}

/**
 * Headers a copy must not carry: `host`/`content-length` describe the client's hop, the probe
 * injects fresh trace context, and `accept-encoding` is dropped so the candidate answers plainly —
 * the primary's answer is decoded before comparing, so compression never shows as a difference.
 */
const NOT_COPIED = new Set(['host', 'content-length', 'traceparent', 'tracestate', 'accept-encoding']);

/** W3C traceparent; version ff and all-zero ids are invalid. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(?:-|$)/;

function clientContext(req: IncomingMessage): { traceId: string; spanId: string; traceState?: string } | undefined {
  const m = TRACEPARENT.exec(String(req.headers.traceparent ?? ''));
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  const state = req.headers.tracestate;
  return { traceId: m[2]!, spanId: m[3]!, ...(state ? { traceState: Array.isArray(state) ? state.join(',') : state } : {}) };
}

/** A body the copy thread can take without copying when it owns its memory (Buffer.concat pools small ones). */
const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const epochNow = () => performance.timeOrigin + performance.now();

export async function startMirror(opts: MirrorOptions): Promise<Mirror> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopbackListen(host, opts.allowRemote, 'the mirror');
  const primary = parseUpstream(opts.primary.url, '--primary');
  const primaryHeaders = opts.primary.headers ?? {};
  const { copies } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const maxRequestBytes = opts.maxRequestBytes ?? 16 * 1024 * 1024;
  const routeOf = liveRouteLabeller(opts.routes);
  const mayCopy = unsafeGate(opts.safeRoutes ?? []);
  const sample = opts.sample ?? 1;
  const ids = new RandomIdGenerator();
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 1024 });
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    copies.count('request');
    const startTime = epochNow();
    const method = req.method ?? 'GET';
    const target = originForm(req.url, primary.url);
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const route = routeOf(path);
    let skip: MirrorOutcome | undefined;
    if (!opts.unsafe && !mayCopy(method, path, route)) skip = 'unsafe';
    else if (sample < 1 && Math.random() >= sample) skip = 'sampled_out';
    else if (copies.full()) skip = 'dropped';
    let setHeaders = primaryHeaders;
    let trace: Pick<CopyJob, 'traceId' | 'pairSpanId' | 'primarySpanId' | 'parentSpanId' | 'traceState'> | undefined;
    if (!skip) {
      const client = clientContext(req);
      trace = {
        traceId: client?.traceId ?? ids.generateTraceId(),
        pairSpanId: ids.generateSpanId(),
        primarySpanId: ids.generateSpanId(),
        ...(client ? { parentSpanId: client.spanId } : {}),
        ...(client?.traceState ? { traceState: client.traceState } : {}),
      };
      // The primary's SERVER span becomes a child of the CLIENT span the copy path will create.
      setHeaders = { ...primaryHeaders, traceparent: `00-${trace.traceId}-${trace.primarySpanId}-01` };
    }
    const out = await forwardExchange(req, res, {
      dispatcher: agent,
      upstream: primary,
      maxRequestBytes,
      captureRequestBytes: trace ? maxBodyBytes : 0,
      captureResponseBytes: trace ? maxBodyBytes : 0,
      timeoutMs: opts.upstreamTimeoutMs ?? 60_000,
      setHeaders,
      name: 'gauntlet mirror',
    });
    const endTime = epochNow();
    if (out.kind === 'rejected') {
      copies.count('rejected');
      return copies.count('too_large');
    }
    if (skip) return copies.count(skip);
    if (out.kind !== 'ok' || !trace) return copies.count('primary_failed');
    if (out.request.truncated) return copies.count('too_large');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(flattenHeaders(out.clientHeaders))) if (!NOT_COPIED.has(k)) headers[k] = v;
    for (const k of ['x-forwarded-for', 'x-forwarded-proto']) headers[k] = String(out.sentHeaders[k]);
    const body = bodyOf(out.request, method);
    const job: CopyJob = {
      caseId: String(++seq),
      // Same form as newPairId (16 hex), from the fast non-crypto generator: a pair id is a label, not a secret.
      pairId: newPairId(),
      ...trace,
      startTime,
      method,
      target,
      route,
      headers,
      ...(body ? { body } : {}),
      answer: {
        status: out.status,
        headers: flattenHeaders(out.responseHeaders),
        raw: plain(out.response.bytes()),
        rawTruncated: out.response.truncated,
        received: out.response.total,
        requestBodyBytes: out.request.total,
        ttfbMs: out.ttfbMs,
        totalMs: out.totalMs,
        endTime,
      },
    };
    if (!copies.offer(job)) copies.count('dropped');
  }

  let server: ProxyServer;
  try {
    server = await startProxyServer({ host, port: opts.port ?? 0, name: 'gauntlet mirror', handle, warn: opts.log ?? (() => {}) });
  } catch (err) {
    await agent.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    stats: () => copies.stats(),
    close(drainMs = 5_000) {
      closing ??= (async () => {
        await server.stop(10_000);
        await agent.close();
        await copies.close(drainMs);
      })();
      return closing;
    },
  };
}

/** An empty body is still a body on a method that carries one (content-length: 0), not on a GET. */
function bodyOf(capture: BodyCapture, method: string): Uint8Array | undefined {
  const bytes = capture.bytes();
  return bytes.length > 0 || !SAFE_METHODS.has(method) ? plain(bytes) : undefined;
}
