/**
 * Latency-judge throughput: one CI gate's worth of work — 100 routes, each judged on 10,000 raw
 * samples per runtime (Rust vs Go) — and the same routes as explicit and exponential histograms
 * (what a Prometheus-fed judge sees) — inline on one thread and on the worker pool the gate uses
 * (judgeRoutesParallel; the pool is started by the warm-up round, its cold start is reported
 * separately). A plain script, not a vitest bench:
 *   npx tsx bench/judge.bench.ts
 * Figures are reported, never asserted (timings on shared CI machines are noise).
 */
import { pathToFileURL } from 'node:url';
import { defaultJudgeWorkers, judgeRoutes, judgeRoutesParallel, type LatencySample } from '../src/judge/index.ts';
import { geometricBounds, simulate, toExplicit, toExponential, TYPICAL } from '../test/fixtures/judge/latency-sim.ts';

const ROUTES = 100;
const SAMPLES = 10_000;

function routes(kind: 'raw' | 'explicit' | 'exponential'): Array<{ key: string; a: LatencySample; b: LatencySample }> {
  const bounds = geometricBounds(1, 10_000, 20);
  const wrap = (values: number[]): LatencySample =>
    kind === 'raw' ? { kind: 'raw', values } : kind === 'explicit' ? toExplicit(values, bounds) : toExponential(values, 4);
  return Array.from({ length: ROUTES }, (_, r) => {
    const model = { ...TYPICAL, median: 5 + (r % 10) * 7 };
    // every tenth route regresses by 8%, so the bench exercises the 'slower' path too
    const slow = r % 10 === 3 ? 1.08 : 1;
    return { key: `route-${r}`, a: wrap(simulate(2 * r + 1, SAMPLES, model)), b: wrap(simulate(2 * r + 2, SAMPLES, model, (v) => v * slow)) };
  });
}

/**
 * Best of a few timed rounds after a warm-up round (the JIT needs one pass to settle), as wall and
 * as CPU seconds of this thread: on a shared box the wall figure includes time spent waiting for a
 * core (and for the pool, the workers' CPU is not on this thread).
 */
async function seconds(run: () => unknown, rounds = 3): Promise<{ wall: number; cpu: number; first: number }> {
  const firstStart = performance.now();
  await run();
  const first = (performance.now() - firstStart) / 1000;
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpuStart);
    wall = Math.min(wall, (performance.now() - start) / 1000);
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  return { wall, cpu, first };
}

export async function runJudgeBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const workers = defaultJudgeWorkers();
  for (const kind of ['raw', 'explicit', 'exponential'] as const) {
    const entries = routes(kind);
    let slower = 0;
    const inline = await seconds(() => {
      slower = judgeRoutes(entries).filter((v) => v.verdict === 'slower').length;
    });
    figures[`${ROUTES} routes × 2 × ${SAMPLES} ${kind}, 1 thread: wall s`] = inline.wall;
    figures[`${ROUTES} routes × 2 × ${SAMPLES} ${kind}, 1 thread: cpu s`] = inline.cpu;
    let pooledSlower = 0;
    const pooled = await seconds(async () => {
      pooledSlower = (await judgeRoutesParallel(entries, {}, { workers })).filter((v) => v.verdict === 'slower').length;
    });
    if (kind === 'raw') figures[`judge pool (${workers} workers) cold start + first run: wall s`] = pooled.first;
    figures[`${ROUTES} routes × 2 × ${SAMPLES} ${kind}, ${workers} workers: wall s`] = pooled.wall;
    figures[`${ROUTES} routes ${kind}: judged slower (10 regressed)`] = slower;
    if (pooledSlower !== slower) throw new Error(`pool and inline verdicts differ (${pooledSlower} vs ${slower} slower)`);
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runJudgeBench();
  for (const [metric, value] of Object.entries(figures)) console.log(`${metric.padEnd(60)} ${value.toLocaleString('en-US', { maximumFractionDigits: 3 })}`);
}
