/**
 * Latency-judge throughput: one CI gate's worth of work — 100 routes, each judged on 10,000 raw
 * samples per runtime (Rust vs Go) — and the same routes as explicit and exponential histograms
 * (what a Prometheus-fed judge sees). A plain script, not a vitest bench:
 *   npx tsx bench/judge.bench.ts
 * Figures are reported, never asserted (timings on shared CI machines are noise).
 */
import { pathToFileURL } from 'node:url';
import { judgeRoutes, type LatencySample } from '../src/judge/index.ts';
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
 * as CPU seconds: on a shared box the wall figure includes time spent waiting for a core.
 */
function seconds(run: () => unknown, rounds = 3): { wall: number; cpu: number } {
  run();
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpuStart);
    wall = Math.min(wall, (performance.now() - start) / 1000);
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  return { wall, cpu };
}

export async function runJudgeBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const kind of ['raw', 'explicit', 'exponential'] as const) {
    const entries = routes(kind);
    let slower = 0;
    const time = seconds(() => {
      slower = judgeRoutes(entries).filter((v) => v.verdict === 'slower').length;
    });
    figures[`${ROUTES} routes × 2 × ${SAMPLES} ${kind}: wall s`] = time.wall;
    figures[`${ROUTES} routes × 2 × ${SAMPLES} ${kind}: cpu s`] = time.cpu;
    figures[`${ROUTES} routes ${kind}: judged slower (10 regressed)`] = slower;
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runJudgeBench();
  for (const [metric, value] of Object.entries(figures)) console.log(`${metric.padEnd(56)} ${value.toLocaleString('en-US', { maximumFractionDigits: 3 })}`);
}
