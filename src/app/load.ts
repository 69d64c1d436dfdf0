/** `load SCENARIOS.yaml` (the engine against both runtimes, judged from the store) and `load --run ID` (a stored load run re-judged). */
import { resolve } from 'node:path';
import { loadReportFromStore } from '../analyze/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import { withEachStore } from '../collect/index.ts';
import type { GauntletConfig } from '../config/index.ts';
import { judgeOptionsOf, loadFails, loadRules } from '../gate/index.ts';
import { progressLine, renderLoadReport } from '../report/load-render.ts';
import { renderTailsWarning, unjudgedTails } from '../report/tails.ts';
import { pickStyle } from '../report/terminal.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { liveLoadMetrics, prepareLoad, runLoadPhase } from './load-phase.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';
import { openSession } from './session.ts';
import { progressReporter } from './progress.ts';

/** The engine's progress: rewritten in place on a TTY, a plain line every few seconds in a log. */
export function loadProgress(out: Output): ((p: Parameters<typeof progressLine>[0]) => void) & { done(): void } {
  const reporter = progressReporter(out, { ttyEveryMs: 200 });
  return Object.assign((p: Parameters<typeof progressLine>[0]) => reporter.update(progressLine(p)), { done: () => reporter.done() });
}

export interface LoadInput extends Sources {
  /** The scenario file to run; ignored with `run`. */
  scenarios?: string | undefined;
  /** Re-judge this stored load run instead. */
  run?: string | undefined;
  workers?: number | undefined;
  /** Let the engine load non-loopback targets. */
  allowRemote?: boolean | undefined;
  json?: string | undefined;
  quiet: boolean;
}

async function emit(report: LoadReport, input: LoadInput, out: Output, cfg: GauntletConfig): Promise<Outcome> {
  if (input.json !== undefined) await writeFileAtomic(input.json, JSON.stringify(report, null, 2) + '\n');
  const text = renderLoadReport(report);
  out.stdout.write(input.quiet ? text.trimEnd().split('\n').pop()! + '\n' : text);
  if (!input.quiet) out.stdout.write(renderTailsWarning(unjudgedTails({ latency: [] }, report), pickStyle(out.stdout)));
  // As in k6, a crossed threshold fails the run; a slower route fails it when the gate treats latency as critical.
  return loadFails(loadRules(report, cfg.gate)) ? 'failed' : 'ok';
}

export async function runLoad(input: LoadInput, out: Output): Promise<Outcome> {
  const base = await loadSources(input);
  const judge = judgeOptionsOf(base.config);
  if (input.run !== undefined) {
    const runId = input.run;
    const storePath = storePathOf(base, input.store);
    const { result } = await withEachStore(storePath, async (store) => {
      const runs = await store.listMetricRuns();
      return runs.some((r) => r.runId === runId) ? loadReportFromStore(store, runId, judge) : undefined;
    });
    if (!result) throw new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no load run "${runId}" in the store`, { file: storePath, hint: 'list stored runs with `gauntlet runs`' });
    return emit(result, input, out, base.config);
  }

  if (input.scenarios === undefined) throw new GauntletError('GAUNTLET_NOTHING_TO_RUN', 'no scenario file and no stored run to judge', { hint: 'e.g. gauntlet load load/vectord.scenarios.yaml' });
  const file = resolve(process.cwd(), input.scenarios);
  const prepared = await prepareLoad(base, file, { allowRemote: input.allowRemote });
  const cfg = prepared.loaded.config;
  const session = await openSession(prepared.loaded, { services: new Set([prepared.plan.service]), lifecycle: { command: 'load', phases: ['load'] }, ...(input.store !== undefined ? { storePath: input.store } : {}) });
  const live = liveLoadMetrics(cfg.metrics.pushgateway, cfg.metrics);
  let report: LoadReport;
  try {
    const onProgress = loadProgress(out);
    const { interrupted } = await runLoadPhase(session, prepared, {
      signal: out.signal,
      ...(input.workers !== undefined ? { workers: input.workers } : {}),
      onProgress,
      ...(live ? { live } : {}),
    });
    onProgress.done();
    await session.finish(interrupted ? 'interrupted' : 'complete');
    if (interrupted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted');
    await session.telemetry.flush();
    // Judged from the store alone — the same call `gauntlet load --run` makes.
    report = await loadReportFromStore(session.store, session.runId, judge);
    await live?.thresholds(report);
  } finally {
    await session.close();
  }
  return emit(report, input, out, cfg);
}
