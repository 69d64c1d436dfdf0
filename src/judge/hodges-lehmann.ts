/**
 * Hodges-Lehmann location shift x − y with the confidence interval R's
 * `wilcox.test(x, y, conf.int = TRUE)` reports.
 *
 * - Exact path (no ties, small samples): the interval is a pair of order statistics of the m·n
 *   pairwise differences, at ranks from the exact U distribution (qwilcox); the estimate is their
 *   median.
 * - Normal path: the bounds are where the (continuity- and tie-corrected) standardised U of
 *   x − d crosses ±z as the shift d moves. That function of d is a step function that only jumps
 *   at pairwise differences, so the crossing *is* a pairwise difference of computable rank:
 *   'order-statistic' (default) finds it by selection — exact, scale-free, O((m+n)·log) for 10k
 *   samples a side. R instead runs `uniroot` (Brent, tol.root = 1e-4 absolute) on the step
 *   function and reports wherever Brent stops; 'uniroot' replays that iteration step for step for
 *   digit-for-digit agreement with R (tolRoot is in data units, so 1e-4 is coarse for seconds).
 */
import { GauntletError } from '../util/errors.ts';
import { continuity, usesExact, type TestMethod } from './mann-whitney.ts';
import { qnorm } from './normal.ts';
import { pairwiseOrderStatisticsAt } from './pairwise.ts';
import { rankStatsSorted, sortedCopy, uVariance, type RankStats } from './ranks.ts';
import { zeroin } from './root-find.ts';
import type { Alternative } from './types.ts';
import { pwilcox, qwilcox } from './wilcox-dist.ts';

export interface HodgesLehmannOptions {
  alternative?: Alternative;
  method?: TestMethod;
  /** Continuity correction of the normal-path bounds. Default true, like R. */
  correct?: boolean;
  rootFinding?: 'order-statistic' | 'uniroot';
  /** Absolute tolerance of the 'uniroot' replay; R's tol.root default. */
  tolRoot?: number;
  /** Multiplier (≥ 1) of U's variance on the normal path, for serially dependent samples (see dependence.ts). Default 1. */
  inflation?: number;
}

export interface HodgesLehmannResult {
  /** Shift x − y (R's "difference in location"). */
  estimate: number;
  lower: number;
  upper: number;
  /** Achieved confidence: lower than requested when an exact interval can't reach it (as R). */
  confLevel: number;
  method: 'exact' | 'normal';
}

export function hodgesLehmann(x: ArrayLike<number>, y: ArrayLike<number>, confLevel = 0.98, opts: HodgesLehmannOptions = {}): HodgesLehmannResult {
  return hodgesLehmannSorted(sortedCopy(x, 'x'), sortedCopy(y, 'y'), confLevel, opts);
}

/** The same on already-sorted samples (the judge sorts once for every statistic). */
export function hodgesLehmannSorted(xs: Float64Array, ys: Float64Array, confLevel = 0.98, opts: HodgesLehmannOptions = {}, stats = rankStatsSorted(xs, ys)): HodgesLehmannResult {
  const alternative = opts.alternative ?? 'two-sided';
  if (xs.length < 1 || ys.length < 1 || !(confLevel > 0 && confLevel < 1)) {
    throw new GauntletError('GAUNTLET_INTERNAL', `Hodges-Lehmann needs a sample on each side and 0 < confLevel < 1 (got ${xs.length}, ${ys.length}, ${confLevel})`);
  }
  if (usesExact(stats, opts.method)) return exactInterval(xs, ys, confLevel, alternative);
  const inflation = Math.max(1, opts.inflation ?? 1);
  if (opts.rootFinding === 'uniroot') return unirootInterval(xs, ys, confLevel, alternative, opts.correct ?? true, opts.tolRoot ?? 1e-4, inflation);
  return orderStatisticInterval(xs, ys, confLevel, alternative, opts.correct ?? true, inflation);
}

function exactInterval(xs: Float64Array, ys: Float64Array, confLevel: number, alternative: Alternative): HodgesLehmannResult {
  const m = xs.length;
  const n = ys.length;
  const alpha = 1 - confLevel;
  // R: qu = qwilcox(α, m, n) (α/2 two-sided), 0 → 1; bounds diffs[qu] and diffs[m·n − qu + 1].
  const qu = Math.max(1, qwilcox(alternative === 'two-sided' ? alpha / 2 : alpha, m, n));
  const tail = pwilcox(Math.trunc(qu) - 1, m, n);
  const achieved = alternative === 'two-sided' ? 2 * tail : tail;
  const [estimate, lower, upper] = shiftOrderStatistics(xs, ys, alternative === 'less' ? undefined : qu, alternative === 'greater' ? undefined : m * n - qu + 1);
  return { estimate, lower, upper, confLevel: achieved - alpha > alpha / 2 ? 1 - achieved : confLevel, method: 'exact' };
}

/**
 * [median of the differences, the lowerRank-th, the upperRank-th] in one selection (an absent
 * rank is an open bound: ∓Infinity).
 */
