import { BaselineSchema, readDataFile, type Baseline } from '../config/index.ts';
import type { AggregatedFinding, LatencySeries } from '../analyze/index.ts';
import { exponentialIndex, type LatencySample } from '../judge/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

/** 2^(1/32): buckets 2.2% wide — finer than any tolerance the gate uses, a few hundred buckets at most. */
export const BASELINE_SCALE = 5;

export function toExponentialHistogram(values: readonly number[], scale = BASELINE_SCALE): Baseline['latency'][number]['histogram'] {
  let zeroCount = 0;
  let min = Infinity;
  let max = -Infinity;
  const idx: number[] = [];
  for (const v of values) {
    if (!(v > 0)) {
      zeroCount++;
      continue;
    }
    const i = exponentialIndex(v, scale);
    idx.push(i);
    if (i < min) min = i;
    if (i > max) max = i;
  }
  if (idx.length === 0) return { scale, zeroCount, offset: 0, counts: [] };
  const counts = new Array<number>(max - min + 1).fill(0);
  for (const i of idx) counts[i - min]!++;
  return { scale, zeroCount, offset: min, counts };
}

export function histogramSample(h: Baseline['latency'][number]['histogram']): LatencySample {
  return { kind: 'exponential', scale: h.scale, zeroCount: h.zeroCount, positive: { offset: h.offset, bucketCounts: h.counts } };
}

export function buildBaseline(runId: string, series: readonly LatencySeries[], findings: readonly AggregatedFinding[], now = new Date()): Baseline {
  return {
    format: 'gauntlet-baseline',
    version: 1,
    createdAt: now.toISOString(),
    runId,
    latency: series.map((s) => ({
      service: s.service,
      method: s.method,
      route: s.route,
      runtime: s.runtime,
      source: s.server ? 'server' : 'client',
      total: s.total,
      errors: s.errors,
      histogram: toExponentialHistogram(s.server ?? s.client),
      ...(s.trace ? { trace: s.trace } : {}),
    })),
    // Trace findings are kept as span structures (latency[].trace), compared by baseline-trace rules.
    divergences: findings.filter((f) => f.kind !== 'trace').map((f) => ({ id: f.id, service: f.service, method: f.method, route: f.route, class: f.class, path: f.path, count: f.count })),
  };
}

export async function saveBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(baseline) + '\n');
}

export async function readBaseline(file: string): Promise<Baseline> {
  return readDataFile(file, BaselineSchema, 'GAUNTLET_INPUT_INVALID', 'baseline');
}
