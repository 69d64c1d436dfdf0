/**
 * How cost grows with the work: the replay bench (send `--fast` to the validatord twins, ingest,
 * settle, report from the store) at several recording sizes, each size in a fresh process so its
 * peak RSS is its own. Per stage: cost per pair at each size, and a verdict — "linear" when the
 * cost per pair at the largest size is within 1.5× of the smallest's, else "superlinear".
 *   npx tsx bench/scaling.bench.ts [10000,100000,1000000]
 * Sizes default to BENCH_SCALE_SIZES or 10,000 and 100,000 (1M takes long on a shared 2-core box).
 * Figures are reported, never asserted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPLAY = fileURLToPath(new URL('./replay.bench.ts', import.meta.url));
/** Per size: at most this long before the child is stopped and the size reported as not measured. */
const MAX_MS_PER_SIZE = 30 * 60_000;

async function replayAt(pairs: number): Promise<Record<string, number>> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), REPLAY, String(pairs)], {
    env: { ...process.env, BENCH_JSON: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), MAX_MS_PER_SIZE);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`replay bench at ${pairs} pairs exited with ${code}:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, number>;
}

export async function runScalingBench(sizes: readonly number[] = (process.env.BENCH_SCALE_SIZES ?? '10000,100000').split(',').map(Number)): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const perPair: Array<{ pairs: number; send: number; settle: number; report: number; gate: number }> = [];
  for (const pairs of sizes) {
    const f = await replayAt(pairs);
    const n = f['pairs replayed'] as number;
    const row = {
      pairs: n,
      send: 1e6 / (f['send phase: paired exchanges/s'] as number),
      settle: ((f['flush + settle: seconds'] as number) * 1e6) / n,
      report: ((f['report from store: seconds'] as number) * 1e6) / n,
      gate: ((f['gate (judgeRun on the same spans): seconds'] as number) * 1e6) / n,
    };
    perPair.push(row);
    const at = `${n.toLocaleString('en-US')} pairs:`;
    out[`${at} wall s (send + settle + report)`] = n / (f['end to end: paired exchanges/s analysed'] as number);
    out[`${at} send µs/pair`] = row.send;
    out[`${at} harness CPU µs/pair (send)`] = f['send phase: harness CPU µs per pair'] as number;
    out[`${at} flush + settle µs/pair`] = row.settle;
    out[`${at} report s`] = f['report from store: seconds'] as number;
    out[`${at} gate s`] = f['gate (judgeRun on the same spans): seconds'] as number;
    out[`${at} RSS growth during the send MB`] = f['RSS growth during the send MB'] as number;
    out[`${at} peak RSS MB`] = f['peak RSS MB (process)'] as number;
    out[`${at} store bytes per span`] = f['store bytes per span'] as number;
  }
  const first = perPair[0];
  const last = perPair[perPair.length - 1];
  if (first && last && last !== first) {
    for (const stage of ['send', 'settle', 'report', 'gate'] as const) {
      const growth = last[stage] / first[stage];
      out[`${stage}: cost per pair ${last.pairs.toLocaleString('en-US')} vs ${first.pairs.toLocaleString('en-US')}`] = growth;
      out[`${stage}: verdict`] = growth <= 1.5 ? 'linear' : 'superlinear';
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runScalingBench(process.argv[2] ? process.argv[2].split(',').map(Number) : undefined);
  for (const [metric, value] of Object.entries(figures)) console.log(`${metric.padEnd(48)} ${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value}`);
}
