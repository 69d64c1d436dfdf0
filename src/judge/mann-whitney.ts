/**
 * Mann-Whitney U (Wilcoxon rank-sum) test, taking the path R's `wilcox.test(x, y)` takes:
 * exact null distribution when there are no ties and both samples are under 50
 * ('auto'), otherwise the normal approximation with tie-corrected variance and (by default)
 * continuity correction. Rank-based, so a heavy latency tail can't swamp it the way it swamps a
 * t-test, and it needs no distributional assumption.
 */
import { GauntletError } from '../util/errors.ts';
import { pnorm } from './normal.ts';
import { rankStatsSorted, sortedCopy, uVariance, type RankStats } from './ranks.ts';
import type { Alternative } from './types.ts';
import { pwilcox } from './wilcox-dist.ts';

export type TestMethod = 'auto' | 'exact' | 'normal';

export interface MannWhitneyOptions {
  /** 'greater': x tends to be larger than y. Default 'two-sided'. */
  alternative?: Alternative;
  /** 'auto' (R's rule), or force a path; 'exact' with ties falls back to 'normal' as in R. */
  method?: TestMethod;
  /** Continuity correction on the normal path. Default true, like R. */
  correct?: boolean;
  /** Multiplier (≥ 1) of U's variance on the normal path, for serially dependent samples (see dependence.ts). Default 1. */
  inflation?: number;
}

export interface MannWhitneyResult {
  /** U of x = R's W statistic. */
  U: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** The (corrected) standard score on the normal path. */
  z?: number;
}

export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, opts: MannWhitneyOptions = {}): MannWhitneyResult {
  requireNonEmpty(x.length, y.length);
  return mannWhitneyFromStats(rankStatsSorted(sortedCopy(x, 'x'), sortedCopy(y, 'y')), opts);
}

/** Whether R would take the exact path for these rank statistics. */
export function usesExact(stats: RankStats, method: TestMethod = 'auto'): boolean {
  if (stats.tieSum > 0) return false;
  if (method === 'normal') return false;
  return method === 'exact' || (stats.nx < 50 && stats.ny < 50);
}

/** The test from precomputed rank statistics (the histogram path computes them from bucket counts). */
export function mannWhitneyFromStats(stats: RankStats, opts: MannWhitneyOptions = {}): MannWhitneyResult {
  const alternative = opts.alternative ?? 'two-sided';
  const { nx, ny, U } = stats;
  requireNonEmpty(nx, ny);
  if (usesExact(stats, opts.method)) {
    const pValue =
      alternative === 'greater'
        ? pwilcox(U - 1, nx, ny, false)
        : alternative === 'less'
          ? pwilcox(U, nx, ny)
          : Math.min(1, 2 * (U > (nx * ny) / 2 ? pwilcox(U - 1, nx, ny, false) : pwilcox(U, nx, ny)));
    return { U, pValue, method: 'exact' };
  }
  const sigma = Math.sqrt(uVariance(stats) * Math.max(1, opts.inflation ?? 1));
  let z = U - (nx * ny) / 2;
  const correction = opts.correct === false ? 0 : continuity(z, alternative);
  // Every value tied: there is no evidence of any difference (R would give NaN here).
  if (!(sigma > 0)) return { U, pValue: 1, method: 'normal', z: 0 };
  z = (z - correction) / sigma;
  const pValue =
    alternative === 'less' ? pnorm(z) : alternative === 'greater' ? pnorm(z, false) : 2 * Math.min(pnorm(z), pnorm(z, false));
  return { U, pValue: Math.min(1, pValue), method: 'normal', z };
}

/** R's continuity correction: half a step towards the null, in the tested direction. */
export function continuity(dz: number, alternative: Alternative): number {
  if (alternative === 'greater') return 0.5;
  if (alternative === 'less') return -0.5;
  return Math.sign(dz) * 0.5;
}

function requireNonEmpty(nx: number, ny: number): void {
  if (nx < 1 || ny < 1) {
    throw new GauntletError('GAUNTLET_INTERNAL', `Mann-Whitney needs at least one sample on each side (got ${nx} and ${ny})`);
  }
}
