/** Stored-run use-cases: `gate --run`, `report --run`, `baseline save --run` — the store, judgement, outputs. */
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/index.ts';
import { buildBaseline, judgeWholeRun, readStoredRun, saveBaseline, type JudgedStoredRun } from '../gate/index.ts';
import { renderHtml } from '../report/html.ts';
import { createBatchMetrics } from '../report/metrics-batch.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { given, loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';
import { gateOutcome, printAndWrite, type ReportFiles } from './reports.ts';

export interface StoredRunInput extends Sources {
  run: string;
  ledger?: string | undefined;
  baseline?: string | undefined;
}

/** The whole run re-judged from the store: pairs, smoke checks and load, with the given ledger/baseline. */
async function judgeStored(input: StoredRunInput, loaded: LoadedConfig): Promise<JudgedStoredRun> {
  const stored = await readStoredRun(storePathOf(loaded, input.store), input.run, loaded);
  return judgeWholeRun(input.run, stored.spans, loaded, { ...given({ ledger: input.ledger, baseline: input.baseline }), ...(stored.load ? { load: stored.load } : {}) });
}

export interface GateInput extends StoredRunInput {
  files: ReportFiles;
  pushgateway?: string | undefined;
  quiet: boolean;
}

/**
 * The CI verdict from a stored run — ledger, latency, error rate, thresholds, baseline, and the
 * run's smoke checks and load phase when it had them: the verdict `gauntlet run` gave, reproduced
 * from the store.
 */
export async function gateStoredRun(input: GateInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const judged = await judgeStored(input, loaded);
  await printAndWrite(judged, input.files, input.quiet, out, judged.load ? { load: judged.load } : {});
  // Re-judging a stored run has no probe: only the judgement metrics (pairs, divergences, gate) are pushed.
  const metrics = createBatchMetrics(input.pushgateway, loaded.config.metrics);
  if (metrics) {
    await metrics.publish(judged.report, judged.gate);
    out.stdout.write(`metrics pushed to ${metrics.url}\n`);
  }
  return gateOutcome(judged);
}

/** The HTML report of a stored run; `ok` whatever the verdict (it renders, it does not gate). */
export async function reportStoredRun(input: StoredRunInput & { html: string }, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const judged = await judgeStored(input, loaded);
  await writeFileAtomic(input.html, renderHtml(judged));
  out.stdout.write(`html report: ${resolve(input.html)} (gate ${judged.gate.verdict}, ${judged.gate.findings.length} findings)\n`);
  return 'ok';
}

/** A compact baseline (latency histograms + divergences) of a stored run. */
export async function saveRunBaseline(input: StoredRunInput & { out: string }, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const judged = await judgeStored(input, loaded);
  const baseline = buildBaseline(input.run, judged.series, judged.report.findings);
  await saveBaseline(input.out, baseline);
  out.stdout.write(`baseline of ${input.run}: ${baseline.latency.length} latency series, ${baseline.divergences.length} divergences → ${input.out}\n`);
  return 'ok';
}
