import { ATTR_GAUNTLET_DRIVER } from '../../contract/index.ts';
import { join } from 'node:path';
import { buildParityReport, waitForRunToSettle } from '../../analyze/index.ts';
import { withoutSmokeTraces } from '../../analyze/trace-assert-smoke.ts';
import type { StoredSpan } from '../../collect/index.ts';
import { loadConfig, PHASES, resolveFrom, type LoadedConfig, type Phase } from '../../config/index.ts';
import { loadReportFromStore } from '../../analyze/index.ts';
import type { LoadReport } from '../../collect/load/index.ts';
import { prepareLoad, runLoadPhase, type LoadInput } from '../../app/load-phase.ts';
import { pacingFromOptions } from '../../drive/pacing.ts';
import { planReplay, runReplayPhase, type ReplayPlan } from '../../drive/replay.ts';
import { loadParityCases, type LoadedCases } from '../../config/index.ts';
import { openSession } from '../../app/session.ts';
import { runParityPhase } from '../../drive/index.ts';
import { loadSmokeSuites, type SmokePlan } from '../../config/index.ts';
import { runSmokePhase } from '../../drive/smoke/index.ts';
import { assessmentLine, judgeOptionsOf, judgeWholeRun } from '../../gate/index.ts';
import { describeSkipped, readRecording, type RecordedExchange } from '../../record/index.ts';
import { renderLoadSummary } from '../../report/load-terminal.ts';
import { renderSmokeJUnit } from '../../report/smoke-junit.ts';
import { renderSkipped, renderSmoke } from '../../report/smoke-terminal.ts';
import { pickStyle, renderGate, renderParity, type TerminalStyle } from '../../report/terminal.ts';
import { createBatchMetrics } from '../../report/metrics-batch.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import { gateExitCode, writeGateOutputs } from './gate.ts';
import { loadProgress } from './load.ts';
import type { CommandContext } from './parity.ts';

/** `--phase a,b` keeps only those; `--skip c` drops; both validated against the known phases. */
export function selectPhases(configured: readonly Phase[], only: unknown, skip: unknown): Phase[] {
  const parse = (flag: string, v: unknown): Phase[] | undefined => {
    if (typeof v !== 'string') return undefined;
    const list = v.split(',').map((x) => x.trim()).filter(Boolean);
    for (const p of list) {
      if (!(PHASES as readonly string[]).includes(p)) throw new GauntletError('GAUNTLET_USAGE', `unknown phase "${p}" in --${flag}`, { hint: `phases: ${PHASES.join(', ')}` });
    }
    return list as Phase[];
  };
  const keep = parse('phase', only);
  const drop = new Set(parse('skip', skip) ?? []);
  return configured.filter((p) => (!keep || keep.includes(p)) && !drop.has(p));
}

interface ReplayInput {
  service: string;
  files: string[];
  exchanges: RecordedExchange[];
  plan: ReplayPlan;
}

async function loadReplayInput(loaded: LoadedConfig, ctx: CommandContext): Promise<ReplayInput | undefined> {
  const cfg = loaded.config;
  const files = cfg.run.replay.recordings.map((f) => resolveFrom(loaded.baseDir, f));
  if (files.length === 0) return undefined;
  const exchanges: RecordedExchange[] = [];
  let service: string | undefined;
  for (const file of files) {
    const r = await readRecording(file, { limit: cfg.run.replay.limit ?? cfg.replay.maxExchanges });
    const skipped = describeSkipped(r.stats);
    if (skipped) ctx.stderr.write(`warning: ${skipped}\n`);
    if (service !== undefined && r.header.service !== service) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `recording is of service "${r.header.service}" but an earlier one is of "${service}"`, { file, line: 1, path: 'service' });
    }
    service = r.header.service;
    if (!(service in cfg.stack.services)) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `service "${service}" is not in the stack`, { file, line: 1, path: 'service', hint: 'add it under stack.services or drop the recording from run.replay.recordings' });
    }
    exchanges.push(...r.exchanges);
  }
  const plan = planReplay(exchanges, {
    routes: cfg.stack.services[service!]!.routes,
    safeRoutes: cfg.replay.safeRoutes,
    allowUnsafe: false,
    limit: cfg.run.replay.limit ?? cfg.replay.maxExchanges,
  });
  return { service: service!, files, exchanges, plan };
}

