/**
 * The two execution models, run by every worker on its share of a block.
 *
 * Open model (arrival-rate executors): iterations start at the schedule's instants whatever the
 * target does — a stalled target does not slow the sender, it just ties up more VUs. Latency counts
 * from the intended instant, so time an iteration spent waiting for the engine (timer lateness, a
 * busy event loop) is charged to it: no coordinated omission, as in wrk2. When every VU up to
 * maxVUs is busy the iteration is dropped and counted (k6's `dropped_iterations`).
 *
 * Closed model (VU executors): each VU loops request → response → request; there is no schedule,
 * so both latencies are measured from the send. Against a stalling target this model sends less and
 * under-reports the stall — the bench shows the two side by side.
 */
import { arrivalTime, indexRange, vusAt } from './schedule.ts';
import { runIteration, type IterationContext } from './iteration.ts';
import type { Lookahead, RequestSource } from './requests.ts';
import type { Vu, VuPool } from './vu.ts';

export interface WorkerShare {
  worker: number;
  workers: number;
  pool: VuPool;
  source: RequestSource;
  lookahead: Lookahead;
  /** Closed model: iterations this worker already ran for (scenario, runtime), so indices continue across blocks. */
  closedIterations: number;
}

/** Worker w's share of a total split over `workers` (shares add up to the total). */
export function shareOf(total: number, workers: number, w: number): number {
  return Math.floor((total + workers - 1 - w) / workers);
}

/** How far ahead (in this worker's iterations) requests are prepared. */
const LOOKAHEAD = 64;
/** Timers fire up to ~1 ms late: wake this early and poll the last stretch. */
const EARLY_WAKE_MS = 1.5;

export function runOpenBlock(ctx: IterationContext, share: WorkerShare): Promise<void> {
  const { cmd } = ctx;
  const s = cmd.scenario;
  if (s.plan.model !== 'open') throw new Error('runOpenBlock needs an arrival-rate scenario');
  const { rate, preAllocatedVUs, maxVUs } = s.plan;
  // Fewer VUs than workers: only the first maxVUs workers take part, so none is left with zero VUs.
  const workers = Math.min(share.workers, maxVUs);
  if (share.worker >= workers) return Promise.resolve();
  const w = share.worker;
  const [first, rangeEnd] = indexRange(rate, cmd.fromMs, cmd.toMs);
  const end = Math.min(rangeEnd, cmd.measure ? s.maxIterations : rangeEnd);
  const firstLocal = first + ((((w - first) % workers) + workers) % workers);
  const count = firstLocal < end ? Math.ceil((end - firstLocal) / workers) : 0;
  const indexOf = (k: number) => firstLocal + k * workers;
  const startPerf = cmd.startEpochMs - performance.timeOrigin;
  const due = (k: number) => startPerf + (arrivalTime(rate, indexOf(k)) - cmd.fromMs);
  const maxShare = shareOf(maxVUs, workers, w);
  share.pool.preallocate(shareOf(preAllocatedVUs, workers, w));
  share.lookahead.reset(0);
  share.lookahead.fill(Math.min(count, LOOKAHEAD), Infinity, (k) => indexOf(k) + cmd.indexOffset);
  return new Promise<void>((resolve) => {
    let k = 0;
    const release = (vu: Vu) => share.pool.release(vu);
    const tick = () => {
      const now = performance.now();
      while (k < count && due(k) <= now + 0.05) {
        const index = indexOf(k) + cmd.indexOffset;
        const intended = due(k);
        k++;
        const vu = share.pool.acquire(maxShare);
        if (!vu) {
          ctx.counters.dropped++;
          continue;
        }
        runIteration(ctx, vu, share.lookahead.take(index), index, intended, release);
      }
      if (k >= count) {
        void drain(ctx, Math.max(performance.now(), startPerf + (cmd.toMs - cmd.fromMs)) + s.gracefulStopMs).then(resolve);
        return;
      }
      const next = due(k);
      share.lookahead.fill(Math.min(count, k + LOOKAHEAD), next - 0.3, (j) => indexOf(j) + cmd.indexOffset);
      const wait = next - performance.now();
      if (wait > EARLY_WAKE_MS + 0.5) setTimeout(tick, wait - EARLY_WAKE_MS);
      else setImmediate(tick);
    };
    ctx.counters.scheduled = count;
    setTimeout(tick, Math.max(0, due(0) - performance.now() - EARLY_WAKE_MS));
  });
}

export function runClosedBlock(ctx: IterationContext, share: WorkerShare): Promise<void> {
  const { cmd } = ctx;
  const s = cmd.scenario;
  if (s.plan.model !== 'closed') throw new Error('runClosedBlock needs a VU scenario');
  const { vus } = s.plan;
  const w = share.worker;
  const W = share.workers;
  const startPerf = cmd.startEpochMs - performance.timeOrigin;
  const endPerf = startPerf + (cmd.toMs - cmd.fromMs);
  const cap = cmd.measure ? shareOf(s.maxIterations, W, w) : Infinity;
  const target = () => vusAt(vus, cmd.fromMs + (performance.now() - startPerf), W, w);
  let active = 0;
  let stopped = false;

  return new Promise<void>((resolve) => {
    let current = 0;
    const loop = (vu: Vu) => {
      if (stopped || share.closedIterations >= cap || active > current) {
        active--;
        share.pool.release(vu);
        return;
      }
      const index = w + W * share.closedIterations++ + cmd.indexOffset;
      runIteration(ctx, vu, share.source.get(index), index, performance.now(), loop);
    };
    // The VU count follows the profile: a controller tick adds VUs as it ramps up; VUs above the
    // target retire after their current iteration (k6's graceful ramp-down). The end of the block
    // is a timer of its own, so a block is not stretched to the next tick.
    const control = () => {
      if (stopped) return;
      current = target();
      while (active < current) {
        const vu = share.pool.acquire(Infinity)!;
        active++;
        // Each VU starts on its own turn of the event loop, not inside this loop.
        setImmediate(() => loop(vu));
      }
    };
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(capCheck);
      clearTimeout(endTimer);
      void drain(ctx, Math.max(performance.now(), endPerf) + s.gracefulStopMs).then(resolve);
    };
    const timer = setInterval(() => performance.now() >= startPerf && control(), 50);
    setTimeout(control, Math.max(0, startPerf - performance.now()));
    const endTimer = setTimeout(stop, Math.max(0, endPerf - performance.now()));
    // An iteration cap ends the block early: checked on the same cadence as the VU count.
    const capCheck = setInterval(() => share.closedIterations >= cap && stop(), 50);
  });
}

/** Waits for in-flight iterations until `deadline`, then aborts the rest (counted as interrupted). */
async function drain(ctx: IterationContext, deadline: number): Promise<void> {
  while (ctx.inFlight.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (ctx.inFlight.size === 0) return;
  ctx.stopping = true;
  for (const vu of ctx.inFlight) vu.abort();
  while (ctx.inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
}
