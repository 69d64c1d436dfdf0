/**
 * `ingest k6 [FILE…] [--runtime NAME FILE…]…`: NDJSON from `--out json`, or summaries from
 * `--summary-export` / handleSummary, become one load run in the store, reported like one of the engine's — same report,
 * same thresholds, same latency judge (when there are samples to judge).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadReportFromStore } from '../analyze/index.ts';
import { openStoreForRun, withEachStore, type StoredMetricPoint } from '../collect/index.ts';
import { importK6Otlp } from '../collect/load/k6-otlp.ts';
import { importK6Json } from '../collect/load/k6-json.ts';
import { importK6Summaries, looksLikeSummary, type K6Import } from '../collect/load/k6-summary.ts';
import { newRunId } from '../drive/run-id.ts';
import { judgeOptionsOf } from '../gate/index.ts';
import { renderLoadReport } from '../report/load-render.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';

/** Small files are sniffed whole; NDJSON can be gigabytes and is streamed. */
const SNIFF_LIMIT = 64 * 1024 * 1024;

export interface IngestK6Input extends Sources {
  /** Files whose samples carry a `runtime` tag (the scripts in load/k6). */
  files: readonly string[];
  /** Files of plain runs, by the runtime they measured (`--runtime rust a.json b.json`). */
  byRuntime?: ReadonlyArray<{ runtime: string; files: readonly string[] }> | undefined;
  /** Instead of files: k6 `--out opentelemetry` points the receiver stored under this run id. */
  otlpRun?: string | undefined;
  service?: string | undefined;
  /** [A, B]; absent: from the data, or the stack's primary and candidate of `service`. */
  runtimes?: readonly string[] | undefined;
  json?: string | undefined;
  quiet: boolean;
}

/**
 * All files of one invocation become ONE load run: several runners' --out json files merge sample by
 * sample (exactly), and summaries (one per runtime) sit side by side.
 */
export async function ingestK6(input: IngestK6Input, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const cfg = loaded.config;
  const { service } = input;
  const groups = input.byRuntime ?? [];
  let asked = input.runtimes ? [...input.runtimes] : undefined;
  if (asked && asked.length !== 2) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `runtimes takes two names, A,B (got "${asked.join(',')}")`, { path: '--runtimes' });
  for (const g of groups) if (g.files.length === 0) throw new GauntletError('GAUNTLET_USAGE', `--runtime ${g.runtime} names no file`, { hint: 'gauntlet ingest k6 --runtime rust a.json [b.json…] --runtime go c.json [d.json…]' });
  const distinct = [...new Set(groups.map((g) => g.runtime))];
  // The order the runtimes were given in is the report order [A, B] unless --runtimes says otherwise.
  if (!asked && distinct.length === 2) asked = distinct;
  if (input.otlpRun !== undefined) return ingestOtlp(input, input.otlpRun, asked, out);
  const inputs = [...input.files.map((f) => ({ rel: f, runtime: undefined as string | undefined })), ...groups.flatMap((g) => g.files.map((f) => ({ rel: f, runtime: g.runtime })))];
  if (inputs.length === 0) throw new GauntletError('GAUNTLET_USAGE', 'ingest k6 needs at least one file');
  const storePath = storePathOf(loaded, input.store);
  const runId = newRunId();
  const stack = service ? cfg.stack.services[service] : undefined;
  const opts = { runId, service, runtimes: asked, stackRuntimes: stack ? [stack.primary, stack.candidate] : undefined, scale: cfg.load.histogramScale, runtimeByHost: hostsOf(stack) };
  const sniffed = [];
  for (const i of inputs) {
    const file = resolve(process.cwd(), i.rel);
    const text = await readSmall(file);
    sniffed.push({ ...i, file, text, summary: text !== undefined && looksLikeSummary(text) });
  }
  const summaries = sniffed.filter((s) => s.summary);
  if (summaries.length > 0 && summaries.length < sniffed.length) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `${summaries[0]!.rel} is an end-of-test summary and ${sniffed.find((s) => !s.summary)!.rel} is --out json output: one run is ingested from one kind`, {
      hint: 'ingest the --out json files (exact distributions) and leave the summaries out',
    });
  }
  const imported: K6Import =
    summaries.length > 0
      ? await importK6Summaries(sniffed.map((s) => ({ file: s.file, runtime: s.runtime, text: s.text! })), opts)
      : await importK6Json(sniffed.map((s) => ({ file: s.file, runtime: s.runtime })), opts);
  return storeImport(imported, loaded, storePath, inputs.map((i) => i.rel), input, out);
}

/** k6 --out opentelemetry points already in the store (any file of its family) → a new load run. */
async function ingestOtlp(input: IngestK6Input, otlpRun: string, asked: string[] | undefined, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const cfg = loaded.config;
  const storePath = storePathOf(loaded, input.store);
  const stored: StoredMetricPoint[] = [];
  await withEachStore(storePath, async (store) => {
    stored.push(...(await store.metricsForRun(otlpRun)));
    return undefined;
  });
  const stack = input.service ? cfg.stack.services[input.service] : undefined;
  const runId = newRunId();
  const imported = importK6Otlp(stored, `run ${otlpRun} of ${storePath}`, { runId, service: input.service, runtimes: asked, stackRuntimes: stack ? [stack.primary, stack.candidate] : undefined, scale: cfg.load.histogramScale, runtimeByHost: hostsOf(stack) });
  return storeImport(imported, loaded, storePath, [`k6 OTLP run ${otlpRun}`], input, out);
}

async function storeImport(imported: K6Import, loaded: Awaited<ReturnType<typeof loadSources>>, storePath: string, names: readonly string[], input: IngestK6Input, out: Output): Promise<Outcome> {
  const cfg = loaded.config;
  const { runId } = imported;
  const { store } = await openStoreForRun(storePath, runId);
  try {
    await store.insertMetrics(imported.points);
    await store.insert([imported.span]);
    const report = await loadReportFromStore(store, runId, judgeOptionsOf(cfg));
    if (input.json !== undefined) await writeFileAtomic(input.json, JSON.stringify(report, null, 2) + '\n');
    out.stdout.write(`ingested ${names.length === 1 ? names[0] : `${names.length} files`} as run ${runId} (${imported.points.length} metric points)\n`);
    if (!input.quiet) out.stdout.write(renderLoadReport(report));
    return report.thresholdsFailed > 0 ? 'failed' : 'ok';
  } finally {
    await store.close();
  }
}

/** The stack's runtime URLs of the service, by host:port: untagged k6 samples are attributed by where they went. */
function hostsOf(stack: { runtimes: Record<string, { url?: string | undefined }> } | undefined): Map<string, string> | undefined {
  if (!stack) return undefined;
  const byHost = new Map<string, string>();
  for (const [name, rt] of Object.entries(stack.runtimes)) {
    if (!rt.url) continue;
    try {
      byHost.set(new URL(rt.url).host, name);
    } catch {
      // an invalid URL is the config loader's to report
    }
  }
  return byHost.size ? byHost : undefined;
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
