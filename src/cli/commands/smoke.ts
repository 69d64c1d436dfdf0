import { waitForRunToSettle } from '../../analyze/index.ts';
import { judgeSmoke, type SmokeResult } from '../../analyze/trace-assert-smoke.ts';
import { SpanStore } from '../../collect/index.ts';
import { loadConfig, type LoadedConfig } from '../../config/index.ts';
import { openSession } from '../../app/session.ts';
import { loadSmokeSuites, type SkippedSuite } from '../../config/index.ts';
import { runSmokePhase } from '../../drive/smoke/index.ts';
import { renderSmokeJUnit } from '../../report/smoke-junit.ts';
import { renderSkipped, renderSmoke } from '../../report/smoke-terminal.ts';
import { pickStyle } from '../../report/terminal.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';
import { storePathOf } from './gate.ts';


async function emit(result: SmokeResult, skipped: readonly SkippedSuite[], cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  if (typeof cli.options.json === 'string') await writeFileAtomic(cli.options.json, JSON.stringify({ ...result, skipped }, null, 2) + '\n');
  if (typeof cli.options.junit === 'string') await writeFileAtomic(cli.options.junit, renderSmokeJUnit(result, skipped));
  const st = pickStyle(ctx.stdout);
  // --quiet keeps the failures and the totals: what a CI log needs.
  ctx.stdout.write(renderSmoke(result, st, { failuresOnly: cli.options.quiet === true }));
  return result.failed > 0 ? 1 : 0;
}

/** `gauntlet smoke --run ID`: re-judge a stored smoke run from the store alone. */
async function rejudge(loaded: LoadedConfig, cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const runId = cli.options.run as string;
  const storePath = storePathOf(loaded, cli);
  const store = await SpanStore.open(storePath);
  let result: SmokeResult;
  try {
    result = judgeSmoke(runId, await store.spansForRun(runId));
  } finally {
    await store.close();
  }
  if (result.checks.length === 0) {
    throw new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no smoke checks for run "${runId}" in the store`, { file: storePath, hint: 'list stored runs with `gauntlet runs`' });
  }
  return emit(result, [], cli, ctx);
}

/**
 * `gauntlet smoke [SUITES…]`: every check against every runtime of its service, then — after the
 * telemetry has been flushed and the runtimes' spans have arrived — judged from the store.
 * Exit 1 when any check fails (a gate), 2 on a bad suite file.
 */
export async function smokeCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  if (typeof cli.options.run === 'string') return rejudge(loaded, cli, ctx);
  const plan = await loadSmokeSuites(loaded, cli.positionals);
  const st = pickStyle(ctx.stdout);
  ctx.stdout.write(renderSkipped(plan.skipped, st));
  if (plan.suites.length === 0) {
    throw new GauntletError('GAUNTLET_USAGE', 'nothing to run: no suite is for a service in the stack', { hint: 'add the services under stack.services, or pass suites for the services you have' });
  }
  const session = await openSession(loaded, { services: new Set(plan.suites.map((s) => s.suite.service)), storePath: storePathOf(loaded, cli) });
  let spans;
  const skipped = [...plan.skipped];
  try {
    const progress = ctx.stderr.isTTY ? (done: number, total: number) => ctx.stderr.write(done === total ? '\r\u001b[K' : `\r  smoke: ${done}/${total}`) : undefined;
    const phase = await runSmokePhase(session, plan.suites, loaded, { signal: ctx.signal, ...(progress ? { onCheck: progress } : {}) });
    ctx.stdout.write(renderSkipped(phase.skipped, st));
    skipped.push(...phase.skipped);
    if (ctx.signal.aborted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted');
    await session.telemetry.flush();
    await waitForRunToSettle(session.store, session.runId);
    const stats = session.receiver.stats();
    if (stats.spansAccepted !== stats.spansStored) ctx.stderr.write(`warning: receiver accepted ${stats.spansAccepted} spans but stored ${stats.spansStored}\n`);
    spans = await session.store.spansForRun(session.runId);
  } finally {
    await session.close();
  }
  const code = await emit(judgeSmoke(session.runId, spans), skipped, cli, ctx);
  ctx.stdout.write(`run ${session.runId} · re-judge any time: gauntlet smoke --run ${session.runId}\n`);
  return code;
}
