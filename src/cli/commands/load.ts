import { ingestK6 } from '../../app/ingest.ts';
import { runLoad } from '../../app/load.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

/** `load SCENARIOS.yaml` / `load --run ID` */
export function loadCommand(o: CommandOptions<'load'>, positionals: string[], out: Output): Promise<Outcome> {
  return runLoad({ config: o.config, store: o.store, scenarios: positionals[0], run: o.run, workers: o.workers, allowRemote: o['allow-remote'], json: o.json, quiet: o.quiet }, out);
}

/** `ingest k6 FILE…` */
export function ingestCommand(o: CommandOptions<'ingest'>, positionals: string[], out: Output): Promise<Outcome> {
  const groups = o.runtime ?? [];
  const grouped = new Set(groups.flatMap((g) => g.positionals));
  // positionals[0] is `k6`; a file after --runtime NAME belongs to that runtime.
  const files = positionals.slice(1).filter((f) => !grouped.has(f));
  const byRuntime = groups.map((g) => ({ runtime: g.value, files: g.positionals.filter((f) => f !== 'k6') }));
  return ingestK6({ config: o.config, store: o.store, files, byRuntime, otlpRun: o['otlp-run'], service: o.service, runtimes: o.runtimes, json: o.json, quiet: o.quiet }, out);
}
