/**
 * Store retention for the long-running modes (watch, mirror): applied at most every
 * `store.retention.everySeconds`. The run in progress is never deleted, but a mirror left running for
 * weeks is one run: its traces older than `maxAgeDays` (and, over `maxSizeMb`, its oldest traces)
 * are trimmed, so its verdict covers a sliding window. Batch commands never prune.
 */
import type { SpanStore } from '../collect/index.ts';
import type { GauntletConfig } from '../config/index.ts';

export interface Retainer {
  /**
   * Prune if the interval has passed; resolves with a log line when anything was deleted. `keep`
   * runs are left whole; `live` runs (in progress) are never deleted but keep only their window.
   */
  maybePrune(keep: readonly string[], live?: readonly string[]): Promise<string | undefined>;
}

export function retainer(store: Pick<SpanStore, 'prune'>, retention: GauntletConfig['store']['retention'], now: () => number = Date.now): Retainer {
  let last = now();
  return {
    async maybePrune(keep, live = []) {
      if (now() - last < retention.everySeconds * 1000) return undefined;
      last = now();
      const r = await store.prune({ maxAgeMs: retention.maxAgeDays * 86_400_000, maxBytes: retention.maxSizeMb * 1024 * 1024, keep, live });
      if (r.runsDeleted.length === 0 && r.liveSpansTrimmed === 0) return undefined;
      const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
      const parts = [];
      if (r.runsDeleted.length) parts.push(`deleted ${r.runsDeleted.length} run${r.runsDeleted.length === 1 ? '' : 's'} (${r.spansDeleted} spans)`);
      if (r.liveSpansTrimmed) parts.push(`trimmed ${r.liveSpansTrimmed} spans older than the window from the run in progress`);
      return `retention: ${parts.join(', ')} · store ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)} MiB`;
    },
  };
}
