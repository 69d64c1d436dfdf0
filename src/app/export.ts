/**
 * Runs as files any engine can read: `gauntlet export --run ID --format parquet DIR` and
 * `gauntlet analyze --source parquet GLOB` (docs/scale.md). The export is the run as the store
 * family holds it (every shard): its spans (`data_<n>.parquet`) and metric points — a load run's
 * engine points — (`metrics_<n>.parquet`), written by DuckDB's own Parquet writer; the analysis loads the
 * files into a scratch store and re-judges through the same call as `analyze --run`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SpanStore, runNotFound, withEachStore } from '../collect/index.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';
import { gateStoredRun, type GateInput } from './gate.ts';
import { analyzeStoredRun, type ParityReportOptions } from './parity.ts';

export interface ExportInput extends Sources {
  run: string;
  format: 'parquet';
  dir: string;
}

/**
 * `<dir>/run=<id>/date=<day>/data_0.parquet`. Written into a temp directory inside `dir`, then
 * renamed into place: a reader never sees half a run, and a re-export replaces the old one whole.
 */
export async function exportRun(input: ExportInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const storePath = storePathOf(loaded, input.store);
  const scratch = await SpanStore.open(':memory:');
  const dir = resolve(input.dir);
  const tmp = join(dir, `.export-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    let found = 0;
    const { locked } = await withEachStore(storePath, async (store) => {
      const spans = await store.spansForRun(input.run);
      if (spans.length) found += await scratch.insert(spans);
      // A load run's engine points live in the metrics table: they travel with the spans.
      const points = await store.metricsForRun(input.run);
      if (points.length) await scratch.insertMetrics(points);
      return undefined; // every file of the family: shards each hold part of the run
    });
    if (!found) throw runNotFound(storePath, input.run, locked);
    await mkdir(dir, { recursive: true });
    const { spans, metricPoints, date } = await scratch.exportRunParquet(input.run, tmp);
    const target = join(dir, `run=${input.run}`);
    const old = `${tmp}-old`;
    const hadOld = await stat(target).then(() => true, () => false);
    if (hadOld) await rename(target, old);
    await rename(join(tmp, `run=${input.run}`), target);
    if (hadOld) await rm(old, { recursive: true, force: true });
    out.stdout.write(`exported ${spans} spans${metricPoints ? ` and ${metricPoints} metric points` : ''} of ${input.run} → ${join(target, `date=${date}`)}/ (parquet)\n`);
    for (const f of locked) out.stderr.write(`note: ${f} is in use by another gauntlet process; its spans (if any) are not in the export\n`);
    return 'ok';
  } finally {
    await scratch.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The Parquet files under `glob` loaded into a scratch store file, then `fn` on it — so the files are
 * judged by exactly the code that judges a store. The scratch store is deleted afterwards.
 */
async function withParquetStore<T>(glob: string, run: string | undefined, fn: (file: string, run: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(tmpdir(), 'gauntlet-parquet-'));
  const file = join(work, 'store.duckdb');
  try {
    const store = await SpanStore.open(file);
    try {
      const n = await store.importParquet(glob);
      if (!n) throw new GauntletError('GAUNTLET_INPUT_INVALID', `no spans in ${glob}`, { file: glob, hint: 'the glob must match Parquet files written by `gauntlet export --format parquet`' });
      if (!run) {
        const runs = (await store.listRuns()).map((r) => r.runId);
        if (runs.length !== 1) {
          throw new GauntletError('GAUNTLET_USAGE', `${glob} holds ${runs.length} runs (${runs.slice(0, 5).join(', ')}${runs.length > 5 ? ', …' : ''}): say which with --run ID`, { file: glob });
        }
        run = runs[0]!;
      }
    } finally {
      await store.close();
    }
    return await fn(file, run);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `analyze --source parquet GLOB [--run ID]`: the same judgement as `analyze --run` on the run's stored spans. */
export function analyzeParquet(input: Sources & ParityReportOptions & { glob: string; run?: string | undefined }, out: Output): Promise<Outcome> {
  return withParquetStore(input.glob, input.run, (file, run) =>
    analyzeStoredRun({ config: input.config, store: file, run, json: input.json, failOnDivergence: input.failOnDivergence, quiet: input.quiet }, out),
  );
}

/** `gate --source parquet GLOB --run ID`: the gate of an exported run, as `gate --run` gives it from the store. */
export function gateParquet(input: GateInput & { glob: string }, out: Output): Promise<Outcome> {
  return withParquetStore(input.glob, input.run, (file, run) => gateStoredRun({ ...input, store: file, run }, out));
}
