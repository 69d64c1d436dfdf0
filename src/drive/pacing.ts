import { GauntletError } from '../util/errors.ts';

/**
 * How a replay spaces its requests:
 * - `recorded`: at the recorded instants, scaled — GoReplay's `200%` is `speed: 2` (twice as fast);
 * - `rate`: a fixed number of requests per second;
 * - `fast`: as fast as the concurrency limit allows.
 */
export type Pacing = { mode: 'recorded'; speed: number } | { mode: 'rate'; perSecond: number } | { mode: 'fast' };

export function describePacing(p: Pacing): string {
  switch (p.mode) {
    case 'recorded':
      return p.speed === 1 ? 'as recorded' : `as recorded ×${p.speed}`;
    case 'rate':
      return `${p.perSecond}/s`;
    case 'fast':
      return 'as fast as possible';
  }
}

/** From CLI options; at most one of them. Default: as recorded, like GoReplay. */
export function pacingFromOptions(o: { speed?: number | undefined; rate?: number | undefined; fast?: boolean | undefined }): Pacing {
  const given = [o.speed !== undefined && '--speed', o.rate !== undefined && '--rate', o.fast && '--fast'].filter(Boolean);
  if (given.length > 1) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `choose one pacing: ${given.join(', ')} were all given`);
  if (o.rate !== undefined) return { mode: 'rate', perSecond: o.rate };
  if (o.fast) return { mode: 'fast' };
  return { mode: 'recorded', speed: o.speed ?? 1 };
}

/**
 * Intended send time of each entry, in ms from the start of the run. Offsets are absolute (from
 * the recording's first timestamp, or index × interval), never "previous send + gap": a late
 * send then does not push every later one back, so the error does not accumulate over a long
 * replay.
 */
export function scheduleOffsets(pacing: Pacing, timestampsMs: readonly number[]): number[] {
  switch (pacing.mode) {
    case 'fast':
      return timestampsMs.map(() => 0);
    case 'rate':
      return timestampsMs.map((_, i) => (i * 1000) / pacing.perSecond);
    case 'recorded': {
      const first = timestampsMs.reduce((m, t) => Math.min(m, t), Infinity);
      return timestampsMs.map((t) => Math.max(0, (t - first) / pacing.speed));
    }
  }
}

/**
 * The same schedule, one entry at a time (a streamed replay): entries arrive in timestamp order,
 * so the first one seen is the earliest.
 */
export function scheduleFor(pacing: Pacing): (tsMs: number, index: number) => number {
  switch (pacing.mode) {
    case 'fast':
      return () => 0;
    case 'rate':
      return (_, i) => (i * 1000) / pacing.perSecond;
    case 'recorded': {
      let first: number | undefined;
      return (t) => {
        first ??= t;
        return Math.max(0, (t - first) / pacing.speed);
      };
    }
  }
}

/**
 * Sleep until `performance.now()` reaches `target`. Timers fire late by up to a few ms and never
 * early, so the last stretch is re-checked rather than trusted.
 */
export async function sleepUntil(target: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const left = target - performance.now();
    if (left <= 0 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left > 2 ? left - 1 : left);
      function done() {
        signal?.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
