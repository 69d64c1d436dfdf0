import { exportRun } from '../../app/export.ts';
import type { Outcome, Output } from '../../app/output.ts';
import { usageError } from '../options.ts';
import type { CommandOptions } from '../table.ts';

export function exportCommand(o: CommandOptions<'export'>, positionals: string[], out: Output): Promise<Outcome> {
  if (positionals.length !== 1) throw usageError('export needs one output directory: gauntlet export --run ID --format parquet DIR', 'e.g. gauntlet export --run ID --format parquet runs/');
  return exportRun({ config: o.config, store: o.store, run: o.run!, format: o.format, dir: positionals[0]! }, out);
}
