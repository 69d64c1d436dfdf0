/**
 * One iteration on one VU, shared by both executors: send, time, record. Most iterations go straight
 * through the VU's dispatcher; the sampled ones go through the probe (`runExchange`) with the span
 * subscriber, so they become CLIENT spans exactly like every other driver's exchanges — same
 * attributes, traceparent injected so the runtime's SERVER span joins the trace.
 */
import type { ProbeSubscriber } from '../../probe/index.ts';
import { runExchange } from '../../probe/index.ts';
import type { SeriesRecorder } from '../../collect/load/hdr.ts';
import type { PreparedRequest } from './requests.ts';
import type { BlockCommand, EngineSettings } from './types.ts';
import { indexedPairId } from '../pair.ts';
import type { Vu } from './vu.ts';

export interface BlockCounters {
  /** Open model: iterations the schedule gave this worker. */
  scheduled: number;
  started: number;
  completed: number;
  dropped: number;
  errors: number;
  interrupted: number;
  /** performance.now() of the last send: the end of the sending window. */
  lastSend: number;
}

export interface IterationContext {
  settings: EngineSettings;
  cmd: BlockCommand;
  /** undefined for warm-up blocks: nothing is recorded. */
  recorder: SeriesRecorder | undefined;
  spans: ProbeSubscriber | undefined;
  counters: BlockCounters;
  inFlight: Set<Vu>;
  /** Set once gracefulStop has run out: completions from here on are interruptions. */
  stopping: boolean;
}

/** Deterministic sampling by iteration index, so runtime A and B sample the same requests. */
export function isSampled(index: number, ratio: number): boolean {
  if (ratio <= 0) return false;
  if (ratio >= 1) return true;
  let h = Math.imul(index ^ (index >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 < ratio;
}

interface InFlight {
  ctx: IterationContext;
  req: PreparedRequest;
  intended: number;
  sentAt: number;
  then: (vu: Vu) => void;
}

/**
 * Sends `req` on `vu` and records both latencies: from `intended` (the schedule's instant; equal to
 * the send for closed models) and from the actual send. `then` runs once the VU is free again.
 * The iteration's state lives on the VU and its completion callback is made once per VU, so the
 * hot path allocates nothing per request beyond what undici does.
 */
export function runIteration(ctx: IterationContext, vu: Vu, req: PreparedRequest, index: number, intended: number, then: (vu: Vu) => void): void {
  const c = ctx.counters;
  c.started++;
  ctx.inFlight.add(vu);
  const sentAt = performance.now();
  c.lastSend = sentAt;
  let state = vu.iteration as InFlight | undefined;
  if (!state) vu.iteration = state = { ctx, req, intended, sentAt, then };
  else {
    state.ctx = ctx;
    state.req = req;
    state.intended = intended;
    state.sentAt = sentAt;
    state.then = then;
  }
  if (ctx.spans && ctx.recorder && isSampled(index, ctx.settings.spanSampleRatio)) {
    const t = ctx.cmd.target;
    runExchange(
      {
        runId: ctx.settings.runId,
        driver: 'load',
        service: ctx.settings.service,
        runtime: t.runtime,
        role: t.role,
        caseId: ctx.cmd.scenario.name,
        // The same iteration on both runtimes shares a pair id: sampled exchanges pair up for analysis.
        pairId: indexedPairId(ctx.cmd.scenario.name, index),
        baseUrl: t.url,
        method: req.method,
        path: req.path,
        route: req.route,
        headers: headerObject(req.headers),
        ...(req.body ? { body: req.body } : {}),
      },
      { timeoutMs: ctx.settings.requestTimeoutMs, maxBodyBytes: ctx.settings.maxEventBodyBytes, dispatcher: vu.client, subscribers: [ctx.spans] },
    ).then(
      (r) => finish(vu, r.status, sentAt + r.timing.totalMs),
      () => finish(vu, undefined, performance.now()),
    );
    return;
  }
  vu.complete ??= (status) => finish(vu, status, performance.now());
  vu.send(req, vu.complete);
}

function finish(vu: Vu, status: number | undefined, endedAt: number): void {
  const { ctx, req, intended, sentAt, then } = vu.iteration as InFlight;
  const c = ctx.counters;
  ctx.inFlight.delete(vu);
  if (ctx.stopping) c.interrupted++;
  else c.completed++;
  if (status === undefined || status >= 400) c.errors++;
  ctx.recorder?.record(req.method, req.route, status, endedAt - intended, endedAt - sentAt, req.key);
  then(vu);
}

function headerObject(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
