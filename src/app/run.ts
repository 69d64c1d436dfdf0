/**
 * `run` (npm start): the whole gauntlet in one use-case — smoke chain → parity probes → replay of
 * recordings → a short A/B load comparison → analysis from the store → gate → reports, each phase
 * timed. All phases share one run id, so `gauntlet gate --run ID` re-judges everything later.
 */
import { join } from 'node:path';
import { buildParityReport, loadReportFromStore, waitForRunToSettle } from '../analyze/index.ts';
import { withoutSmokeTraces } from '../analyze/trace-assert-smoke.ts';
import type { StoredSpan } from '../collect/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import { ATTR_GAUNTLET_DRIVER } from '../contract/index.ts';
import { readParityCases, readSmokeSuites, resolveFrom, type LoadedCases, type LoadedConfig, type Phase, type SmokePlan } from '../config/index.ts';
import { runParityPhase } from '../drive/index.ts';
import { pacingFromOptions } from '../drive/pacing.ts';
import { runReplayPhase, type ReplayPlan } from '../drive/replay.ts';
import { openReplay, type OpenedReplay } from './replay-input.ts';
import { spansOfDriver } from './run-spans.ts';
import { runSmokePhase } from '../drive/smoke/index.ts';
import { assessmentLine, judgeOptionsOf, judgeWholeRun } from '../gate/index.ts';
import { renderLoadSummary } from '../report/load-terminal.ts';
import { createBatchMetrics } from '../report/metrics-batch.ts';
import { renderSmokeJUnit } from '../report/smoke-junit.ts';
import { renderSkipped, renderSmoke } from '../report/smoke-terminal.ts';
import { renderTailsWarning, unjudgedTails } from '../report/tails.ts';
import { pickStyle, renderGate, renderParity, type TerminalStyle } from '../report/terminal.ts';
import { writeFileSet } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { loadProgress } from './load.ts';
import { liveLoadMetrics, prepareLoad, runLoadPhase, type LoadInput } from './load-phase.ts';
import { given, loadSources, type Outcome, type Output, type Sources } from './output.ts';
import { gateOutcome, plannedGateOutputs, type ReportFiles } from './reports.ts';
import { openSession } from './session.ts';

export interface RunInput extends Sources {
  /** Keep only these of the configured phases (absent: all of them). */
  phases?: readonly Phase[] | undefined;
  /** Drop these. */
  skip?: readonly Phase[] | undefined;
  repeat?: number | undefined;
  ledger?: string | undefined;
  baseline?: string | undefined;
  /** Report files; absent ones are written under `reportsDir/RUN` with their default names. */
  files: ReportFiles;
  /** Absent: reports.dir of the config. */
  reportsDir?: string | undefined;
  pushgateway?: string | undefined;
  /** The load phase may target non-loopback runtimes. */
  allowRemote?: boolean | undefined;
  quiet: boolean;
}

/** `only` keeps those of the configured phases; `skip` drops. */
export function selectPhases(configured: readonly Phase[], only: readonly Phase[] | undefined, skip: readonly Phase[] | undefined): Phase[] {
  const drop = new Set(skip ?? []);
  return configured.filter((p) => (!only || only.includes(p)) && !drop.has(p));
}

async function loadReplayInput(loaded: LoadedConfig): Promise<OpenedReplay | undefined> {
  const cfg = loaded.config;
  const files = cfg.run.replay.recordings.map((f) => resolveFrom(loaded.baseDir, f));
  if (files.length === 0) return undefined;
  return openReplay(files, loaded, { limit: cfg.run.replay.limit ?? cfg.replay.maxExchanges, allowUnsafe: false, hint: 'add it under stack.services or drop the recording from run.replay.recordings' });
}


/** The load phase's scenario file, read and checked up front; absent from the config = the phase is skipped with a note. */
async function loadLoadInput(loaded: LoadedConfig, notes: string[], allowRemote?: boolean): Promise<LoadInput | undefined> {
  const file = loaded.config.run.load.scenarios;
  if (file === undefined) {
    notes.push('load: no scenario file configured (run.load.scenarios) — the load phase was skipped');
    return undefined;
  }
  return prepareLoad(loaded, resolveFrom(loaded.baseDir, file), { allowRemote });
}

