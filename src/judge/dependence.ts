/**
 * Serial dependence of latency samples taken in time order. Latency on a shared machine comes in
 * bursts (a GC pause, a noisy neighbour, a CPU-starved event loop): neighbouring requests are slow
 * together. The rank test and the bootstrap assume independent samples, so on bursty data their
 * intervals are too narrow and an A/A comparison calls "slower" far more often than α. Measured on
 * the default run's validatord (350 requests a side, interleaved ABBA): lag-1 autocorrelation of
 * the p95 indicator 0.36–0.53, variance inflation 2–4.
 *
 * The correction is the textbook one for a statistic that is a mean of a stationary series: its
 * variance is σ²/n · (1 + 2 Σ ρ_k), so the sample is worth n / (1 + 2 Σ ρ_k) independent ones.
 * The sum is Geyer's initial positive sequence (pairs of autocorrelations summed while positive),
 * as used for the effective sample size of MCMC chains. A quantile is a function of the mean of
 * the indicator 1{x ≤ q}; a rank-sum test of the mean of the ranks; so each statistic takes the
 * inflation of the series it is a mean of.
 *
 * Measured on what is the side's own: the design's case order (destratify) and what both sides
 * share in time (detrend) are taken out first, since interleaving cancels those.
 *
 * Never below 1 (negative dependence would claim more than independent samples give), and only
 * where order means something: with fewer than MIN_SERIES samples the estimate is noise, and a
 * sorted input has lost its time order (its autocorrelation would be ~1 and blind every check).
 */

/** A stratum needs this many samples (both sides together) to be centred on its own median. */
const MIN_STRATUM = 10;

/**
 * Take out the design's own order before measuring dependence. Parity sends its cases in rounds
 * (c1 c2 c3 c4 c1 c2 …): when cases differ in latency the series repeats a pattern, which reads as
 * strong autocorrelation although a balanced rotation makes the comparison *more* precise, not
 * less. Each value is divided by its stratum's median (both sides pooled, so a real difference
 * between the sides survives); strata too small to have a median of their own (a replay's
 * one-off entries) share the median of all such values.
 */
export function destratify(a: ArrayLike<number>, strataA: ArrayLike<number>, b: ArrayLike<number>, strataB: ArrayLike<number>): { a: Float64Array; b: Float64Array } {
  const groups = new Map<number, number[]>();
  const add = (values: ArrayLike<number>, strata: ArrayLike<number>) => {
    for (let i = 0; i < values.length; i++) {
      const g = groups.get(strata[i]!);
      if (g) g.push(values[i]!);
      else groups.set(strata[i]!, [values[i]!]);
    }
  };
  add(a, strataA);
  add(b, strataB);
  const median = (xs: number[]) => {
    const s = Float64Array.from(xs).sort();
    const h = (s.length - 1) / 2;
    return (s[Math.floor(h)]! + s[Math.ceil(h)]!) / 2;
  };
  const rest: number[] = [];
  const centre = new Map<number, number>();
  for (const [k, g] of groups) {
    if (g.length >= MIN_STRATUM) centre.set(k, median(g));
    else rest.push(...g);
  }
  const restCentre = rest.length ? median(rest) : 1;
  const residual = (v: number, k: number) => {
    const c = centre.get(k) ?? restCentre;
    return c > 0 ? v / c : v - c;
  };
  return { a: Float64Array.from(a, (v, i) => residual(v, strataA[i]!)), b: Float64Array.from(b, (v, i) => residual(v, strataB[i]!)) };
}

/** Neighbours a side contributes to the local level around a sample (each side, each direction). */
const LEVEL_HALF_WINDOW = 16;

/**
 * Take out what both sides share in time before measuring dependence. The drivers interleave the
 * runtimes (ABBA), so whatever moves both together — the process warming up over the run, the
 * machine's busy spells — cancels in the comparison; only what one side does on its own (its
 * collector, its CPU share) makes its neighbours move together against the other side. Each value
 * is divided by the geometric mean of its neighbours on both sides (index i of a stands next to
 * index i·n_b/n_a of b, which is how interleaved samples line up in time): prefix sums of the logs,
 * so O(n) whatever the window.
 */
export function detrend(a: ArrayLike<number>, b: ArrayLike<number>): { a: Float64Array; b: Float64Array } {
  const w = LEVEL_HALF_WINDOW;
  // A zero latency (a clock's resolution) must not send the log to −∞: floor at the smallest positive value.
  let floor = Infinity;
  for (const xs of [a, b]) for (let i = 0; i < xs.length; i++) if (xs[i]! > 0 && xs[i]! < floor) floor = xs[i]!;
  if (!Number.isFinite(floor)) return { a: Float64Array.from(a), b: Float64Array.from(b) };
  const prefix = (xs: ArrayLike<number>) => {
    const p = new Float64Array(xs.length + 1);
    for (let i = 0; i < xs.length; i++) p[i + 1] = p[i]! + Math.log(Math.max(xs[i]!, floor));
    return p;
  };
  const pa = prefix(a);
  const pb = prefix(b);
  const residuals = (own: ArrayLike<number>, po: Float64Array, pt: Float64Array, otherLength: number) => {
    const out = new Float64Array(own.length);
    for (let i = 0; i < own.length; i++) {
      const lo = Math.max(0, i - w);
      const hi = Math.min(own.length, i + w + 1);
      const c = Math.round((i * otherLength) / own.length);
      const olo = Math.max(0, c - w);
      const ohi = Math.min(otherLength, c + w + 1);
      const level = Math.exp((po[hi]! - po[lo]! + pt[ohi]! - pt[olo]!) / (hi - lo + ohi - olo));
      out[i] = own[i]! / level;
    }
    return out;
  };
  return { a: residuals(a, pa, pb, b.length), b: residuals(b, pb, pa, a.length) };
}

