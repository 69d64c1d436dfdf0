import { resolve } from 'node:path';
import { withEachStore } from '../../collect/index.ts';
import { loadConfig, resolveFrom, type GauntletConfig } from '../../config/index.ts';
import { loadReportFromStore } from '../../analyze/index.ts';
import { progressLine, renderLoadReport } from '../../report/load-render.ts';
import type { LoadReport } from '../../collect/load/index.ts';
import { prepareLoad, runLoadPhase } from '../../app/load-phase.ts';
import { openSession } from '../../app/session.ts';
import { judgeOptionsOf, loadFails, loadRules } from '../../gate/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

export { judgeOptionsOf };

/** The engine's progress, rewritten in place on a TTY (nothing when stderr is a file or a pipe). */
export function loadProgress(ctx: CommandContext): ((p: Parameters<typeof progressLine>[0]) => void) | undefined {
  if (!ctx.stderr.isTTY) return undefined;
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 200) return;
    last = now;
    ctx.stderr.write(`\r\u001b[K${progressLine(p)}`);
  };
}

async function emit(report: LoadReport, cli: ParsedCLI, ctx: CommandContext, cfg: GauntletConfig): Promise<number> {
  if (typeof cli.options.json === 'string') await writeFileAtomic(cli.options.json, JSON.stringify(report, null, 2) + '\n');
  const text = renderLoadReport(report);
  ctx.stdout.write(cli.options.quiet ? text.trimEnd().split('\n').pop()! + '\n' : text);
  // As in k6, a crossed threshold fails the run; a slower route fails it when the gate treats latency as critical.
  return loadFails(loadRules(report, cfg.gate)) ? 1 : 0;
}

/** `gauntlet load SCENARIOS.yaml` / `gauntlet load --run ID`. */
export async function loadCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const base = await loadConfig(cli.options.config as string | undefined);
  const judge = judgeOptionsOf(base.config);
  if (typeof cli.options.run === 'string') {
    const runId = cli.options.run;
    const storePath = typeof cli.options.store === 'string' ? cli.options.store : resolveFrom(base.file ? base.baseDir : process.cwd(), base.config.store.path);
    const { result } = await withEachStore(storePath, async (store) => {
      const runs = await store.listMetricRuns();
      return runs.some((r) => r.runId === runId) ? loadReportFromStore(store, runId, judge) : undefined;
    });
    if (!result) throw new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no load run "${runId}" in the store`, { file: storePath, hint: 'list stored runs with `gauntlet runs`' });
    return emit(result, cli, ctx, base.config);
  }

  const file = resolve(process.cwd(), cli.positionals[0]!);
  const input = await prepareLoad(base, file);
  const cfg = input.loaded.config;
  const session = await openSession(input.loaded, { services: new Set([input.plan.service]), ...(typeof cli.options.store === 'string' ? { storePath: cli.options.store } : {}) });
  let report: LoadReport;
  try {
    const onProgress = loadProgress(ctx);
    const { interrupted } = await runLoadPhase(session, input, {
      signal: ctx.signal,
      ...(typeof cli.options.workers === 'string' ? { workers: Number(cli.options.workers) } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) ctx.stderr.write('\r\u001b[K');
    if (interrupted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted');
    await session.telemetry.flush();
    // Judged from the store alone — the same call `gauntlet load --run` makes.
    report = await loadReportFromStore(session.store, session.runId, judge);
  } finally {
    await session.close();
  }
  return emit(report, cli, ctx, cfg);
}
