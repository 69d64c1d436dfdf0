import type { Outcome, Output } from '../../app/output.ts';
import { runReplay } from '../../app/replay.ts';
import type { CommandOptions } from '../table.ts';

export function replayCommand(o: CommandOptions<'replay'>, recordings: string[], out: Output): Promise<Outcome> {
  return runReplay(
    {
      config: o.config,
      store: o.store,
      recordings,
      service: o.service,
      speed: o.speed,
      rate: o.rate,
      fast: o.fast,
      concurrency: o.concurrency,
      allowUnsafe: o['allow-unsafe'],
      limit: o.limit,
      maxDurationSec: o['max-duration'],
      skipInvalid: o['skip-invalid'],
      json: o.json,
      failOnDivergence: o['fail-on-divergence'],
      quiet: o.quiet,
    },
    out,
  );
}
