import { gateParquet } from '../../app/export.ts';
import { gateStoredRun, reportStoredRun, saveRunBaseline, type GateInput } from '../../app/gate.ts';
import { usageError } from '../options.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

export function gateCommand(o: CommandOptions<'gate'>, positionals: string[], out: Output): Promise<Outcome> {
  if (o.source === 'parquet' && positionals.length !== 1) throw usageError('gate --source parquet needs one GLOB', "e.g. gauntlet gate --source parquet 'runs/run=*/date=*/*.parquet' --run ID");
  return (o.source === 'parquet' ? (i: GateInput, w: Output) => gateParquet({ ...i, glob: positionals[0]! }, w) : gateStoredRun)(
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
