/**
 * `npm run bench`: every benchmark in one process, side by side, so the figures compare under the
 * same machine conditions. Benchmarks report; they never assert a speed.
 */
import { runShapeBench } from './shape.bench.ts';
import { runIngestBench } from './ingest.bench.ts';
import { runJudgeBench } from './judge.bench.ts';
import { runReplayBench } from './replay.bench.ts';
import { runLoadBench } from './load.bench.ts';
import { runMirrorBench } from './mirror.bench.ts';
import { runReplayMemoryBench } from './replay-memory.bench.ts';
import { runTraceBench } from './trace.bench.ts';
import { runWatchSoakBench } from './watch-soak.bench.ts';
import { runScalingBench } from './scaling.bench.ts';
import { cpus, loadavg } from 'node:os';

const only = process.argv.slice(2);
const benches: Array<[string, () => Promise<Record<string, number | string>>]> = [
  ['shape', runShapeBench],
  ['ingest', runIngestBench],
  ['judge', runJudgeBench],
  ['replay', () => runReplayBench()],
  // The same replay under the sampling profiler: harness CPU per pair by phase.
  ['replay-phases', () => runReplayBench(undefined, { profile: true })],
  ['load', runLoadBench],
  ['mirror', () => runMirrorBench()],
  ['replay-memory', runReplayMemoryBench],
  ['trace', runTraceBench],
  ['watch-soak', runWatchSoakBench],
  // Last and longest: sizes from BENCH_SCALE_SIZES (default 10000,100000).
  ['scaling', () => runScalingBench()],
];

const results: Record<string, Record<string, number | string>> = {};
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  const loadBefore = loadavg()[0] as number;
  const figures = await run();
  // The machine may be shared: each bench carries the load it ran under.
  results[name] = { ...figures, 'load average (1 min) before / after': `${loadBefore.toFixed(2)} / ${(loadavg()[0] as number).toFixed(2)}` };
}
console.log(`\n== gauntlet bench == ${new Date().toISOString()} · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} · ${cpus().length} cores`);
for (const [name, figures] of Object.entries(results)) {
  for (const [metric, value] of Object.entries(figures)) {
    console.log(`${name.padEnd(8)} ${metric.padEnd(44)} ${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value}`);
  }
}
