/**
 * Statistics of one side of a histogram pair, interpolating within buckets: quantiles the way
 * Prometheus' `histogram_quantile` does (rank = p·n, linear inside explicit buckets; log-linear
 * inside exponential ones), and the Hodges-Lehmann shift from the interpolated distributions.
 */
import type { ResampleSource } from './bootstrap.ts';
import { crossingRank, shiftOrderStatistics } from './hodges-lehmann.ts';
import type { BinnedPair } from './histogram.ts';
import { qnorm } from './normal.ts';

export interface BinnedSide {
  n: number;
  counts: Float64Array;
  /** cumulative[g] = counts[0] + … + counts[g] */
  cumulative: Float64Array;
  pair: BinnedPair;
}

/** Points standing in for a histogram in the shift computation; beyond this, bucket width dominates. */
const PSEUDO_POINTS = 2000;

export function binnedSide(pair: BinnedPair, side: 'a' | 'b'): BinnedSide {
  const counts = pair[side];
  const cumulative = new Float64Array(counts.length);
  let running = 0;
  for (let g = 0; g < counts.length; g++) cumulative[g] = running += counts[g]!;
  return { n: running, counts, cumulative, pair };
}

/** The interpolated p-quantile (Prometheus histogram_quantile semantics). NaN when empty. */
export function binnedQuantile(side: BinnedSide, p: number): number {
  const { n, counts, cumulative, pair } = side;
  if (!(n > 0)) return NaN;
  const rank = Math.min(1, Math.max(0, p)) * n;
  let a = 0;
  let b = counts.length - 1; // first bucket whose cumulative count reaches the rank
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (cumulative[mid]! >= rank) b = mid;
    else a = mid + 1;
  }
  let g = a;
  while (counts[g] === 0 && g < counts.length - 1) g++;
  const before = g > 0 ? cumulative[g - 1]! : 0;
  const fraction = counts[g]! > 0 ? Math.min(1, Math.max(0, (rank - before) / counts[g]!)) : 0;
  const lo = pair.lo[g]!;
  const hi = pair.hi[g]!;
  switch (pair.shape[g]) {
    case 'point':
      return lo;
    case 'log':
      return lo * Math.pow(hi / lo, fraction);
    default:
      return lo + (hi - lo) * fraction;
  }
}

export function binnedSource(side: BinnedSide): ResampleSource {
  return { n: side.n, inverse: (u) => binnedQuantile(side, u) };
}

/** Evenly spaced quantiles of the interpolated distribution: a sorted stand-in sample. */
export function pseudoSample(side: BinnedSide): Float64Array {
  const k = Math.max(1, Math.min(PSEUDO_POINTS, Math.round(side.n)));
  return Float64Array.from({ length: k }, (_, i) => binnedQuantile(side, (i + 0.5) / k));
}

/**
 * Hodges-Lehmann shift x − y between two binned sides with a two-sided interval. The interval's
 * ranks come from the real sample sizes (untied σ: interpolation treats the data as continuous)
 * and are read off the pseudo samples at the same relative rank.
 */
export function binnedShift(x: BinnedSide, y: BinnedSide, confLevel: number): { estimate: number; lower: number; upper: number } {
  const px = pseudoSample(x);
  const py = pseudoSample(y);
  const N = x.n * y.n;
  const pseudoN = px.length * py.length;
  const sigma = Math.sqrt((x.n * y.n * (x.n + y.n + 1)) / 12);
  const alpha = 1 - confLevel;
  const scaled = (zq: number) => {
    const k = crossingRank(N, sigma, zq, 'two-sided', true);
    return Math.min(pseudoN, Math.max(1, Math.ceil((k / N) * pseudoN)));
  };
  const [estimate, lower, upper] = shiftOrderStatistics(px, py, scaled(qnorm(alpha / 2, false)), scaled(qnorm(alpha / 2)));
  return { estimate, lower, upper };
}

/** Relative width of the bucket holding `value` on this layout (Infinity for the +Inf bucket). */
export function relativeWidthAt(pair: BinnedPair, value: number): number {
  for (let g = 0; g < pair.lo.length; g++) {
    if (value <= pair.hi[g]! || g === pair.lo.length - 1) {
      if (pair.shape[g] === 'point') return g === pair.lo.length - 1 && pair.hi[g] !== 0 ? Infinity : 0;
      return value > 0 ? (pair.hi[g]! - pair.lo[g]!) / value : Infinity;
    }
  }
  return Infinity;
}
