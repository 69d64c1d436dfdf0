/** `smoke`: every check against every runtime of its service, judged from the store; or a stored smoke run re-judged. */
import { waitForRunToSettle } from '../analyze/index.ts';
import { judgeSmoke, type SmokeResult } from '../analyze/trace-assert-smoke.ts';
import { SpanStore } from '../collect/index.ts';
import { readSmokeSuites, type LoadedConfig, type SkippedSuite } from '../config/index.ts';
import { runSmokePhase } from '../drive/smoke/index.ts';
import { renderSmokeJUnit } from '../report/smoke-junit.ts';
import { renderSkipped, renderSmoke } from '../report/smoke-terminal.ts';
import { pickStyle } from '../report/terminal.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, storePathOf, type Outcome, type Output, type Sources } from './output.ts';
import { openSession } from './session.ts';
import { progressReporter } from './progress.ts';

export interface SmokeInput extends Sources {
  /** Suite files; empty: smoke.suites of the config. */
  suites: readonly string[];
  /** Re-judge this stored run instead of running the suites. */
  run?: string | undefined;
  json?: string | undefined;
  junit?: string | undefined;
  quiet: boolean;
}

async function emit(result: SmokeResult, skipped: readonly SkippedSuite[], input: SmokeInput, out: Output): Promise<Outcome> {
  if (input.json !== undefined) await writeFileAtomic(input.json, JSON.stringify({ ...result, skipped }, null, 2) + '\n');
  if (input.junit !== undefined) await writeFileAtomic(input.junit, renderSmokeJUnit(result, skipped));
  // --quiet keeps the failures and the totals: what a CI log needs.
  out.stdout.write(renderSmoke(result, pickStyle(out.stdout), { failuresOnly: input.quiet }));
  return result.failed > 0 ? 'failed' : 'ok';
}

/** A stored smoke run, re-judged from the store alone. */
async function rejudge(loaded: LoadedConfig, input: SmokeInput & { run: string }, out: Output): Promise<Outcome> {
  const storePath = storePathOf(loaded, input.store);
  const store = await SpanStore.open(storePath);
  let result: SmokeResult;
  try {
    result = judgeSmoke(input.run, await store.spansForRun(input.run));
  } finally {
    await store.close();
  }
  if (result.checks.length === 0) {
    throw new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no smoke checks for run "${input.run}" in the store`, { file: storePath, hint: 'list stored runs with `gauntlet runs`' });
  }
  return emit(result, [], input, out);
}

/**
 * Every check against every runtime of its service, then — after the telemetry has been flushed
 * and the runtimes' spans have arrived — judged from the store. `failed` when any check fails.
 */
export async function runSmoke(input: SmokeInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  if (input.run !== undefined) return rejudge(loaded, { ...input, run: input.run }, out);
  const plan = await readSmokeSuites(loaded, input.suites);
  const st = pickStyle(out.stdout);
  out.stdout.write(renderSkipped(plan.skipped, st));
  if (plan.suites.length === 0) {
    throw new GauntletError('GAUNTLET_NOTHING_TO_RUN', 'nothing to run: no suite is for a service in the stack', { hint: 'add the services under stack.services, or pass suites for the services you have' });
  }
  const session = await openSession(loaded, { services: new Set(plan.suites.map((s) => s.suite.service)), lifecycle: { command: 'smoke', phases: ['smoke'] }, storePath: storePathOf(loaded, input.store) });
  let spans;
  const skipped = [...plan.skipped];
  try {
    const reporter = progressReporter(out);
    const progress = (done: number, total: number) => (done === total ? reporter.done() : reporter.update(`  smoke: ${done}/${total}`));
    const phase = await runSmokePhase(session, plan.suites, loaded, { signal: out.signal, ...(progress ? { onCheck: progress } : {}) });
    out.stdout.write(renderSkipped(phase.skipped, st));
    skipped.push(...phase.skipped);
    await session.finish(out.signal.aborted ? 'interrupted' : 'complete');
    if (out.signal.aborted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted');
    await session.telemetry.flush();
    await waitForRunToSettle(session.store, session.runId);
    const stats = session.receiver.stats();
    if (stats.spansAccepted !== stats.spansStored) out.stderr.write(`warning: receiver accepted ${stats.spansAccepted} spans but stored ${stats.spansStored}\n`);
    spans = await session.store.spansForRun(session.runId);
  } finally {
    await session.close();
  }
  const outcome = await emit(judgeSmoke(session.runId, spans), skipped, input, out);
  out.stdout.write(`run ${session.runId} · re-judge any time: gauntlet smoke --run ${session.runId}\n`);
  return outcome;
}
