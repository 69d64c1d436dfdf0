/**
 * `ingest k6 FILE…`: each file (NDJSON from `--out json`, or a summary from `--summary-export` /
 * handleSummary) becomes a load run in the store, reported like one of the engine's — same report,
 * same thresholds, same latency judge (when there are samples to judge).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadReportFromStore } from '../analyze/index.ts';
import { openStoreForRun } from '../collect/index.ts';
import { importK6Json } from '../collect/load/k6-json.ts';
import { importK6Summary, looksLikeSummary, type K6Import } from '../collect/load/k6-summary.ts';
import { newRunId } from '../drive/run-id.ts';
import { judgeOptionsOf } from '../gate/index.ts';
import { renderLoadReport } from '../report/load-render.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';

/** Small files are sniffed whole; NDJSON can be gigabytes and is streamed. */
const SNIFF_LIMIT = 64 * 1024 * 1024;

export interface IngestK6Input extends Sources {
  files: readonly string[];
  service?: string | undefined;
  /** [A, B]; absent: from the data, or the stack's primary and candidate of `service`. */
  runtimes?: readonly string[] | undefined;
  json?: string | undefined;
  quiet: boolean;
}

export async function ingestK6(input: IngestK6Input, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const cfg = loaded.config;
  const { service } = input;
  const asked = input.runtimes ? [...input.runtimes] : undefined;
  if (asked && asked.length !== 2) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `runtimes takes two names, A,B (got "${asked.join(',')}")`, { path: '--runtimes' });
  const storePath = storePathOf(loaded, input.store);
  let outcome: Outcome = 'ok';
  for (const rel of input.files) {
    const file = resolve(process.cwd(), rel);
    const runId = newRunId();
    const stack = service ? cfg.stack.services[service] : undefined;
    const opts = { runId, service, runtimes: asked, stackRuntimes: stack ? [stack.primary, stack.candidate] : undefined, scale: cfg.load.histogramScale };
    const text = await readSmall(file);
    const imported: K6Import = text !== undefined && looksLikeSummary(text) ? await importK6Summary(file, opts, text) : await importK6Json(file, opts);
    const { store } = await openStoreForRun(storePath, runId);
    try {
      await store.insertMetrics(imported.points);
      await store.insert([imported.span]);
      const report = await loadReportFromStore(store, runId, judgeOptionsOf(cfg));
      if (input.json !== undefined) await writeFileAtomic(input.json, JSON.stringify(report, null, 2) + '\n');
      out.stdout.write(`ingested ${rel} as run ${runId} (${imported.points.length} metric points)\n`);
      if (!input.quiet) out.stdout.write(renderLoadReport(report));
      if (report.thresholdsFailed > 0) outcome = 'failed';
    } finally {
      await store.close();
    }
  }
  return outcome;
}

async function readSmall(file: string): Promise<string | undefined> {
  let buf: Buffer;
  try {
    if ((await stat(file)).size > SNIFF_LIMIT) return undefined;
    buf = await readFile(file);
  } catch (err) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot read k6 output: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) return undefined;
  return buf.toString('utf8');
}
