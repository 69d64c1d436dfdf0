/** `parity`, `analyze --run` and `runs`: send cases and judge from the store; re-judge a stored run; list runs. */
import { buildParityReport, waitForRunToSettle, type ParityReport } from '../analyze/index.ts';
import { withEachStore, type StoredSpan } from '../collect/index.ts';
import { withoutSmokeTraces } from '../analyze/trace-assert-smoke.ts';
import { readStoredRun, type GateResult, type LabelledFinding } from '../gate/index.ts';
import { renderTraceTerminal } from '../report/trace-view.ts';
import { spansOfDriver } from './run-spans.ts';
import { judgePairs, reportJson } from './judge-pairs.ts';
import { ATTR_GAUNTLET_DRIVER, ATTR_GAUNTLET_RUN_COMMAND, ATTR_GAUNTLET_RUN_OUTCOME, SPAN_RUN_START } from '../contract/attributes.ts';
import { readParityCases, type LoadedConfig } from '../config/index.ts';
import { runParityPhase } from '../drive/index.ts';
import { pickStyle, renderParity } from '../report/terminal.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';
import { openSession } from './session.ts';
import { progressReporter } from './progress.ts';

/** How a parity report is written and printed, and whether a divergence fails. */
export interface ParityReportOptions {
  json?: string | undefined;
  failOnDivergence: boolean;
  quiet: boolean;
}

/**
 * A parity report as `parity` and `analyze --run` both print it: the pairs' report plus the trace
 * findings judged from the same spans (what each runtime did inside its requests).
 */
async function emit(report: ParityReport, trace: readonly LabelledFinding[], gate: GateResult | undefined, o: ParityReportOptions, out: Output): Promise<Outcome> {
  // `--json -`: the report on stdout, alone (a pipe into jq gets JSON and nothing else).
  if (o.json === '-') {
    out.stdout.write(reportJson({ report, trace }));
    return outcomeOf(report, trace, o);
  }
  await writeJson({ report, trace }, o);
  const st = pickStyle(out.stdout);
  if (o.quiet) out.stdout.write(report.services.map((s) => s.summary).join('\n') + '\n');
  else {
    out.stdout.write(renderParity(report, st));
    if (gate && trace.length) out.stdout.write(renderTraceTerminal(gate, st).join('\n') + '\n');
  }
  return outcomeOf(report, trace, o);
}

const outcomeOf = (report: ParityReport, trace: readonly LabelledFinding[], o: ParityReportOptions): Outcome => (o.failOnDivergence && report.findings.length + trace.length > 0 ? 'failed' : 'ok');

async function writeJson(j: { report: ParityReport; trace: readonly LabelledFinding[] }, o: ParityReportOptions): Promise<void> {
  if (o.json !== undefined) await writeFileAtomic(o.json, reportJson(j));
}


function progress(out: Output): (done: number, total: number) => void {
  const p = progressReporter(out);
  return (done, total) => (done === total ? p.done() : p.update(`  parity: ${done}/${total} pairs`));
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
      onPair,
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
  const judged = await judgePairs(runId, spans, loaded);
  const outcome = await emit(judged.report, judged.trace, judged.gate, input, out);
  return interrupted ? 'interrupted' : outcome;
}

/**
 * Storeless of everything but the store: a fresh process re-judges a stored run. A `gauntlet run`
 * (several drivers in one run) gets its sections as the run printed them: the parity section is
 * the same, line for line; smoke checks and the load engine's samples are not parity pairs.
 */
export async function analyzeStoredRun(input: Sources & ParityReportOptions & { run: string }, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const storePath = input.store ?? storePathOf(loaded, undefined);
  const stored = await readStoredRun(storePath, input.run, loaded);
  const judged = await judgePairs(input.run, stored.spans, loaded);
  const drivers = new Set(stored.spans.map((s) => s.attributes[ATTR_GAUNTLET_DRIVER]).filter((d): d is string => d === 'parity' || d === 'replay'));
  if (drivers.size > 1 && !input.quiet) {
    const st = pickStyle(out.stdout);
    for (const u of judged.report.unfinished ?? []) out.stdout.write(st.red(st.bold(`INCOMPLETE: ${u}`)) + '\n');
    const pairs = withoutSmokeTraces(stored.spans);
    for (const driver of ['parity', 'replay']) {
      out.stdout.write(st.bold(driver === 'parity' ? 'Parity' : 'Replay') + '\n' + renderParity(buildParityReport(input.run, spansOfDriver(pairs, driver)), st) + '\n');
    }
    if (judged.trace.length) out.stdout.write(renderTraceTerminal(judged.gate, st).join('\n') + '\n');
    await writeJson(judged, input);
    return outcomeOf(judged.report, judged.trace, input);
  }
  return emit(judged.report, judged.trace, judged.gate, input, out);
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
