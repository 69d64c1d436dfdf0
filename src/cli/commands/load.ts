import { ingestK6 } from '../../app/ingest.ts';
import { runLoad } from '../../app/load.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

/** `load SCENARIOS.yaml` / `load --run ID` */
export function loadCommand(o: CommandOptions<'load'>, positionals: string[], out: Output): Promise<Outcome> {
  return runLoad({ config: o.config, store: o.store, scenarios: positionals[0], run: o.run, workers: o.workers, json: o.json, quiet: o.quiet }, out);
}

/** `ingest k6 FILE…` */
export function ingestCommand(o: CommandOptions<'ingest'>, positionals: string[], out: Output): Promise<Outcome> {
  return ingestK6({ config: o.config, store: o.store, files: positionals.slice(1), service: o.service, runtimes: o.runtimes, json: o.json, quiet: o.quiet }, out);
}
