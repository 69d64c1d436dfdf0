/**
 * Chart data for the load phase, from the stored metric points alone: each measured block (the
 * engine exports one delta point set per block and runtime, all stamped with the block's start) as
 * rate and latency percentiles over time, and each runtime's latency CDF from its merged histogram.
 */
import type { StoredMetricPoint } from '../collect/index.ts';
import { aggregateLoadPoints, mergeHists, quantileOf, type ExpHist, type RuntimeAgg } from '../collect/load/aggregate.ts';
import type { LoadBlock, LoadTimeline } from '../collect/load/report-types.ts';
import * as A from '../contract/attributes.ts';
import * as M from '../contract/load-metrics.ts';

type Point = Pick<StoredMetricPoint, 'name' | 'kind' | 'timeNs' | 'attributes'> & Partial<StoredMetricPoint>;

/** More blocks than this (a long k6 import) are not charted block by block. */
const MAX_BLOCKS = 2000;
const MAX_CDF_POINTS = 300;
const sig = (v: number) => Number(v.toPrecision(5));
const ms = (seconds: number | null) => (seconds === null ? null : sig(seconds * 1000));

function latencyHist(agg: RuntimeAgg | undefined): ExpHist | undefined {
  return mergeHists([...(agg?.series.values() ?? [])].map((s) => s.intended ?? s.sent));
}

/** [ms, share ≤ ms] at each occupied bucket's upper bound, thinned evenly to MAX_CDF_POINTS (the last one kept). */
export function cdfPoints(h: ExpHist | undefined): Array<[number, number]> {
  if (!h || h.count === 0) return [];
  const base = 2 ** (2 ** -h.scale);
  const out: Array<[number, number]> = [];
  let seen = h.zeroCount;
  if (seen > 0) out.push([0, sig(seen / h.count)]);
  for (const i of [...h.counts.keys()].sort((a, b) => a - b)) {
    seen += h.counts.get(i)!;
    // The bucket's upper bound, clamped to the exact max the histogram carries.
    out.push([sig(Math.min(base ** (i + 1), h.max) * 1000), sig(seen / h.count)]);
  }
  if (out.length <= MAX_CDF_POINTS) return out;
  const step = (out.length - 1) / (MAX_CDF_POINTS - 1);
  return Array.from({ length: MAX_CDF_POINTS }, (_, k) => out[Math.round(k * step)]!);
}

/** Per scenario name, its timeline; scenarios without per-block points are absent. */
export function loadTimelines(points: readonly Point[], runtimes: readonly string[]): Map<string, LoadTimeline> {
  const byScenario = new Map<string, Map<string, Point[]>>();
  for (const p of points) {
    if (p.startNs === undefined || p.startNs <= 0n) continue;
    const scenario = String(p.attributes[M.ATTR_SCENARIO] ?? '');
    const key = `${String(p.attributes[A.ATTR_GAUNTLET_RUNTIME] ?? '')}\u0000${p.startNs}`;
    let blocks = byScenario.get(scenario);
    if (!blocks) byScenario.set(scenario, (blocks = new Map()));
    const g = blocks.get(key);
    if (g) g.push(p);
    else blocks.set(key, [p]);
  }
  const out = new Map<string, LoadTimeline>();
  for (const [scenario, groups] of byScenario) {
    if (groups.size > MAX_BLOCKS) continue;
    const raw = [...groups.values()].map((g) => {
      const agg = [...(aggregateLoadPoints(g).get(scenario)?.values() ?? [])][0];
      return { agg, startNs: g[0]!.startNs! };
    });
    const measured = raw.filter((b): b is { agg: RuntimeAgg; startNs: bigint } => b.agg !== undefined && latencyHist(b.agg) !== undefined);
    if (!measured.length) continue;
    measured.sort((x, y) => (x.startNs < y.startNs ? -1 : x.startNs > y.startNs ? 1 : 0));
    const t0 = measured[0]!.startNs;
    const blocks: LoadBlock[] = measured.map(({ agg, startNs }) => {
      const h = latencyHist(agg)!;
      return {
        runtime: agg.runtime,
        t: sig(Number(startNs - t0) / 1e9),
        seconds: sig(agg.windowSeconds),
        requests: h.count,
        rate: agg.windowSeconds > 0 ? sig(agg.iterations / agg.windowSeconds) : null,
        targetRate: agg.scheduled !== undefined && agg.nominalSeconds > 0 ? sig(agg.scheduled / agg.nominalSeconds) : null,
        p50: ms(quantileOf(h, 0.5)),
        p95: ms(quantileOf(h, 0.95)),
        p99: ms(quantileOf(h, 0.99)),
      };
    });
    const whole = aggregateLoadPoints(points.filter((p) => String(p.attributes[M.ATTR_SCENARIO] ?? '') === scenario)).get(scenario);
    const cdf = runtimes.map((runtime) => ({ runtime, points: cdfPoints(latencyHist(whole?.get(runtime))) })).filter((c) => c.points.length > 0);
    out.set(scenario, { blocks, cdf });
  }
  return out;
}
