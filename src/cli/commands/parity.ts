import { buildParityReport, waitForRunToSettle, type ParityReport } from '../../analyze/index.ts';
import { findRunSpans, withEachStore, type StoredSpan } from '../../collect/index.ts';
import { loadConfig, resolveFrom, type LoadedConfig } from '../../config/index.ts';
import { loadParityCases } from '../../config/index.ts';
import { openSession } from '../../app/session.ts';
import { runParityPhase } from '../../drive/index.ts';
import { pickStyle, renderParity } from '../../report/terminal.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ProbeSubscriber } from '../../probe/index.ts';
import type { ParsedCLI } from '../parse.ts';
import { analyzePrometheusCommand } from './analyze-prometheus.ts';

export interface CommandContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
}

function hasDivergence(report: ParityReport): boolean {
  return report.findings.length > 0;
}

async function emit(report: ParityReport, cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  if (typeof cli.options.json === 'string') await writeFileAtomic(cli.options.json, JSON.stringify(report, null, 2) + '\n');
  if (cli.options.quiet) ctx.stdout.write(report.services.map((s) => s.summary).join('\n') + '\n');
  else ctx.stdout.write(renderParity(report, pickStyle(ctx.stdout)));
  return cli.options['fail-on-divergence'] && hasDivergence(report) ? 1 : 0;
}

function progress(ctx: CommandContext): ((done: number, total: number) => void) | undefined {
  if (!ctx.stderr.isTTY) return undefined;
  return (done, total) => {
    ctx.stderr.write(`\r  parity: ${done}/${total} pairs`);
    if (done === total) ctx.stderr.write('\r\u001b[K');
  };
}

/**
 * Start what the config asks for, send the cases, wait for the runtimes' spans, and hand back only
 * the run id and its spans as the store holds them — the judgement happens from those alone.
 */
export async function executeParityRun(
  loaded: LoadedConfig,
  cli: ParsedCLI,
  ctx: CommandContext,
  extra: { subscribers?: readonly ProbeSubscriber[] } = {},
): Promise<{ runId: string; spans: StoredSpan[]; interrupted: boolean }> {
  const caseFiles = await loadParityCases(loaded, cli.command === 'parity' ? cli.positionals : undefined);
  const session = await openSession(loaded, {
    services: new Set(caseFiles.map((c) => c.cases.service)),
    ...(typeof cli.options.store === 'string' ? { storePath: cli.options.store } : {}),
  });
  try {
    const onPair = progress(ctx);
    await runParityPhase(session, caseFiles, loaded, {
      signal: ctx.signal,
      ...(onPair ? { onPair } : {}),
      ...(typeof cli.options.repeat === 'string' ? { repeat: Number(cli.options.repeat) } : {}),
      ...(extra.subscribers ? { subscribers: extra.subscribers } : {}),
    });
    // Interrupted: stop sending, but still flush and judge what was sent — a partial report marked
    // incomplete is worth more than none, and the caller exits 130.
    const interrupted = ctx.signal.aborted;
    await session.telemetry.flush(interrupted ? 2_000 : undefined);
    await waitForRunToSettle(session.store, session.runId);
    const stats = session.receiver.stats();
    if (stats.spansAccepted !== stats.spansStored) {
      ctx.stderr.write(`warning: receiver accepted ${stats.spansAccepted} spans but stored ${stats.spansStored}\n`);
    }
    const lost = session.telemetry.spansFailed();
    if (lost > 0) ctx.stderr.write(`warning: ${lost} spans could not be delivered to the collector (see ${JSON.stringify(session.telemetry.spool())})\n`);
    return { runId: session.runId, spans: await session.store.spansForRun(session.runId), interrupted };
  } finally {
    await session.close();
  }
}

/** `gauntlet parity`: the probe alone — per-case table, classified findings, summary line. */
export async function parityCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const { runId, spans, interrupted } = await executeParityRun(loaded, cli, ctx);
  // Judged from the store alone — the same call `gauntlet analyze --run` makes.
  const code = await emit(buildParityReport(runId, spans), cli, ctx);
  return interrupted ? 130 : code;
}

/** `gauntlet analyze --run ID`: a fresh process, the store, nothing else. */
export async function analyzeCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  if (cli.options.source === 'prometheus') return analyzePrometheusCommand(cli, ctx);
  const runId = cli.options.run as string;
  let storePath = cli.options.store as string | undefined;
  if (!storePath) {
    const loaded = await loadConfig(cli.options.config as string | undefined);
    storePath = resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), loaded.config.store.path);
  }
  return emit(buildParityReport(runId, await findRunSpans(storePath, runId)), cli, ctx);
}

export async function runsCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  let storePath = cli.options.store as string | undefined;
  if (!storePath) {
    const loaded = await loadConfig(cli.options.config as string | undefined);
    storePath = resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), loaded.config.store.path);
  }
  let any = false;
  const { locked } = await withEachStore(storePath, async (store, file) => {
    for (const r of await store.listRuns()) {
      any = true;
      ctx.stdout.write(`${r.runId}  ${r.driver ?? '-'}  ${new Date(Number(r.firstNs / 1_000_000n)).toISOString()}  ${r.spans} spans  ${file}\n`);
    }
    return undefined;
  });
  if (!any) ctx.stdout.write(`no runs in ${storePath}\n`);
  for (const file of locked) ctx.stderr.write(`note: ${file} is in use by another gauntlet process; its runs are not listed\n`);
  return 0;
}
