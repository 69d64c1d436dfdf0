import type { Outcome, Output } from '../../app/output.ts';
import { runGauntlet } from '../../app/run.ts';
import type { CommandOptions } from '../table.ts';

export function runCommand(o: CommandOptions<'run'>, _positionals: string[], out: Output): Promise<Outcome> {
  return runGauntlet(
    {
      config: o.config,
      store: o.store,
      phases: o.phase,
      skip: o.skip,
      repeat: o.repeat,
      ledger: o.ledger,
      baseline: o.baseline,
      files: { json: o.json, gateJson: o['gate-json'], junit: o.junit, markdown: o.markdown, html: o.html },
      reportsDir: o['reports-dir'],
      pushgateway: o.pushgateway,
      allowRemote: o['allow-remote'],
      quiet: o.quiet,
    },
    out,
  );
}
