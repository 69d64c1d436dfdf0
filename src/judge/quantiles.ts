/** Sample quantiles the way R's `quantile(x, type = 7)` (its default, and numpy's) computes them. */
import { GauntletError } from '../util/errors.ts';

/**
 * Type-7 quantile of an ascending-sorted sample: linear interpolation between order statistics
 * at 1 + (n − 1)·p, using R's own expression ((1 − h)·lo + h·hi) so the digits match.
 * The input must already be sorted; NaN for an empty sample.
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= -100 * Number.EPSILON && p <= 1 + 100 * Number.EPSILON)) {
    throw new GauntletError('GAUNTLET_INTERNAL', `quantile probability ${p} is outside [0, 1]`);
  }
  const n = sorted.length;
  if (n === 0) return NaN;
  const index = 1 + (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qs = sorted[lo - 1]!;
  const upper = sorted[hi - 1]!;
  if (index > lo && upper !== qs) {
    const h = index - lo;
    return (1 - h) * qs + h * upper;
  }
  return qs;
}

export function quantiles(sorted: ArrayLike<number>, ps: readonly number[]): number[] {
  return ps.map((p) => quantile(sorted, p));
}
