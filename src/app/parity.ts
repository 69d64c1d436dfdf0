/** `parity`, `analyze --run` and `runs`: send cases and judge from the store; re-judge a stored run; list runs. */
import { buildParityReport, waitForRunToSettle, type ParityReport } from '../analyze/index.ts';
import { findRunSpans, withEachStore, type StoredSpan } from '../collect/index.ts';
import { ATTR_GAUNTLET_RUN_COMMAND, ATTR_GAUNTLET_RUN_OUTCOME, SPAN_RUN_START } from '../contract/attributes.ts';
import { readParityCases, type LoadedConfig } from '../config/index.ts';
import { runParityPhase } from '../drive/index.ts';
import { pickStyle, renderParity } from '../report/terminal.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';
import { openSession } from './session.ts';

/** How a parity report is written and printed, and whether a divergence fails. */
export interface ParityReportOptions {
  json?: string | undefined;
  failOnDivergence: boolean;
  quiet: boolean;
}

async function emit(report: ParityReport, o: ParityReportOptions, out: Output): Promise<Outcome> {
  if (o.json !== undefined) await writeFileAtomic(o.json, JSON.stringify(report, null, 2) + '\n');
  if (o.quiet) out.stdout.write(report.services.map((s) => s.summary).join('\n') + '\n');
  else out.stdout.write(renderParity(report, pickStyle(out.stdout)));
  return o.failOnDivergence && report.findings.length > 0 ? 'failed' : 'ok';
}

function progress(out: Output): ((done: number, total: number) => void) | undefined {
  if (!out.stderr.isTTY) return undefined;
  return (done, total) => {
    out.stderr.write(`\r  parity: ${done}/${total} pairs`);
    if (done === total) out.stderr.write('\r\u001b[K');
  };
}

/**
 * Start what the config asks for, send the cases, wait for the runtimes' spans, and hand back only
 * the run id and its spans as the store holds them — the judgement happens from those alone.
 */
async function executeParityRun(
  loaded: LoadedConfig,
  input: { caseFiles: readonly string[]; store?: string | undefined; repeat?: number | undefined },
  out: Output,
): Promise<{ runId: string; spans: StoredSpan[]; interrupted: boolean }> {
  const caseFiles = await readParityCases(loaded, [...input.caseFiles]);
  const session = await openSession(loaded, {
    services: new Set(caseFiles.map((c) => c.cases.service)),
    lifecycle: { command: 'parity', phases: ['parity'] },
    ...(input.store !== undefined ? { storePath: input.store } : {}),
  });
  try {
    const onPair = progress(out);
    await runParityPhase(session, caseFiles, loaded, {
      signal: out.signal,
      ...(onPair ? { onPair } : {}),
      ...(input.repeat !== undefined ? { repeat: input.repeat } : {}),
    });
    // Interrupted: stop sending, but still flush and judge what was sent — a partial report marked
    // incomplete is worth more than none, and the caller exits 130.
    const interrupted = out.signal.aborted;
    await session.finish(interrupted ? 'interrupted' : 'complete');
    await session.telemetry.flush(interrupted ? 2_000 : undefined);
    await waitForRunToSettle(session.store, session.runId);
    const stats = session.receiver.stats();
    if (stats.spansAccepted !== stats.spansStored) {
      out.stderr.write(`warning: receiver accepted ${stats.spansAccepted} spans but stored ${stats.spansStored}\n`);
    }
    const lost = session.telemetry.spansFailed();
    if (lost > 0) out.stderr.write(`warning: ${lost} spans could not be delivered to the collector (see ${JSON.stringify(session.telemetry.spool())})\n`);
    return { runId: session.runId, spans: await session.store.spansForRun(session.runId), interrupted };
  } finally {
    await session.close();
  }
}

export interface ParityInput extends Sources, ParityReportOptions {
  /** Case files; empty: parity.cases of the config. */
  caseFiles: readonly string[];
  repeat?: number | undefined;
}

/** The probe alone — per-case table, classified findings, summary line. */
export async function runParity(input: ParityInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const { runId, spans, interrupted } = await executeParityRun(loaded, input, out);
  // Judged from the store alone — the same call `gauntlet analyze --run` makes.
  const outcome = await emit(buildParityReport(runId, spans), input, out);
  return interrupted ? 'interrupted' : outcome;
}

/** Storeless of everything but the store: a fresh process re-judges a stored run. */
export async function analyzeStoredRun(input: Sources & ParityReportOptions & { run: string }, out: Output): Promise<Outcome> {
  const storePath = input.store ?? storePathOf(await loadSources(input), undefined);
  return emit(buildParityReport(input.run, await findRunSpans(storePath, input.run)), input, out);
}

/** One line per stored run: what ran, whether it finished (from its lifecycle records), when, how big. */
export async function listRuns(input: Sources, out: Output): Promise<Outcome> {
  const storePath = input.store ?? storePathOf(await loadSources(input), undefined);
  const rows: string[][] = [];
  const { locked } = await withEachStore(storePath, async (store, file) => {
    const records = new Map<string, { start?: Record<string, unknown>; end?: Record<string, unknown> }>();
    for (const r of await store.lifecycleRecords()) {
      const entry = records.get(r.runId) ?? {};
      if (r.name === SPAN_RUN_START) entry.start = r.attributes;
      else entry.end = r.attributes;
      records.set(r.runId, entry);
    }
    for (const r of await store.listRuns()) {
      const life = records.get(r.runId);
      const command = String(life?.start?.[ATTR_GAUNTLET_RUN_COMMAND] ?? r.driver ?? '-');
      const status = !life ? '-' : !life.end ? 'INCOMPLETE (never finished)' : String(life.end[ATTR_GAUNTLET_RUN_OUTCOME] ?? 'failed') === 'complete' ? 'complete' : `INCOMPLETE (${String(life.end[ATTR_GAUNTLET_RUN_OUTCOME])})`;
      rows.push([r.runId, command, status, new Date(Number(r.firstNs / 1_000_000n)).toISOString(), `${r.spans}`, file]);
    }
    return undefined;
  });
  if (rows.length === 0) out.stdout.write(`no runs in ${storePath}\n`);
  else {
    const table = [['RUN', 'COMMAND', 'STATUS', 'STARTED', 'SPANS', 'STORE'], ...rows];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) out.stdout.write(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n');
  }
  for (const file of locked) out.stderr.write(`note: ${file} is in use by another gauntlet process; its runs are not listed\n`);
  return 'ok';
}
