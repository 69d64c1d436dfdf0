import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openStoreForRun } from '../../collect/index.ts';
import { loadConfig, resolveFrom } from '../../config/index.ts';
import { loadReportFromStore } from '../../analyze/index.ts';
import { renderLoadReport } from '../../report/load-render.ts';
import { importK6Json } from '../../collect/load/k6-json.ts';
import { importK6Summary, looksLikeSummary, type K6Import } from '../../collect/load/k6-summary.ts';
import { newRunId } from '../../drive/run-id.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import { judgeOptionsOf } from './load.ts';
import type { CommandContext } from './parity.ts';

/** Small files are sniffed whole; NDJSON can be gigabytes and is streamed. */
const SNIFF_LIMIT = 64 * 1024 * 1024;

/**
 * `gauntlet ingest k6 FILE…`: each file (NDJSON from `--out json`, or a summary from
 * `--summary-export` / handleSummary) becomes a load run in the store, reported like one of the
 * engine's — same report, same thresholds, same latency judge (when there are samples to judge).
 */
export async function ingestCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const cfg = loaded.config;
  const service = typeof cli.options.service === 'string' ? cli.options.service : undefined;
  const asked = typeof cli.options.runtimes === 'string' ? cli.options.runtimes.split(',').map((r) => r.trim()).filter(Boolean) : undefined;
  if (asked && asked.length !== 2) throw new GauntletError('GAUNTLET_USAGE', `--runtimes takes two names, A,B (got "${String(cli.options.runtimes)}")`);
  const storePath = typeof cli.options.store === 'string' ? cli.options.store : resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), cfg.store.path);
  let status = 0;
  for (const rel of cli.positionals.slice(1)) {
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
      if (typeof cli.options.json === 'string') await writeFileAtomic(cli.options.json, JSON.stringify(report, null, 2) + '\n');
      ctx.stdout.write(`ingested ${rel} as run ${runId} (${imported.points.length} metric points)\n`);
      if (!cli.options.quiet) ctx.stdout.write(renderLoadReport(report));
      if (report.thresholdsFailed > 0) status = 1;
    } finally {
      await store.close();
    }
  }
  return status;
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