/** The spans of the traces one driver produced (its CLIENT/pair/run spans and the runtimes' SERVER spans). */
function spansOfDriver(spans: readonly StoredSpan[], driver: string): StoredSpan[] {
  const traces = new Set(spans.filter((s) => s.attributes[ATTR_GAUNTLET_DRIVER] === driver).map((s) => s.traceId));
  return spans.filter((s) => traces.has(s.traceId));
}

/** The load phase's scenario file, read and checked up front; absent from the config = the phase is skipped with a note. */
async function loadLoadInput(loaded: LoadedConfig, notes: string[]): Promise<LoadInput | undefined> {
  const file = loaded.config.run.load.scenarios;
  if (file === undefined) {
    notes.push('load: no scenario file configured (run.load.scenarios) — the load phase was skipped');
    return undefined;
  }
  return prepareLoad(loaded, resolveFrom(loaded.baseDir, file));
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

/**
 * `gauntlet run` (npm start): the whole gauntlet in one command — smoke chain → parity probes →
 * replay of recordings → a short A/B load comparison → analysis from the store → gate → reports,
 * each phase timed. All
 * phases share one run id, so `gauntlet gate --run ID` re-judges everything later. A non-zero exit
 * comes only from the gate (1), bad input (2) or an interrupt (130).
 */
export async function runCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const started = performance.now();
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const cfg = loaded.config;
  const phases = selectPhases(cfg.run.phases, cli.options.phase, cli.options.skip);
  const st = pickStyle(ctx.stdout);

  // Every input is read and validated before anything is started: bad input costs nothing.
  const smokePlan: SmokePlan | undefined = phases.includes('smoke') && cfg.smoke.suites.length ? await loadSmokeSuites(loaded) : undefined;
  const caseFiles: LoadedCases[] = phases.includes('parity') && cfg.parity.cases.length ? await loadParityCases(loaded) : [];
  const replay = phases.includes('replay') ? await loadReplayInput(loaded, ctx) : undefined;
  const notes: string[] = [];
  const load = phases.includes('load') ? await loadLoadInput(loaded, notes) : undefined;
  const services = new Set<string>([
    ...(smokePlan?.suites.map((s) => s.suite.service) ?? []),
    ...caseFiles.map((c) => c.cases.service),
    ...(replay ? [replay.service] : []),
    ...(load ? [load.plan.service] : []),
  ]);
  if (services.size === 0) throw new GauntletError('GAUNTLET_USAGE', 'nothing to run: no phase has anything configured', { hint: 'configure smoke.suites, parity.cases, run.replay.recordings or run.load.scenarios' });

  const metrics = createBatchMetrics(cli.options.pushgateway, cfg.metrics);
  const session = await openSession(loaded, { services, ...(typeof cli.options.store === 'string' ? { storePath: cli.options.store } : {}) });
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
    if (smokePlan && !ctx.signal.aborted) await timed('smoke', () => runSmokePhase(session, smokePlan.suites, loaded, { signal: ctx.signal }));
    if (caseFiles.length && !ctx.signal.aborted) {
      await timed('parity', () =>
        runParityPhase(session, caseFiles, loaded, {
          signal: ctx.signal,
          ...(typeof cli.options.repeat === 'string' ? { repeat: Number(cli.options.repeat) } : {}),
          ...(metrics ? { subscribers: metrics.subscribers } : {}),
        }),
      );
    }
    if (replay && !ctx.signal.aborted) {
      await timed('replay', () =>
        runReplayPhase(session, cfg, {
          service: replay.service,
          plan: replay.plan,
          pacing: pacingFromOptions({ speed: cfg.run.replay.speed, fast: cfg.run.replay.speed === undefined }),
          concurrency: cfg.run.replay.concurrency,
          maxDurationMs: cfg.replay.maxDurationMs,
          recordings: replay.files,
          signal: ctx.signal,
        }),
      );
    }
    let loadRan = false;
    if (load && !ctx.signal.aborted) {
      const onProgress = loadProgress(ctx);
      await timed('load', () => runLoadPhase(session, load, { signal: ctx.signal, ...(onProgress ? { onProgress } : {}) }));
      if (onProgress) ctx.stderr.write('\r\u001b[K');
      loadRan = true;
    }
    interrupted = ctx.signal.aborted;
    spans = await timed('telemetry', async () => {
      await session.telemetry.flush(interrupted ? 2_000 : undefined);
      await waitForRunToSettle(session.store, session.runId);
      const lost = session.telemetry.spansFailed();
      if (lost > 0) ctx.stderr.write(`warning: ${lost} spans could not be delivered to the collector\n`);
      return session.store.spansForRun(session.runId);
    });
    if (loadRan) {
      // Judged from the store alone, as `gauntlet load --run` does; its time counts as analysis.
      const t = performance.now();
      loadReport = await loadReportFromStore(session.store, session.runId, judgeOptionsOf(cfg));
      loadJudgeMs = performance.now() - t;
    }
  } finally {
    await session.close();
  }
  const runId = session.runId;

  // Judgement, from the stored spans only.
  const t = performance.now();
  // One judgement for the run and for `gauntlet gate --run` later: pairs, smoke checks, load.
  const judged = await judgeWholeRun(runId, spans, loaded, {
    ...(typeof cli.options.ledger === 'string' ? { ledger: cli.options.ledger } : {}),
    ...(typeof cli.options.baseline === 'string' ? { baseline: cli.options.baseline } : {}),
    ...(loadReport ? { load: loadReport } : {}),
  });
  const { smoke, gate } = judged;
  const pairSpans = smoke ? withoutSmokeTraces(spans) : spans;
  const parityReport = caseFiles.length ? buildParityReport(runId, spansOfDriver(pairSpans, 'parity')) : undefined;
  const replayReport = replay ? buildParityReport(runId, spansOfDriver(pairSpans, 'replay')) : undefined;
  timings.push(['analysis + gate', performance.now() - t + loadJudgeMs]);

  const base = typeof cli.options['reports-dir'] === 'string' ? cli.options['reports-dir'] : resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), cfg.reports.dir);
  const dir = join(base, runId);
  const written = await writeGateOutputs(judged, cli, { dir, ...(loadReport ? { load: loadReport } : {}) });
  if (smoke) {
    await writeFileAtomic(join(dir, 'smoke.json'), JSON.stringify({ ...smoke, skipped: smokePlan!.skipped }, null, 2) + '\n');
    await writeFileAtomic(join(dir, 'smoke-junit.xml'), renderSmokeJUnit(smoke, smokePlan!.skipped));
    written.push(join(dir, 'smoke.json'), join(dir, 'smoke-junit.xml'));
  }

  if (smoke) {
    ctx.stdout.write(st.bold('Smoke chain') + '\n' + renderSkipped(smokePlan!.skipped, st) + renderSmoke(smoke, st, { failuresOnly: cli.options.quiet === true }) + '\n');
  }
  if (parityReport && !cli.options.quiet) ctx.stdout.write(st.bold('Parity') + '\n' + renderParity(parityReport, st) + '\n');
  else if (parityReport) ctx.stdout.write(parityReport.services.map((s) => `parity ${s.service}: ${s.summary}`).join('\n') + '\n');
  if (replayReport && replay) ctx.stdout.write(replaySummary(replayReport, replay.plan, st));
  if (loadReport) ctx.stdout.write(renderLoadSummary(loadReport, st, { quiet: cli.options.quiet === true }));
  for (const n of notes) ctx.stdout.write(st.dim(`note: ${n}`) + '\n');
  ctx.stdout.write(renderGate(gate, st));
  if (written.length && !cli.options.quiet) ctx.stdout.write(`reports: ${written.join(', ')}\n`);
  const html = written.find((f) => f.endsWith('.html'));
  if (html) ctx.stdout.write(`html report: ${html}\n`);
  const total = (performance.now() - started) / 1000;
  ctx.stdout.write(`phases: ${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(' · ')} · total ${total.toFixed(1)} s\n`);
  ctx.stdout.write(st.bold(`production assessment: ${assessmentLine(gate)}`) + '\n');
  ctx.stdout.write(`re-judge any time: gauntlet gate --run ${runId}\n`);
  // Last, so an unreachable gateway (exit 2) never costs the run's own reports.
  if (metrics) {
    await metrics.publish(judged.report, gate);
    ctx.stdout.write(`metrics pushed to ${metrics.url}\n`);
  }
  return interrupted ? 130 : gateExitCode(judged);
}