export function shiftOrderStatistics(xs: Float64Array, ys: Float64Array, lowerRank: number | undefined, upperRank: number | undefined): [number, number, number] {
  const total = xs.length * ys.length;
  const mid = [Math.floor((total + 1) / 2), Math.floor(total / 2) + 1];
  const ranks = [...mid, ...(lowerRank === undefined ? [] : [lowerRank]), ...(upperRank === undefined ? [] : [upperRank])];
  const values = pairwiseOrderStatisticsAt(xs, ys, ranks);
  const median = total % 2 === 1 ? values[0]! : (values[0]! + values[1]!) / 2;
  const lower = lowerRank === undefined ? -Infinity : values[2]!;
  const upper = upperRank === undefined ? Infinity : values[lowerRank === undefined ? 2 : 3]!;
  return [median, lower, upper];
}

/** The classical Hodges-Lehmann estimator: median of all m·n differences. */
export function medianDifference(xs: Float64Array, ys: Float64Array): number {
  return shiftOrderStatistics(xs, ys, undefined, undefined)[0];
}

/** σ of U away from the jump points: only ties *within* x and within y survive a generic shift. */
function withinSampleSigma(xs: Float64Array, ys: Float64Array): number {
  const tieSum = withinTies(xs) + withinTies(ys);
  return Math.sqrt(uVariance({ nx: xs.length, ny: ys.length, U: 0, tieSum }));
}

function withinTies(sorted: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) sum += t * t * t - t;
    i = j;
  }
  return sum;
}

/** The z quantiles each bound crosses: two-sided ±z(α/2), one-sided z(α) on the open side only. */
function boundQuantiles(confLevel: number, alternative: Alternative): { lower?: number; upper?: number } {
  const alpha = 1 - confLevel;
  if (alternative === 'two-sided') return { lower: qnorm(alpha / 2, false), upper: qnorm(alpha / 2) };
  return alternative === 'greater' ? { lower: qnorm(alpha, false) } : { upper: qnorm(alpha) };
}

/**
 * For d strictly between the k-th and (k+1)-th smallest differences, U(x − d) = N − k, so
 * z_k = (N − k − N/2 − correction)/σ falls with k; the bound for quantile zq is the jump at the
 * smallest k with z_k ≤ zq — evaluated with R's exact expression so the same k is chosen.
 */
export function crossingRank(N: number, sigma: number, zq: number, alternative: Alternative, correct: boolean): number {
  const below = (k: number) => {
    const dz = N - k - N / 2;
    return (dz - (correct ? continuity(dz, alternative) : 0)) / sigma - zq <= 0;
  };
  let k = Math.min(N, Math.max(0, Math.floor(N / 2 - zq * sigma) - 2));
  while (k < N && !below(k)) k++;
  while (k > 0 && below(k - 1)) k--;
  // k = 0: already below at the smallest difference (R returns mumin); never below: R returns mumax.
  return Math.min(N, Math.max(1, k));
}

function orderStatisticInterval(xs: Float64Array, ys: Float64Array, confLevel: number, alternative: Alternative, correct: boolean, inflation: number): HodgesLehmannResult {
  const N = xs.length * ys.length;
  const sigma = withinSampleSigma(xs, ys) * Math.sqrt(inflation);
  const q = boundQuantiles(confLevel, alternative);
  // σ = 0 only when each sample is constant: then every difference is the same number anyway.
  const rank = (zq: number | undefined) => (zq === undefined ? undefined : sigma > 0 ? crossingRank(N, sigma, zq, alternative, correct) : 1);
  const [estimate, lower, upper] = shiftOrderStatistics(xs, ys, rank(q.lower), rank(q.upper));
  return { estimate, lower, upper, confLevel, method: 'normal' };
}

/** R's own procedure, replayed: W(d) evaluated by re-ranking x − d against y, roots by Brent. */
function unirootInterval(xs: Float64Array, ys: Float64Array, confLevel: number, alternative: Alternative, correct: boolean, tol: number, inflation: number): HodgesLehmannResult {
  const nx = xs.length;
  const ny = ys.length;
  const W = (d: number, withCorrection: boolean) => {
    const s: RankStats = rankStatsSorted(xs, ys, d);
    const dz = s.U - (nx * ny) / 2;
    const c = withCorrection ? continuity(dz, alternative) : 0;
    return (dz - c) / Math.sqrt(uVariance(s) * inflation);
  };
  const mumin = xs[0]! - ys[ny - 1]!;
  const mumax = xs[nx - 1]! - ys[0]!;
  const wMin = W(mumin, correct);
  const wMax = W(mumax, correct);
  const root = (zq: number) => {
    const fLower = wMin - zq;
    if (fLower <= 0) return mumin;
    const fUpper = wMax - zq;
    if (fUpper >= 0) return mumax;
    return zeroin((d) => W(d, correct) - zq, mumin, mumax, fLower, fUpper, tol).root;
  };
  const q = boundQuantiles(confLevel, alternative);
  // R flips `correct` to FALSE before estimating: the estimate is the root of the uncorrected z.
  const e0 = W(mumin, false);
  const e1 = W(mumax, false);
  const estimate = mumin === mumax ? mumin : zeroin((d) => W(d, false), mumin, mumax, e0, e1, tol).root;
  return {
    estimate,
    lower: q.lower === undefined ? -Infinity : root(q.lower),
    upper: q.upper === undefined ? Infinity : root(q.upper),
    confLevel,
    method: 'normal',
  };
}