function replaySummary(report: ReturnType<typeof buildParityReport>, plan: ReplayPlan, st: TerminalStyle): string {
  const skipped = Object.entries(plan.skippedUnsafe).map(([k, n]) => `${n}× ${k}`).join(', ');
  const lines = report.services.map((s) => `  ${s.service}: ${s.pairs} recorded requests replayed · ${s.identical}/${s.cases} entries identical · ${s.summary}`);
  const classes = [...new Set(report.findings.map((f) => `${f.class} (${f.route})`))];
  return [
    st.bold('Replay'),
    ...lines,
    ...(classes.length ? [`  divergences: ${classes.join(', ')}`] : []),
    ...(skipped ? [st.dim(`  not replayed (unsafe method, route not marked safe): ${skipped}`)] : []),
    '',
  ].join('\n');
}

/** A `failed` outcome comes only from the gate; bad input throws; a signal gives `interrupted`. */
export async function runGauntlet(input: RunInput, out: Output): Promise<Outcome> {
  const started = performance.now();
  const loaded = await loadSources(input);
  const cfg = loaded.config;
  const phases = selectPhases(cfg.run.phases, input.phases, input.skip);
  const st = pickStyle(out.stdout);

  // Every input is read and validated before anything is started: bad input costs nothing.
  const smokePlan: SmokePlan | undefined = phases.includes('smoke') && cfg.smoke.suites.length ? await readSmokeSuites(loaded) : undefined;
  const caseFiles: LoadedCases[] = phases.includes('parity') && cfg.parity.cases.length ? await readParityCases(loaded) : [];
  const replay = phases.includes('replay') ? await loadReplayInput(loaded) : undefined;
  const notes: string[] = [];
  const load = phases.includes('load') ? await loadLoadInput(loaded, notes, input.allowRemote) : undefined;
  const services = new Set<string>([
    ...(smokePlan?.suites.map((s) => s.suite.service) ?? []),
    ...caseFiles.map((c) => c.cases.service),
    ...(replay ? [replay.service] : []),
    ...(load ? [load.plan.service] : []),
  ]);
  if (services.size === 0) throw new GauntletError('GAUNTLET_NOTHING_TO_RUN', 'nothing to run: no phase has anything configured', { hint: 'configure smoke.suites, parity.cases, run.replay.recordings or run.load.scenarios' });

  const metrics = createBatchMetrics(input.pushgateway, cfg.metrics);
  const session = await openSession(loaded, { services, lifecycle: { command: 'run', phases }, ...(input.store !== undefined ? { storePath: input.store } : {}) }).catch(async (err: unknown) => {
    await replay?.close();
    throw err;
  });
  const timings: Array<[string, number]> = [];
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings.push([name, performance.now() - t]);
    }
  };
  let spans: StoredSpan[];
  let loadReport: LoadReport | undefined;
  let loadJudgeMs = 0;
  let interrupted = false;
  try {
    timings.push(['start-up', performance.now() - started]);
    if (smokePlan && !out.signal.aborted) await timed('smoke', () => runSmokePhase(session, smokePlan.suites, loaded, { signal: out.signal }));
    if (caseFiles.length && !out.signal.aborted) {
      await timed('parity', () =>
        runParityPhase(session, caseFiles, loaded, {
          signal: out.signal,
          ...(input.repeat !== undefined ? { repeat: input.repeat } : {}),
          ...(metrics ? { subscribers: metrics.subscribers } : {}),
        }),
      );
    }
    if (replay && !out.signal.aborted) {
      await timed('replay', () =>
        runReplayPhase(session, cfg, {
          service: replay.service,
          plan: replay.plan,
          pacing: pacingFromOptions({ speed: cfg.run.replay.speed, fast: cfg.run.replay.speed === undefined }),
          concurrency: cfg.run.replay.concurrency,
          maxDurationMs: cfg.replay.maxDurationMs,
          recordings: replay.files,
          signal: out.signal,
        }),
      );
    }
    let loadRan = false;
    let live: ReturnType<typeof liveLoadMetrics>;
    if (load && !out.signal.aborted) {
      const onProgress = loadProgress(out);
      live = liveLoadMetrics(input.pushgateway ?? cfg.metrics.pushgateway, cfg.metrics);
      await timed('load', () => runLoadPhase(session, load, { signal: out.signal, onProgress, ...(live ? { live } : {}) }));
      onProgress.done();
      loadRan = true;
    }
    interrupted = out.signal.aborted;
    // The run's end is on record before it is read back: a run killed before this line is incomplete.
    await session.finish(interrupted ? 'interrupted' : 'complete');
    spans = await timed('telemetry', async () => {
      await session.telemetry.flush(interrupted ? 2_000 : undefined);
      await waitForRunToSettle(session.store, session.runId);
      const lost = session.telemetry.spansFailed();
      if (lost > 0) out.stderr.write(`warning: ${lost} spans could not be delivered to the collector\n`);
      return session.store.spansForRun(session.runId);
    });
    if (loadRan) {
      // Judged from the store alone, as `gauntlet load --run` does; its time counts as analysis.
      const t = performance.now();
      loadReport = await loadReportFromStore(session.store, session.runId, judgeOptionsOf(cfg));
      loadJudgeMs = performance.now() - t;
      await live?.thresholds(loadReport);
    }
  } finally {
    await replay?.close();
    await session.close();
  }
  for (const w of replay?.skippedWarnings() ?? []) out.stderr.write(`warning: ${w}\n`);
  const runId = session.runId;

  // Judgement, from the stored spans only.
  const t = performance.now();
  // One judgement for the run and for `gauntlet gate --run` later: pairs, smoke checks, load.
  const judged = await judgeWholeRun(runId, spans, loaded, {
    ...given({ ledger: input.ledger, baseline: input.baseline }),
    ...(loadReport ? { load: loadReport } : {}),
  });
  const { smoke, gate } = judged;
  const pairSpans = smoke ? withoutSmokeTraces(spans) : spans;
  const parityReport = caseFiles.length ? buildParityReport(runId, spansOfDriver(pairSpans, 'parity')) : undefined;
  const replayReport = replay ? buildParityReport(runId, spansOfDriver(pairSpans, 'replay')) : undefined;
  timings.push(['analysis + gate', performance.now() - t + loadJudgeMs]);

  const base = input.reportsDir ?? resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), cfg.reports.dir);
  const dir = join(base, runId);
  // Every report of the run as one set, written after the verdict is on the terminal: a full disk
  // costs the files (named in the error, nothing partial left), never the verdict or the run id.
  const planned = plannedGateOutputs(judged, input.files, { dir, ...(loadReport ? { load: loadReport } : {}) });
  if (smoke) {
    planned.push(
      { path: join(dir, 'smoke.json'), data: () => JSON.stringify({ ...smoke, skipped: smokePlan!.skipped }, null, 2) + '\n' },
      { path: join(dir, 'smoke-junit.xml'), data: () => renderSmokeJUnit(smoke, smokePlan!.skipped) },
    );
  }
  if (smoke) {
    out.stdout.write(st.bold('Smoke chain') + '\n' + renderSkipped(smokePlan!.skipped, st) + renderSmoke(smoke, st, { failuresOnly: input.quiet }) + '\n');
  }
  if (parityReport && !input.quiet) out.stdout.write(st.bold('Parity') + '\n' + renderParity(parityReport, st) + '\n');
  else if (parityReport) out.stdout.write(parityReport.services.map((s) => `parity ${s.service}: ${s.summary}`).join('\n') + '\n');
  if (replayReport && replay) out.stdout.write(replaySummary(replayReport, replay.plan, st));
  if (loadReport) out.stdout.write(renderLoadSummary(loadReport, st, { quiet: input.quiet }));
  for (const n of notes) out.stdout.write(st.dim(`note: ${n}`) + '\n');
  out.stdout.write(renderGate(gate, st));
  const total = (performance.now() - started) / 1000;
  out.stdout.write(`phases: ${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(' · ')} · total ${total.toFixed(1)} s\n`);
  // Loud and next to the answer: a pass judged from the median alone says nothing about p95/p99.
  out.stdout.write(renderTailsWarning(unjudgedTails(gate, loadReport), st));
  out.stdout.write(st.bold(`production assessment: ${assessmentLine(gate)}`) + '\n');
  out.stdout.write(`re-judge any time: gauntlet gate --run ${runId}\n`);
  await writeFileSet(planned, dir);
  const written = planned.map((p) => p.path);
  if (written.length && !input.quiet) out.stdout.write(`reports: ${written.join(', ')}\n`);
  const html = written.find((f) => f.endsWith('.html'));
  if (html) out.stdout.write(`html report: ${html}\n`);
  // Last, so an unreachable gateway (exit 2) never costs the run's own reports.
  if (metrics) {
    await metrics.publish(judged.report, gate);
    out.stdout.write(`metrics pushed to ${metrics.url}\n`);
  }
  return interrupted ? 'interrupted' : gateOutcome(judged);
}