/**
 * Dependence is estimated on at most this many samples a side (the first ones, both sides over the
 * same stretch of time): autocorrelations good to about ±0.016, at a cost that does not grow with
 * a load run's 10⁵ samples.
 */
const MAX_SERIES = 4096;

/** The first `k` values (the array itself when it has no more). */
function leading(values: ArrayLike<number>, k: number): ArrayLike<number> {
  if (k >= values.length) return values;
  return Float64Array.from({ length: k }, (_, i) => values[i]!);
}

/** Fewer samples than this: dependence is not estimated (factor 1). */
const MIN_SERIES = 50;

/** The longest lag examined. */
const MAX_LAG = 200;

/** Variance inflation 1 + 2 Σ ρ_k of the mean of `series` (taken in time order), ≥ 1. */
export function varianceInflation(series: ArrayLike<number>): number {
  const n = series.length;
  if (n < MIN_SERIES) return 1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += series[i]!;
  mean /= n;
  const d = new Float64Array(n);
  let c0 = 0;
  for (let i = 0; i < n; i++) {
    d[i] = series[i]! - mean;
    c0 += d[i]! * d[i]!;
  }
  if (!(c0 > 0)) return 1;
  const rho = (k: number) => {
    let s = 0;
    for (let t = k; t < n; t++) s += d[t]! * d[t - k]!;
    return s / c0;
  };
  // Geyer: Γ_m = ρ_2m + ρ_2m+1 (ρ_0 = 1), summed while positive; τ = −1 + 2 Σ Γ_m.
  const maxLag = Math.min(MAX_LAG, Math.floor(n / 4));
  let tau = -1;
  for (let m = 0; 2 * m + 1 <= maxLag; m++) {
    const gamma = (m === 0 ? 1 : rho(2 * m)) + rho(2 * m + 1);
    if (!(gamma > 0)) break;
    tau += 2 * gamma;
  }
  return Math.min(n, Math.max(1, tau));
}

/** Whether `values` is monotone (its time order, if it ever had one, is gone). */
function monotone(values: ArrayLike<number>): boolean {
  let up = true;
  let down = true;
  for (let i = 1; i < values.length && (up || down); i++) {
    if (values[i]! < values[i - 1]!) up = false;
    if (values[i]! > values[i - 1]!) down = false;
  }
  return up || down;
}

/** Inflation of a quantile estimate: the series of 1{x ≤ q} at the sample's own p-quantile `q`. */
export function quantileInflation(values: ArrayLike<number>, q: number): number {
  if (values.length < MIN_SERIES || monotone(values)) return 1;
  return varianceInflation(Float64Array.from(values as ArrayLike<number>, (v) => (v <= q ? 1 : 0)));
}

/**
 * Inflation of the rank-sum statistic: each side's series of mid-ranks in the pooled sample,
 * weighted as the two sides enter the variance of U (σ²/n_a + σ²/n_b).
 */
export function rankSumInflation(a: ArrayLike<number>, b: ArrayLike<number>, sortedA: Float64Array, sortedB: Float64Array): number {
  if (Math.min(a.length, b.length) < MIN_SERIES || monotone(a) || monotone(b)) return 1;
  // Both sorted sides merged once; a value's mid-rank is then two binary searches in the pool.
  const pool = new Float64Array(sortedA.length + sortedB.length);
  for (let i = 0, j = 0, k = 0; k < pool.length; k++) pool[k] = j >= sortedB.length || (i < sortedA.length && sortedA[i]! <= sortedB[j]!) ? sortedA[i++]! : sortedB[j++]!;
  const bound = (v: number, upper: boolean) => {
    let lo = 0;
    let hi = pool.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (upper ? pool[mid]! <= v : pool[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const ranks = (series: ArrayLike<number>) => {
    const out = new Float64Array(series.length);
    for (let i = 0; i < series.length; i++) {
      const below = bound(series[i]!, false);
      out[i] = below + (bound(series[i]!, true) - below + 1) / 2;
    }
    return out;
  };
  const fa = varianceInflation(ranks(a));
  const fb = varianceInflation(ranks(b));
  const wa = 1 / a.length;
  const wb = 1 / b.length;
  return (fa * wa + fb * wb) / (wa + wb);
}

/** Each side's own noise in time order, with a sorted copy for its quantiles. */
export interface OwnNoise {
  a: Float64Array;
  b: Float64Array;
  sortedA: Float64Array;
  sortedB: Float64Array;
}

/**
 * What dependence is measured on: the first stretch of both sides over the same span of time (at
 * most MAX_SERIES on the larger side), the strata's levels and what both sides share taken out.
 * Undefined where it cannot be measured: too few samples, or a side that has lost its order.
 */
export function ownNoise(a: ArrayLike<number>, b: ArrayLike<number>, strataA?: ArrayLike<number>, strataB?: ArrayLike<number>): OwnNoise | undefined {
  if (Math.min(a.length, b.length) < MIN_SERIES || monotone(a) || monotone(b)) return undefined;
  const scale = Math.min(1, MAX_SERIES / Math.max(a.length, b.length));
  const ka = Math.floor(a.length * scale);
  const kb = Math.floor(b.length * scale);
  const levelled = strataA && strataB ? destratify(leading(a, ka), leading(strataA, ka), leading(b, kb), leading(strataB, kb)) : { a: leading(a, ka), b: leading(b, kb) };
  const own = detrend(levelled.a, levelled.b);
  return { ...own, sortedA: Float64Array.from(own.a).sort(), sortedB: Float64Array.from(own.b).sort() };
}
