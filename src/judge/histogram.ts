/**
 * Histogram inputs: validation and putting both sides on one bucket layout.
 *
 * The Mann-Whitney test on histograms treats each bucket as a tie group, which is only sound if
 * both sides share the buckets: explicit layouts are coarsened to the bounds they have in common,
 * exponential ones downscaled to the coarser scale (the OTel merge rule), and a raw side is binned
 * into the histogram's layout — so a production histogram and load-test samples are compared at
 * the same resolution rather than one side getting an unfair advantage.
 *
 * Resolution limit: inside a bucket nothing is known. U sees a shift only through mass crossing
 * bucket boundaries (valid, but less powerful than raw samples); the shift and quantiles
 * interpolate within buckets (linearly for explicit, log-linearly for exponential), so their error
 * is up to a bucket's width — for exponential buckets a relative 2^(2^−scale) − 1 (9% at scale 3,
 * 2.2% at scale 5); for Prometheus' default buckets, 100% or more. A tolerance finer than about
 * half the bucket width at the median cannot be judged from such histograms; the verdict's method
 * line states the width there.
 */
import { GauntletError } from '../util/errors.ts';
import type { LatencySample } from './types.ts';

/** A common layout: bucket g covers (lo[g], hi[g]], interpolated as `shape[g]`; counts per side. */
export interface BinnedPair {
  lo: Float64Array;
  hi: Float64Array;
  /** 'point': all mass at `lo` (the +Inf bucket, the zero bucket). */
  shape: Array<'linear' | 'log' | 'point'>;
  a: Float64Array;
  b: Float64Array;
  description: string;
}

export function sampleSize(sample: LatencySample): number {
  if (sample.kind === 'raw') return sample.values.length;
  const counts = sample.kind === 'explicit' ? sample.counts : sample.positive.bucketCounts;
  let n = sample.kind === 'exponential' ? sample.zeroCount : 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  return n;
}

export function validateSample(sample: LatencySample, side: string): void {
  const bad = (message: string, hint?: string) =>
    new GauntletError('GAUNTLET_INPUT_INVALID', `latency sample ${side}: ${message}`, { path: side, ...(hint ? { hint } : {}) });
  const checkCounts = (counts: ArrayLike<number>, what: string) => {
    for (let i = 0; i < counts.length; i++) {
      if (!(counts[i]! >= 0 && Number.isFinite(counts[i]!))) throw bad(`${what}[${i}] is ${counts[i]}`, 'bucket counts are non-negative, per bucket (not cumulative)');
    }
  };
  if (sample.kind === 'explicit') {
    const { bounds, counts } = sample;
    if (counts.length !== bounds.length + 1) throw bad(`${counts.length} counts for ${bounds.length} bounds`, 'counts.length must be bounds.length + 1 (the last bucket is +Inf)');
    for (let i = 0; i < bounds.length; i++) {
      if (!Number.isFinite(bounds[i]!) || (i > 0 && !(bounds[i]! > bounds[i - 1]!))) throw bad(`bounds must be finite and strictly increasing (bounds[${i}] = ${bounds[i]})`);
    }
    checkCounts(counts, 'counts');
  } else if (sample.kind === 'exponential') {
    if (!Number.isInteger(sample.scale) || sample.scale < -10 || sample.scale > 20) throw bad(`scale ${sample.scale} is not an integer in [-10, 20]`);
    if (!Number.isInteger(sample.positive.offset)) throw bad(`offset ${sample.positive.offset} is not an integer`);
    checkCounts([sample.zeroCount], 'zeroCount');
    checkCounts(sample.positive.bucketCounts, 'bucketCounts');
  } else {
    for (let i = 0; i < sample.values.length; i++) {
      if (!Number.isFinite(sample.values[i]!)) throw bad(`values[${i}] is ${sample.values[i]}`);
    }
    if (sample.strata && sample.strata.length !== sample.values.length) throw bad(`${sample.strata.length} strata for ${sample.values.length} values`, 'one stratum per value, in the same order');
  }
}

/** Both sides on one layout (at least one side must be a histogram). */
export function alignBinned(a: LatencySample, b: LatencySample): BinnedPair {
  if (a.kind === 'exponential' || b.kind === 'exponential') {
    if (a.kind === 'explicit' || b.kind === 'explicit') {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', 'cannot compare an explicit-bucket histogram with an exponential one', {
        hint: 'export both runtimes with the same histogram aggregation (both explicit or both exponential)',
      });
    }
    return alignExponential(a, b);
  }
  return alignExplicit(a, b);
}

