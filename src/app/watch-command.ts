/**
 * `watch`: the probe daemon with the command line's overrides of the config's `watch:` settings.
 * Runs until `maxCycles` or the signal; a signal is the normal way to stop a daemon, so it reports
 * `ok` after closing the metrics server, the runtimes it started and the store.
 */
import { parsePromDuration } from '../analyze/prometheus-query.ts';
import { readParityCases } from '../config/index.ts';
import { parseListen } from '../telemetry/metrics-server.ts';
import { loadSources, type Outcome, type Output, type Sources } from './output.ts';
import { runWatch } from './watch.ts';

export interface WatchInput extends Sources {
  /** Case files; empty: parity.cases of the config. */
  caseFiles: readonly string[];
  /** A Prometheus duration; absent: watch.interval of the config. */
  interval?: string | undefined;
  listen?: string | undefined;
  maxCycles?: number | undefined;
  repeat?: number | undefined;
  spanmetrics: boolean;
  quiet: boolean;
}

export async function watchParity(input: WatchInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const w = loaded.config.watch;
  const interval = input.interval ?? w.interval;
  const intervalMs = parsePromDuration(interval, '--interval');
  const listen = input.listen ?? w.listen;
  parseListen(listen); // a typo fails before anything is started
  const caseFiles = await readParityCases(loaded, [...input.caseFiles]);
  const summary = await runWatch({
    loaded,
    caseFiles,
    intervalMs,
    listen,
    ...(input.maxCycles !== undefined ? { maxCycles: input.maxCycles } : {}),
    repeat: input.repeat ?? w.repeat,
    spanmetrics: input.spanmetrics || w.spanmetrics,
    ...(input.store !== undefined ? { storePath: input.store } : {}),
    signal: out.signal,
    log: (line) => {
      if (!input.quiet || !line.startsWith('cycle ')) out.stdout.write(line + '\n');
    },
  });
  out.stdout.write(`watch: stopped after ${summary.cycles} cycle${summary.cycles === 1 ? '' : 's'}${summary.failed ? ` (${summary.failed} failed)` : ''}\n`);
  return 'ok';
}
