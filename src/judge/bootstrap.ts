/**
 * Bootstrap interval for a quantile ratio q_y(p) / q_x(p).
 *
 * The naive bootstrap redraws n values per side per resample and sorts them: 1000 resamples ×
 * 10,000 samples × 2 sides is 2e7 draws plus 2000 sorts for *one* quantile of *one* route. But
 * a resample is F̂⁻¹(U₁..Uₙ) for iid uniforms U, and F̂⁻¹ is monotone, so its k-th order
 * statistic is F̂⁻¹(U₍ₖ₎) with U₍ₖ₎ ~ Beta(k, n − k + 1); the next one up is
 * U₍ₖ₎ + (1 − U₍ₖ₎)·(1 − V^(1/(n−k))) (the minimum of the n − k uniforms above it). Drawing those
 * two is *exactly* the distribution of the resample's type-7 quantile, at O(1) per resample
 * instead of O(n log n). For a histogram F̂⁻¹ is the bucket-interpolated quantile function, which
 * makes it a smoothed bootstrap.
 */
import { quantile } from './quantiles.ts';
import { sortedCopy } from './ranks.ts';
import { createRng, type Rng } from './rng.ts';

/** What the bootstrap resamples from: n observations with empirical quantile function inverse(u), u ∈ (0, 1]. */
export interface ResampleSource {
  n: number;
  inverse(u: number): number;
}

export interface BootstrapOptions {
  resamples?: number;
  confLevel?: number;
  seed?: number;
}

export interface RatioInterval {
  /** q_y / q_x on the data themselves. */
  ratio: number;
  lower: number;
  upper: number;
}

export function bootstrapQuantileRatio(x: ArrayLike<number>, y: ArrayLike<number>, p: number, opts: BootstrapOptions = {}): RatioInterval {
  const xs = sortedCopy(x, 'x');
  const ys = sortedCopy(y, 'y');
  const rng = createRng(opts.seed ?? 0x5eed);
  return ratioInterval(rawSource(xs), rawSource(ys), p, quantile(xs, p), quantile(ys, p), opts.resamples ?? 1000, opts.confLevel ?? 0.98, rng);
}

/** Resampling a sorted raw sample: F̂⁻¹(u) = x₍⌈n·u⌉₎. */
export function rawSource(sorted: Float64Array): ResampleSource {
  const n = sorted.length;
  return { n, inverse: (u) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(n * u) - 1))]! };
}

/** Percentile interval of the resampled ratio; `qx`, `qy` are the point estimates. */
export function ratioInterval(x: ResampleSource, y: ResampleSource, p: number, qx: number, qy: number, resamples: number, confLevel: number, rng: Rng): RatioInterval {
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) ratios[r] = ratio(resampledQuantile(x, p, rng), resampledQuantile(y, p, rng));
  ratios.sort();
  return {
    ratio: ratio(qx, qy),
    lower: quantile(ratios, (1 - confLevel) / 2),
    upper: quantile(ratios, (1 + confLevel) / 2),
  };
}

/** y / x, with 0/0 read as "no change" rather than NaN (an all-zero quantile on both sides). */
function ratio(qx: number, qy: number): number {
  if (qx === 0) return qy === 0 ? 1 : qy > 0 ? Infinity : -Infinity;
  return qy / qx;
}

/** The type-7 p-quantile of one bootstrap resample of `source`, drawn via its order statistics. */
export function resampledQuantile(source: ResampleSource, p: number, rng: Rng): number {
  const n = source.n;
  const index = 1 + (n - 1) * p;
  const k = Math.floor(index);
  const h = index - k;
  const uk = rng.beta(k, n - k + 1);
  const low = source.inverse(uk);
  if (h === 0 || k >= n) return low;
  const next = uk + (1 - uk) * (1 - Math.pow(rng.nextOpen(), 1 / (n - k)));
  return (1 - h) * low + h * source.inverse(next);
}