function alignExplicit(a: LatencySample, b: LatencySample): BinnedPair {
  const layouts = [a, b].filter((s): s is Extract<LatencySample, { kind: 'explicit' }> => s.kind === 'explicit');
  let common = Array.from(layouts[0]!.bounds);
  for (const other of layouts.slice(1)) {
    const theirs = new Set(Array.from(other.bounds));
    common = common.filter((v) => theirs.has(v));
  }
  const k = common.length;
  const fold = (s: LatencySample): Float64Array => {
    const out = new Float64Array(k + 1);
    if (s.kind === 'raw') {
      const sorted = Float64Array.from(s.values).sort();
      let g = 0;
      for (const v of sorted) {
        while (g < k && v > common[g]!) g++; // bucket g holds (common[g−1], common[g]]
        out[g]! += 1;
      }
      return out;
    }
    // alignBinned sends exponential layouts elsewhere: what is left here is explicit.
    const { bounds, counts } = s as Extract<LatencySample, { kind: 'explicit' }>;
    let g = 0;
    for (let i = 0; i < counts.length; i++) {
      const upper = i < bounds.length ? bounds[i]! : Infinity;
      while (g < k && upper > common[g]!) g++; // each of its buckets lies inside one common bucket
      out[g]! += counts[i]!;
    }
    return out;
  };
  const lo = new Float64Array(k + 1);
  const hi = new Float64Array(k + 1);
  const shape: BinnedPair['shape'] = [];
  for (let g = 0; g <= k; g++) {
    if (g === k) {
      // The +Inf bucket has no width to interpolate in: represented by its lower bound, as
      // Prometheus' histogram_quantile does.
      lo[g] = hi[g] = k > 0 ? common[k - 1]! : 0;
      shape.push('point');
    } else if (g === 0) {
      // Prometheus again: the first bucket starts at 0 when its bound is positive.
      const first = common[0]!;
      lo[g] = first > 0 ? 0 : first;
      hi[g] = first;
      shape.push(first > 0 ? 'linear' : 'point');
    } else {
      lo[g] = common[g - 1]!;
      hi[g] = common[g]!;
      shape.push('linear');
    }
  }
  const coarsened = layouts.some((l) => l.bounds.length > k);
  const description = `explicit buckets (${k} bounds${coarsened ? ', coarsened to the bounds both sides share' : ''})`;
  return { lo, hi, shape, a: fold(a), b: fold(b), description };
}

function alignExponential(a: LatencySample, b: LatencySample): BinnedPair {
  const scales = [a, b].flatMap((s) => (s.kind === 'exponential' ? [s.scale] : []));
  const scale = Math.min(...scales);
  // Sparse index → count per side at the common scale; index null is the zero bucket.
  const buckets = (s: LatencySample): Map<number, number> => {
    const out = new Map<number, number>();
    const add = (index: number, count: number) => out.set(index, (out.get(index) ?? 0) + count);
    if (s.kind === 'exponential') {
      const shift = s.scale - scale;
      add(-Infinity, s.zeroCount);
      for (let i = 0; i < s.positive.bucketCounts.length; i++) add(Math.floor((s.positive.offset + i) / 2 ** shift), s.positive.bucketCounts[i]!);
    } else if (s.kind === 'raw') {
      for (let i = 0; i < s.values.length; i++) add(exponentialIndex(s.values[i]!, scale), 1);
    }
    return out;
  };
  const ca = buckets(a);
  const cb = buckets(b);
  const indices = [...new Set([...ca.keys(), ...cb.keys()])].sort((x, y) => x - y);
  const base = 2 ** (2 ** -scale);
  const g = indices.length;
  const pair: BinnedPair = { lo: new Float64Array(g), hi: new Float64Array(g), shape: [], a: new Float64Array(g), b: new Float64Array(g), description: `exponential buckets (scale ${scale}, relative width ${((base - 1) * 100).toFixed(1)}%)` };
  indices.forEach((index, j) => {
    const zero = index === -Infinity;
    pair.lo[j] = zero ? 0 : base ** index;
    pair.hi[j] = zero ? 0 : base ** (index + 1);
    pair.shape.push(zero ? 'point' : 'log');
    pair.a[j] = ca.get(index) ?? 0;
    pair.b[j] = cb.get(index) ?? 0;
  });
  return pair;
}

/** OTel's mapping: bucket i holds (base^i, base^(i+1)]; values ≤ 0 go to the zero bucket. */
export function exponentialIndex(value: number, scale: number): number {
  if (value <= 0) return -Infinity;
  return Math.ceil(Math.log2(value) * 2 ** scale) - 1;
}
