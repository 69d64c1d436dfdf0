/**
 * Rank statistics in one merge pass. Both the raw and the histogram paths reduce to the same two
 * numbers: U (pairs where x beats y, ties counting ½ — R's W) and Σ(t³ − t) over tie groups,
 * which is all the tie-corrected variance needs. Never materialises ranks.
 */
import { GauntletError } from '../util/errors.ts';

export interface RankStats {
  nx: number;
  ny: number;
  /** Mann-Whitney U of x: #{x_i > y_j} + ½·#{x_i = y_j}; equals R's W. */
  U: number;
  /** Σ over tie groups of t³ − t (0 when all values are distinct). */
  tieSum: number;
}

/** Sorted copy, refusing NaN/∞ (R drops NA silently; here a NaN latency is a bug upstream). */
export function sortedCopy(values: ArrayLike<number>, what = 'sample'): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `${what} value #${i} is ${out[i]}`, { hint: 'latency samples must be finite numbers' });
    }
  }
  return out.sort();
}

/** U and the tie term for sorted x shifted by −d against sorted y (d = 0: plain Mann-Whitney). */
export function rankStatsSorted(xs: Float64Array, ys: Float64Array, d = 0): RankStats {
  const nx = xs.length;
  const ny = ys.length;
  let i = 0;
  let j = 0;
  let U = 0;
  let tieSum = 0;
  while (i < nx || j < ny) {
    const xv = i < nx ? xs[i]! - d : Infinity;
    const yv = j < ny ? ys[j]! : Infinity;
    const v = xv < yv ? xv : yv;
    let a = 0;
    while (i < nx && xs[i]! - d === v) {
      a++;
      i++;
    }
    let b = 0;
    while (j < ny && ys[j] === v) {
      b++;
      j++;
    }
    // x values in this group beat every y before it (j − b of them) and tie with b.
    U += a * (j - b + b / 2);
    const t = a + b;
    if (t > 1) tieSum += t * t * t - t;
  }
  return { nx, ny, U, tieSum };
}

/**
 * The same from tie groups given as counts per ordered group (histogram buckets on a common
 * layout): O(groups), never expanding to samples.
 */
export function rankStatsGrouped(cx: ArrayLike<number>, cy: ArrayLike<number>): RankStats {
  let nx = 0;
  let ny = 0;
  let U = 0;
  let tieSum = 0;
  for (let g = 0; g < cx.length; g++) {
    const a = cx[g]!;
    const b = cy[g]!;
    U += a * (ny + b / 2);
    nx += a;
    ny += b;
    const t = a + b;
    if (t > 1) tieSum += t * t * t - t;
  }
  return { nx, ny, U, tieSum };
}

/** Variance of U under H0 with the tie correction (R: (nx·ny/12)·((N+1) − Σ(t³−t)/(N(N−1)))). */
export function uVariance(s: RankStats): number {
  const N = s.nx + s.ny;
  return ((s.nx * s.ny) / 12) * (N + 1 - s.tieSum / (N * (N - 1)));
}
