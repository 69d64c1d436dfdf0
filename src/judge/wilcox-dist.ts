/**
 * The exact null distribution of the Mann-Whitney U statistic, as R's pwilcox/qwilcox compute it:
 * counts of the C(m+n, n) orderings giving each U, by dynamic programming over counts. Only used
 * for small samples (R's rule: both sides under 50, no ties), where it is cheap and the normal
 * approximation is poor.
 */
import { GauntletError } from '../util/errors.ts';

/** m·n above which the O((m·n)²) table is refused: R's automatic rule never goes past 49 × 49. */
export const EXACT_MAX_PAIRS = 10_000;

interface Distribution {
  /** counts[u] = number of orderings with U = u, u = 0..m·n. */
  counts: Float64Array;
  total: number;
}

const cache = new Map<string, Distribution>();

/**
 * counts(m, n)[u] = counts(m−1, n)[u−n] + counts(m, n−1)[u]: the largest of the m+n values is
 * either an x (beating all n y's) or a y (beating nothing). Only additions of positive numbers,
 * so no cancellation even though the counts reach 1e29 at 49 × 49.
 */
function distribution(m: number, n: number): Distribution {
  if (m > n) return distribution(n, m); // U's distribution is symmetric in (m, n)
  const key = `${m},${n}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (m * n > EXACT_MAX_PAIRS) {
    throw new GauntletError('GAUNTLET_INTERNAL', `exact Mann-Whitney distribution for ${m} × ${n} samples is too large to tabulate`, {
      hint: "use method 'normal' (or 'auto', which picks it for samples of 50 or more)",
    });
  }
  let previous: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const current: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const row = new Float64Array(i * j + 1);
      const withX = previous[j]!; // (i−1, j), shifted by j
      for (let u = 0; u < withX.length; u++) row[u + j]! += withX[u]!;
      const withY = current[j - 1]!; // (i, j−1)
      for (let u = 0; u < withY.length; u++) row[u]! += withY[u]!;
      current.push(row);
    }
    previous = current;
  }
  const counts = previous[n]!;
  let total = 0;
  for (const c of counts) total += c;
  const result = { counts, total };
  if (cache.size > 64) cache.clear();
  cache.set(key, result);
  return result;
}

/** P(U ≤ q) (or P(U > q)), summing over the shorter side like R so small tails stay precise. */
export function pwilcox(q: number, m: number, n: number, lowerTail = true): number {
  q = Math.floor(q + 1e-7);
  if (q < 0) return lowerTail ? 0 : 1;
  if (q >= m * n) return lowerTail ? 1 : 0;
  const { counts, total } = distribution(m, n);
  let p = 0;
  if (q <= (m * n) / 2) {
    for (let i = 0; i <= q; i++) p += counts[i]! / total;
    return lowerTail ? p : 1 - p;
  }
  const upper = m * n - q;
  for (let i = 0; i < upper; i++) p += counts[i]! / total;
  return lowerTail ? 1 - p : p;
}

/** Smallest u with P(U ≤ u) ≥ p, with R's 10·ε fuzz so round-off doesn't skip a step. */
export function qwilcox(p: number, m: number, n: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return m * n;
  const { counts, total } = distribution(m, n);
  let cumulative = 0;
  let u = 0;
  if (p <= 0.5) {
    const target = p - 10 * Number.EPSILON;
    for (;;) {
      cumulative += counts[u]! / total;
      if (cumulative >= target) return u;
      u++;
    }
  }
  const target = 1 - p + 10 * Number.EPSILON;
  for (;;) {
    cumulative += counts[u]! / total;
    if (cumulative > target) return m * n - u;
    u++;
  }
}
