import { gateStoredRun, reportStoredRun, saveRunBaseline } from '../../app/gate.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

export function gateCommand(o: CommandOptions<'gate'>, _positionals: string[], out: Output): Promise<Outcome> {
  return gateStoredRun(
    {
      config: o.config,
      store: o.store,
      run: o.run,
      ledger: o.ledger,
      baseline: o.baseline,
      files: { json: o.json, gateJson: o['gate-json'], junit: o.junit, markdown: o.markdown, html: o.html },
      pushgateway: o.pushgateway,
      quiet: o.quiet,
    },
    out,
  );
}

export function reportCommand(o: CommandOptions<'report'>, _positionals: string[], out: Output): Promise<Outcome> {
  return reportStoredRun({ config: o.config, store: o.store, run: o.run, ledger: o.ledger, baseline: o.baseline, html: o.html }, out);
}

export function baselineCommand(o: CommandOptions<'baseline'>, _positionals: string[], out: Output): Promise<Outcome> {
  return saveRunBaseline({ config: o.config, store: o.store, run: o.run, out: o.out }, out);
}
