import { join } from 'node:path';
import { loadConfig, resolveFrom } from '../../config/index.ts';
import { judgeRun } from '../../gate/index.ts';
import { createBatchMetrics } from '../../telemetry/metrics-batch.ts';
import type { ParsedCLI } from '../parse.ts';
import { gateExitCode, printJudged, writeGateOutputs } from './gate.ts';
import { executeParityRun, type CommandContext } from './parity.ts';

/**
 * `gauntlet run` (npm start): the gauntlet on the configured stack — parity (with latency repeats)
 * → analysis from the store → gate → reports. A non-zero exit comes only from the gate or bad input.
 */
export async function runCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const started = performance.now();
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const metrics = createBatchMetrics(cli.options.pushgateway, loaded.config.metrics);
  const { runId, spans, interrupted } = await executeParityRun(loaded, cli, ctx, metrics ? { subscribers: metrics.subscribers } : {});
  const judged = await judgeRun(runId, spans, loaded, {
    ...(typeof cli.options.ledger === 'string' ? { ledger: cli.options.ledger } : {}),
    ...(typeof cli.options.baseline === 'string' ? { baseline: cli.options.baseline } : {}),
  });
  const base = typeof cli.options['reports-dir'] === 'string' ? cli.options['reports-dir'] : resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), loaded.config.reports.dir);
  const written = await writeGateOutputs(judged, cli, { dir: join(base, runId) });
  printJudged(judged, cli, ctx, written);
  ctx.stdout.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s · re-judge any time: gauntlet gate --run ${runId}\n`);
  // Last, so an unreachable gateway (exit 2) never costs the run's own reports.
  if (metrics) {
    await metrics.publish(judged.report, judged.gate);
    ctx.stdout.write(`metrics pushed to ${metrics.url}\n`);
  }
  return interrupted ? 130 : gateExitCode(judged);
}
