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

const only = process.argv.slice(2);
const benches: Array<[string, () => Promise<Record<string, number>>]> = [
  ['shape', runShapeBench],
  ['ingest', runIngestBench],
  ['judge', runJudgeBench],
  ['replay', runReplayBench],
  ['load', runLoadBench],
  ['mirror', () => runMirrorBench()],
  ['replay-memory', runReplayMemoryBench],
  ['trace', runTraceBench],
  ['watch-soak', runWatchSoakBench],
];

const results: Record<string, Record<string, number>> = {};
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  results[name] = await run();
}
console.log('\n== gauntlet bench ==');
for (const [name, figures] of Object.entries(results)) {
  for (const [metric, value] of Object.entries(figures)) {
    console.log(`${name.padEnd(8)} ${metric.padEnd(44)} ${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`);
  }
}
