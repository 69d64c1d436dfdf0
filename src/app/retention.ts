/**
 * Store retention for the long-running modes (watch, mirror): applied at most every
 * `store.retention.everySeconds`, never touching the run in progress. Batch commands never prune.
 */
import type { SpanStore } from '../collect/index.ts';
import type { GauntletConfig } from '../config/index.ts';

export interface Retainer {
  /** Prune if the interval has passed; resolves with a log line when runs were deleted. */
  maybePrune(keep: readonly string[]): Promise<string | undefined>;
}

export function retainer(store: Pick<SpanStore, 'prune'>, retention: GauntletConfig['store']['retention'], now: () => number = Date.now): Retainer {
  let last = now();
  return {
    async maybePrune(keep) {
      if (now() - last < retention.everySeconds * 1000) return undefined;
      last = now();
      const r = await store.prune({ maxAgeMs: retention.maxAgeDays * 86_400_000, maxBytes: retention.maxSizeMb * 1024 * 1024, keep });
      if (r.runsDeleted.length === 0) return undefined;
      const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
      return `retention: deleted ${r.runsDeleted.length} run${r.runsDeleted.length === 1 ? '' : 's'} (${r.spansDeleted} spans) · store ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)} MiB`;
    },
  };
}
