import type { Outcome, Output } from '../../app/output.ts';
import { watchParity } from '../../app/watch-command.ts';
import type { CommandOptions } from '../table.ts';

export function watchCommand(o: CommandOptions<'watch'>, caseFiles: string[], out: Output): Promise<Outcome> {
  return watchParity(
    { config: o.config, store: o.store, caseFiles, interval: o.interval, listen: o.listen, maxCycles: o['max-cycles'], repeat: o.repeat, spanmetrics: o.spanmetrics, quiet: o.quiet },
    out,
  );
}
