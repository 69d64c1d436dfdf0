import { join, resolve } from 'node:path';
import { loadConfig, resolveFrom, type LoadedConfig } from '../../config/index.ts';
import type { LoadReport } from '../../collect/load/index.ts';
import { buildBaseline, judgeWholeRun, readStoredRun, saveBaseline, type JudgedRun, type JudgedStoredRun } from '../../gate/index.ts';
import { renderHtml } from '../../report/html.ts';
import { renderJUnit } from '../../report/junit.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import { pickStyle, renderGate, renderParity } from '../../report/terminal.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';
import { createBatchMetrics } from '../../report/metrics-batch.ts';

export function storePathOf(loaded: LoadedConfig, cli: ParsedCLI): string {
  if (typeof cli.options.store === 'string') return cli.options.store;
  return resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), loaded.config.store.path);
}


/** Write whichever outputs were asked for, each atomically; a load report (from `gauntlet run`'s load phase) goes into each of them. */
export async function writeGateOutputs(judged: JudgedRun, cli: ParsedCLI, defaults: { dir?: string; load?: LoadReport } = {}): Promise<string[]> {
  const want = (flag: string, name: string) => (typeof cli.options[flag] === 'string' ? (cli.options[flag] as string) : defaults.dir ? join(defaults.dir, name) : undefined);
  const written: string[] = [];
  const load = defaults.load;
  const outputs: Array<[string | undefined, () => string]> = [
    [want('json', 'report.json'), () => JSON.stringify(load ? { ...judged.report, load } : judged.report, null, 2) + '\n'],
    [want('gate-json', 'gate.json'), () => JSON.stringify(judged.gate, null, 2) + '\n'],
    [want('junit', 'junit.xml'), () => renderJUnit(judged.gate)],
    [want('markdown', 'summary.md'), () => renderMarkdown(judged.report, judged.gate, load)],
    [want('html', 'report.html'), () => renderHtml(load ? { ...judged, load } : judged)],
  ];
  for (const [file, render] of outputs) {
    if (!file) continue;
    await writeFileAtomic(file, render());
    written.push(file);
  }
  return written;
}

export function printJudged(judged: JudgedRun, cli: ParsedCLI, ctx: CommandContext, written: string[]): void {
  const st = pickStyle(ctx.stdout);
  if (!cli.options.quiet) ctx.stdout.write(renderParity(judged.report, st) + '\n');
  ctx.stdout.write(renderGate(judged.gate, st));
  if (written.length && !cli.options.quiet) ctx.stdout.write(`reports: ${written.join(', ')}\n`);
  const html = written.find((f) => f.endsWith('.html'));
  if (html) ctx.stdout.write(`html report: ${resolve(html)}\n`);
}

export const gateExitCode = (judged: JudgedRun) => (judged.gate.verdict === 'fail' ? 1 : 0);

/** The whole run re-judged from the store: pairs, smoke checks and load, with the CLI's ledger/baseline. */
async function judgeStored(cli: ParsedCLI, loaded: LoadedConfig): Promise<JudgedStoredRun> {
  const runId = cli.options.run as string;
  const stored = await readStoredRun(storePathOf(loaded, cli), runId, loaded);
  return judgeWholeRun(runId, stored.spans, loaded, {
    ...(typeof cli.options.ledger === 'string' ? { ledger: cli.options.ledger } : {}),
    ...(typeof cli.options.baseline === 'string' ? { baseline: cli.options.baseline } : {}),
    ...(stored.load ? { load: stored.load } : {}),
  });
}

/**
 * `gauntlet gate --run ID`: the CI verdict from a stored run — ledger, latency, error rate,
 * thresholds, baseline, and the run's smoke checks and load phase when it had them: the verdict
 * `gauntlet run` gave, reproduced from the store.
 */
export async function gateCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const judged = await judgeStored(cli, loaded);
  const written = await writeGateOutputs(judged, cli, judged.load ? { load: judged.load } : {});
  printJudged(judged, cli, ctx, written);
  // Re-judging a stored run has no probe: only the judgement metrics (pairs, divergences, gate) are pushed.
  const metrics = createBatchMetrics(cli.options.pushgateway, loaded.config.metrics);
  if (metrics) {
    await metrics.publish(judged.report, judged.gate);
    ctx.stdout.write(`metrics pushed to ${metrics.url}\n`);
  }
  return gateExitCode(judged);
}

/** `gauntlet report --run ID --html FILE`: the HTML report of a stored run; exits 0 whatever the verdict (it renders, it does not gate). */
export async function reportCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const judged = await judgeStored(cli, loaded);
  const file = cli.options.html as string;
  await writeFileAtomic(file, renderHtml(judged));
  ctx.stdout.write(`html report: ${resolve(file)} (gate ${judged.gate.verdict}, ${judged.gate.findings.length} findings)\n`);
  return 0;
}

/** `gauntlet baseline save --run ID --out FILE` */
export async function baselineCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const runId = cli.options.run as string;
  const judged = await judgeStored(cli, loaded);
  const baseline = buildBaseline(runId, judged.series, judged.report.findings);
  await saveBaseline(cli.options.out as string, baseline);
  ctx.stdout.write(`baseline of ${runId}: ${baseline.latency.length} latency series, ${baseline.divergences.length} divergences → ${String(cli.options.out)}\n`);
  return 0;
}
