/**
 * `gauntlet collect`: one standalone OTLP/HTTP receiver writing its own store file — a shard of the
 * sharded-receivers topology (docs/scale.md). A fleet of OTel Collectors routes traces by trace id
 * (`loadbalancing` exporter, `routing_key: traceID`) to several of these; `analyze`/`gate` then read
 * the store family (`store.duckdb` + `store.<shard>.duckdb`) as one store.
 */
import { SpanStore, startReceiver } from '../collect/index.ts';
import { parseListen } from '../record/index.ts';
import { GauntletError } from '../util/errors.ts';
import { isLoopbackHost } from '../util/loopback.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';

export interface CollectInput extends Sources {
  listen: string;
  allowRemote: boolean;
}

export async function collect(input: CollectInput, out: Output): Promise<Outcome> {
  const { host, port } = parseListen(input.listen);
  if (!isLoopbackHost(host) && !input.allowRemote) {
    throw new GauntletError('GAUNTLET_USAGE', `--listen ${input.listen} is not a loopback address: the receiver has no authentication`, {
      hint: 'put it behind your network policy and pass --allow-remote, or listen on 127.0.0.1',
    });
  }
  const path = storePathOf(await loadSources(input), input.store);
  const store = await SpanStore.open(path);
  try {
    const receiver = await startReceiver({ store, host, port });
    out.stdout.write(`collecting OTLP/HTTP on ${receiver.url} (/v1/traces, /v1/metrics) → ${path}\n`);
    if (!out.signal.aborted) await new Promise<void>((done) => out.signal.addEventListener('abort', () => done(), { once: true }));
    await receiver.close();
    const s = receiver.stats();
    out.stdout.write(`stopped: ${s.spansStored} spans stored of ${s.spansAccepted} accepted, ${s.metricPointsStored} metric points\n`);
    const err = receiver.storeError();
    if (err) throw err;
    return 'ok';
  } finally {
    await store.close();
  }
}
