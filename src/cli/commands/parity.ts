import { analyzeFromPrometheus } from '../../app/analyze-prometheus.ts';
import { analyzeParquet } from '../../app/export.ts';
import type { Outcome, Output } from '../../app/output.ts';
import { analyzeStoredRun, listRuns, runParity } from '../../app/parity.ts';
import { usageError } from '../options.ts';
import type { CommandOptions } from '../table.ts';

export function parityCommand(o: CommandOptions<'parity'>, caseFiles: string[], out: Output): Promise<Outcome> {
  return runParity({ config: o.config, store: o.store, caseFiles, repeat: o.repeat, json: o.json, failOnDivergence: o['fail-on-divergence'], quiet: o.quiet }, out);
}

/** `analyze --run ID` (a fresh process, the store, nothing else) or `analyze --source prometheus --url URL`. */
export function analyzeCommand(o: CommandOptions<'analyze'>, _positionals: string[], out: Output): Promise<Outcome> {
  const report = { json: o.json, failOnDivergence: o['fail-on-divergence'], quiet: o.quiet };
  if (o.source === 'prometheus') {
    // The table's check guarantees a URL for this source.
    const url = o.url!;
    return analyzeFromPrometheus({ config: o.config, url, window: o.window, end: o.end, metric: o.metric, metricUnit: o['metric-unit'], metricPrefix: o['metric-prefix'], runtimeLabel: o['runtime-label'], service: o.service, primary: o.primary, candidate: o.candidate, ...report }, out);
  }
  if (o.source === 'parquet') {
    if (_positionals.length !== 1) throw usageError('analyze --source parquet needs one GLOB', 'e.g. gauntlet analyze --source parquet \'runs/run=*/date=*/*.parquet\'');
    return analyzeParquet({ config: o.config, glob: _positionals[0]!, run: o.run, ...report }, out);
  }
  return analyzeStoredRun({ config: o.config, store: o.store, run: o.run!, ...report }, out);
}

export function runsCommand(o: CommandOptions<'runs'>, _positionals: string[], out: Output): Promise<Outcome> {
  return listRuns({ config: o.config, store: o.store }, out);
}
