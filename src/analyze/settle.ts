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
    const spans = await store.spansForRun(runId);
    const now = performance.now();
    if (spans.length !== lastCount) {
      lastCount = spans.length;
      lastChange = now;
    }
    const serverParents = new Set(spans.filter((s) => s.kind === 'SERVER' && s.parentSpanId).map((s) => s.parentSpanId));
    const answered = spans.filter((s) => s.kind === 'CLIENT' && s.attributes['http.response.status_code'] !== undefined);
    const complete = answered.length > 0 && answered.every((s) => serverParents.has(s.spanId));
    if (complete || now - lastChange >= quietMs || now - started >= maxMs) {
      return { spans: spans.length, waitedMs: Math.round(now - started), complete };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
