import type { SpanStore } from '../collect/index.ts';

/**
 * Runtimes export their SERVER spans on their own schedule. Before judging a run, wait until every
 * answered CLIENT span has its SERVER child, or until nothing new arrived for `quietMs` (a runtime
 * that is not instrumented never sends one), bounded by `maxMs`.
 */
export async function waitForRunToSettle(
  store: SpanStore,
  runId: string,
  opts: { quietMs?: number; maxMs?: number; pollMs?: number } = {},
): Promise<{ spans: number; waitedMs: number; complete: boolean }> {
  const quietMs = opts.quietMs ?? 500;
  const maxMs = opts.maxMs ?? 5_000;
  const pollMs = opts.pollMs ?? 50;
  const started = performance.now();
  let lastCount = -1;
  let lastChange = started;
  for (;;) {
    // Counted in SQL: re-reading a large run's spans on every poll would cost more than the run.
    const progress = await store.runProgress(runId);
    const now = performance.now();
    if (progress.spans !== lastCount) {
      lastCount = progress.spans;
      lastChange = now;
    }
    const complete = progress.answered > 0 && progress.joined === progress.answered;
    if (complete || now - lastChange >= quietMs || now - started >= maxMs) {
      return { spans: progress.spans, waitedMs: Math.round(now - started), complete };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
