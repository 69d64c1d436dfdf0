import { parsePromDuration } from '../../analyze/prometheus-query.ts';
import { loadConfig } from '../../config/index.ts';
import { loadParityCases } from '../../config/index.ts';
import { runWatch } from '../../app/watch.ts';
import { parseListen } from '../../telemetry/metrics-server.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

/**
 * `gauntlet watch`: runs until --max-cycles or SIGINT/SIGTERM. A signal is the normal way to stop
 * a daemon, so it exits 0 after closing the metrics server, the runtimes it started and the store.
 */
export async function watchCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const o = cli.options;
  const loaded = await loadConfig(o.config as string | undefined);
  const w = loaded.config.watch;
  const interval = typeof o.interval === 'string' ? o.interval : w.interval;
  const intervalMs = parsePromDuration(interval, '--interval');
  const listen = typeof o.listen === 'string' ? o.listen : w.listen;
  parseListen(listen); // a typo fails before anything is started
  const caseFiles = await loadParityCases(loaded, cli.positionals);
  const summary = await runWatch({
    loaded,
    caseFiles,
    intervalMs,
    listen,
    ...(typeof o['max-cycles'] === 'string' ? { maxCycles: Number(o['max-cycles']) } : {}),
    repeat: typeof o.repeat === 'string' ? Number(o.repeat) : w.repeat,
    spanmetrics: o.spanmetrics === true || w.spanmetrics,
    ...(typeof o.store === 'string' ? { storePath: o.store } : {}),
    signal: ctx.signal,
    log: (line) => {
      if (!o.quiet || !line.startsWith('cycle ')) ctx.stdout.write(line + '\n');
    },
  });
  ctx.stdout.write(`watch: stopped after ${summary.cycles} cycle${summary.cycles === 1 ? '' : 's'}${summary.failed ? ` (${summary.failed} failed)` : ''}\n`);
  return 0;
}
