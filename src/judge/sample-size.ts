/**
 * How many samples a latency comparison needs: the floor below which even the exact Mann-Whitney
 * test cannot decide anything, and the power estimate behind an undecided route's hint.
 */
import { qnorm } from './normal.ts';

/** Past this many a side a hint is not advice: the difference is too small for its spread. */
export const SAMPLE_HINT_CAP = 50_000;

/** Power the sample-size hint aims for. */
const POWER = 0.8;

/**
 * Whether na × nb samples can decide at all. The most extreme ordering (no overlap) has exact
 * two-sided p = 2 / C(na+nb, na): it must be under α, and the Hodges-Lehmann interval must be
 * bounded by order statistics at the requested confidence (below that R widens it to the whole
 * range at a lower achieved confidence). 5 a side at α 0.05 and 98%; ties only make it harder.
 */
export function canDecide(na: number, nb: number, alpha: number, confLevel: number): boolean {
  if (na < 1 || nb < 1) return false;
  const needAbove = Math.max(2 / alpha, 2 / (1 - confLevel) - 1e-9);
  const k = Math.min(na, nb);
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (na + nb - k + i)) / i;
    if (c > needAbove) return true;
  }
  return false;
}

/** The smallest equal sample per side that `canDecide`. */
export function minimumPerSide(alpha: number, confLevel: number): number {
  let n = 1;
  while (!canDecide(n, n, alpha, confLevel)) n++;
  return n;
}

/**
 * P(B − A > δ) and P(A − B > δ) over all pairs of two sorted samples: the effect the U test sees
 * once the tolerance band δ is taken off — the interval clears the band exactly when the test of
 * "shift = δ" rejects.
 */
export function probabilityBeyond(as: Float64Array, bs: Float64Array, band: number): { slower: number; faster: number } {
  const pairs = as.length * bs.length;
  if (pairs === 0) return { slower: NaN, faster: NaN };
  return { slower: countBelow(as, bs, band) / pairs, faster: countBelow(bs, as, band) / pairs };
}

/** Pairs (x, y) with y − x > band, by one merge-like pass over both sorted arrays. */
function countBelow(xs: Float64Array, ys: Float64Array, band: number): number {
  let count = 0;
  let i = 0;
  for (const y of ys) {
    while (i < xs.length && xs[i]! < y - band) i++;
    count += i;
  }
  return count;
}

/**
 * Noether's (1987) sample size for the Mann-Whitney test, equal sides: n = (z_{1−α/2} + z_power)² /
 * (6·(P − ½)²) per side, P the probability an observation of one side exceeds one of the other.
 * Rough: P is estimated from however few samples there are, and the correction across routes is
 * not in it. Infinity when P ≤ ½ (no effect to find).
 */
export function noetherPerSide(p: number, twoSidedAlpha: number): number {
  if (!(p > 0.5)) return Infinity;
  const z = qnorm(1 - twoSidedAlpha / 2) + qnorm(POWER);
  return Math.ceil((z * z) / (6 * (p - 0.5) ** 2));
}

/**
 * Samples per side for the shift test to call a shift of twice the tolerance band with 80% power:
 * its interval must clear the band, so SE ≤ band/(z_conf + z_0.8), with SE² ≈ (π/3)·σ²·2/n for the
 * Hodges-Lehmann shift (its efficiency relative to the mean is 3/π under normality). σ is a pooled
 * IQR/1.349. Infinity when there is no spread or band to go on.
 */
export function perSideForTwiceTolerance(spread: number, band: number, confLevel: number): number {
  if (!(spread > 0) || !(band > 0)) return Infinity;
  const z = qnorm((1 + confLevel) / 2) + qnorm(POWER);
  return Math.ceil(((2 * Math.PI) / 3) * ((spread * z) / band) ** 2);
}
