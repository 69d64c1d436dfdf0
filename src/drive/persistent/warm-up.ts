/**
 * Before a run sends traffic to a persistent stack, make sure each twin's spans reach this run's
 * collector. Between runs nothing listens on the collector port, so a twin's OTLP exporter sits in
 * its retry backoff (seconds); a run that started at once would judge before the first SERVER
 * spans arrived — a smoke trace assertion failing, or one runtime looking "broken". So: send each
 * twin a `GET /healthz` carrying a fresh trace id, once a second, until one of them is stored.
 */
import { randomBytes } from 'node:crypto';
import type { SpanStore } from '../../collect/index.ts';

export interface WarmUpResult {
  /** Endpoints whose spans did not arrive in time (an uninstrumented twin, or one exporting elsewhere). */
  silent: string[];
  waitedMs: number;
}

export async function warmUpSpanPipeline(store: SpanStore, urls: readonly string[], opts: { maxMs?: number; everyMs?: number } = {}): Promise<WarmUpResult> {
  const maxMs = opts.maxMs ?? 15_000;
  const everyMs = opts.everyMs ?? 1_000;
  const started = Date.now();
  const pending = new Map(urls.map((u) => [u, [] as string[]]));
  let lastSent = 0;
  while (pending.size > 0 && Date.now() - started < maxMs) {
    if (Date.now() - lastSent >= everyMs) {
      lastSent = Date.now();
      await Promise.all(
        [...pending].map(async ([url, ids]) => {
          const traceId = randomBytes(16).toString('hex');
          ids.push(traceId);
          await fetch(`${url}/healthz`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` }, signal: AbortSignal.timeout(2_000) })
            .then((r) => r.arrayBuffer())
            .catch(() => undefined);
        }),
      );
    }
    for (const [url, ids] of pending) if ((await store.countTraces(ids)) > 0) pending.delete(url);
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 100));
  }
  return { silent: [...pending.keys()], waitedMs: Date.now() - started };
}
