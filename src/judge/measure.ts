/**
 * Everything the verdict is decided from, for one pair of samples: test, shift, quantile ratios.
 * Kept apart from the decision so judgeRoutes can correct the p-values of all routes together
 * before any route is decided.
 */
import { binnedQuantile, binnedShift, binnedSide, binnedSource, relativeWidthAt, type BinnedSide } from './binned.ts';
import { ratioInterval, rawSource, type ResampleSource } from './bootstrap.ts';
import { GauntletError } from '../util/errors.ts';
import { alignBinned, sampleSize, validateSample } from './histogram.ts';
import { hodgesLehmannSorted } from './hodges-lehmann.ts';
import { mannWhitneyFromStats } from './mann-whitney.ts';
import { qnorm } from './normal.ts';
import { quantile } from './quantiles.ts';
import { rankStatsGrouped, rankStatsSorted, sortedCopy } from './ranks.ts';
import { createRng } from './rng.ts';
import type { JudgeOptions, LatencySample, QuantileComparison } from './types.ts';

/** Bootstrapping a quantile with fewer samples beyond it than this says nothing (the extreme-value case where the bootstrap is inconsistent). */
export const MIN_TAIL_SAMPLES = 10;

export interface Measurement {
  n: { a: number; b: number };
  /** Fewer than minSamples on a side: nothing else is computed. */
  tooFew: boolean;
  pValue?: number;
  /** Shift b − a; relative to median(a). */
  shift?: { estimate: number; lower: number; upper: number; relative: number };
  medianA: number;
  /** The tolerance band in data units: max(relative·|median(a)|, absoluteMs). */
  band: number;
  quantiles: QuantileComparison[];
  method: string;
  /** Pooled robust spread (IQR/1.349), for the sample-size estimate. */
  spread: number;
  /** Histograms: relative width of the bucket holding a's median (0 for raw samples). */
  resolution: number;
}

export interface ResolvedOptions {
  alpha: number;
  confLevel: number;
  relative: number;
  absolute: number;
  minSamples: number;
  quantiles: number[];
  quantileTolerance: number;
  outliers: 'keep' | 'trim-iqr';
  resamples: number;
  seed: number;
}

export function resolveOptions(opts: JudgeOptions = {}): ResolvedOptions {
  const check = (ok: boolean, path: string, value: unknown, wanted: string) => {
    if (!ok) throw new GauntletError('GAUNTLET_INPUT_INVALID', `judge option ${path} = ${JSON.stringify(value)}: ${wanted}`, { path });
  };
  const inOpenUnit = (v: number | undefined) => v === undefined || (v > 0 && v < 1);
  check(inOpenUnit(opts.alpha), 'alpha', opts.alpha, 'must be in (0, 1)');
  check(inOpenUnit(opts.confLevel), 'confLevel', opts.confLevel, 'must be in (0, 1)');
  check((opts.quantiles ?? []).every((p) => p >= 0 && p <= 1), 'quantiles', opts.quantiles, 'probabilities must be in [0, 1]');
  check(opts.resamples === undefined || (Number.isInteger(opts.resamples) && opts.resamples >= 1), 'resamples', opts.resamples, 'must be a positive integer');
  check(opts.minSamples === undefined || opts.minSamples >= 1, 'minSamples', opts.minSamples, 'must be at least 1');
  check((opts.tolerance?.relative ?? 0) >= 0 && (opts.tolerance?.absoluteMs ?? 0) >= 0 && (opts.quantileTolerance ?? 0) >= 0, 'tolerance', opts.tolerance, 'tolerances must be ≥ 0');
  return {
    alpha: opts.alpha ?? 0.05,
    confLevel: opts.confLevel ?? 0.98,
    relative: opts.tolerance?.relative ?? 0.05,
    absolute: opts.tolerance?.absoluteMs ?? 0,
    minSamples: opts.minSamples ?? 20,
    quantiles: opts.quantiles ?? [0.5, 0.95, 0.99],
    quantileTolerance: opts.quantileTolerance ?? 0.1,
    outliers: opts.outliers ?? 'keep',
    resamples: opts.resamples ?? 1000,
    seed: opts.seed ?? 0x5eed,
  };
}

/** One side, ready for quantiles and resampling. */
interface Side {
  quantile(p: number): number;
  source: ResampleSource;
}

export function measureLatency(a: LatencySample, b: LatencySample, o: ResolvedOptions, seed = o.seed): Measurement {
  validateSample(a, 'a');
  validateSample(b, 'b');
  const n = { a: sampleSize(a), b: sampleSize(b) };
  const pct = `${Math.round(o.confLevel * 100)}%`;
  const base = { n, medianA: NaN, band: o.absolute, quantiles: [] as QuantileComparison[], spread: NaN, resolution: 0 };
  if (n.a < o.minSamples || n.b < o.minSamples) {
    return { ...base, tooFew: true, method: 'none (too few samples)', ...spreadAndMedian(a, b, o) };
  }

  let sideA: Side;
  let sideB: Side;
  let test: ReturnType<typeof mannWhitneyFromStats>;
  let shift: { estimate: number; lower: number; upper: number };
  let medianA: number;
  let input: string;
  let resolution = 0;
  if (a.kind === 'raw' && b.kind === 'raw') {
    const as = sortedCopy(a.values, 'a');
    const bs = sortedCopy(b.values, 'b');
    sideA = { quantile: (p) => quantile(as, p), source: rawSource(as) };
    sideB = { quantile: (p) => quantile(bs, p), source: rawSource(bs) };
    medianA = quantile(as, 0.5);
    // Trimming feeds the shift test only: the quantile ratios exist to see the tail.
    const ta = o.outliers === 'trim-iqr' ? trimIqr(as) : as;
    const tb = o.outliers === 'trim-iqr' ? trimIqr(bs) : bs;
    const stats = rankStatsSorted(tb, ta);
    test = mannWhitneyFromStats(stats);
    const hl = hodgesLehmannSorted(tb, ta, o.confLevel, {}, stats);
    shift = { estimate: hl.estimate, lower: hl.lower, upper: hl.upper };
    const trimmed = as.length - ta.length + (bs.length - tb.length);
    input = `raw samples${o.outliers === 'trim-iqr' ? `, ${trimmed} outside the IQR fences left out of the shift test` : ''}`;
  } else {
    const pair = alignBinned(a, b);
    const ha = binnedSide(pair, 'a');
    const hb = binnedSide(pair, 'b');
    sideA = binnedAsSide(ha);
    sideB = binnedAsSide(hb);
    medianA = binnedQuantile(ha, 0.5);
    test = mannWhitneyFromStats(rankStatsGrouped(pair.b, pair.a));
    shift = binnedShift(hb, ha, o.confLevel);
    resolution = relativeWidthAt(pair, medianA);
    input = `${pair.description}, bucket width at a's median ${Number.isFinite(resolution) ? `${(resolution * 100).toFixed(1)}%` : 'unbounded'}${o.outliers === 'trim-iqr' ? '; trim-iqr does not apply to histograms' : ''}`;
  }

  const rng = createRng(seed);
  const quantiles = o.quantiles.map((p): QuantileComparison => {
    const qa = sideA.quantile(p);
    const qb = sideB.quantile(p);
    const tail = Math.min(p, 1 - p);
    if (Math.min(n.a, n.b) * tail < MIN_TAIL_SAMPLES) {
      const skipped = tail === 0 ? 'the minimum and maximum cannot be bootstrapped' : `needs ${Math.ceil(MIN_TAIL_SAMPLES / tail)} samples a side`;
      return { p, a: qa, b: qb, ratio: qa === 0 ? NaN : qb / qa, lower: NaN, upper: NaN, flagged: false, skipped };
    }
    const r = ratioInterval(sideA.source, sideB.source, p, qa, qb, o.resamples, o.confLevel, rng);
    // The absolute floor applies here too: on a 0.4 ms route a 20% p50 change is 0.08 ms.
    const tolerance = Math.max(o.quantileTolerance, qa > 0 ? o.absolute / qa : 0);
    const flagged = r.lower > 1 + tolerance || r.upper < 1 / (1 + tolerance);
    return { p, a: qa, b: qb, ratio: r.ratio, lower: r.lower, upper: r.upper, flagged };
  });

  return {
    n,
    tooFew: false,
    pValue: test.pValue,
    shift: { ...shift, relative: medianA !== 0 ? shift.estimate / medianA : NaN },
    medianA,
    band: Math.max(o.relative * Math.abs(medianA), o.absolute),
    quantiles,
    method: `mann-whitney ${test.method} (two-sided) + hodges-lehmann ${pct} CI + bootstrap quantile ratios (${o.resamples} resamples, ${pct}); ${input}`,
    spread: NaN, // only wanted for the sample-size estimate of an inconclusive verdict
    resolution,
  };
}

function binnedAsSide(side: BinnedSide): Side {
  return { quantile: (p) => binnedQuantile(side, p), source: binnedSource(side) };
}

/** Tukey's fences at 1.5·IQR, on a sorted sample. */
function trimIqr(sorted: Float64Array): Float64Array {
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const lo = q1 - 1.5 * (q3 - q1);
  const hi = q3 + 1.5 * (q3 - q1);
  return sorted.filter((v) => v >= lo && v <= hi);
}

/** Pooled IQR/1.349 (σ for a normal; robust to the tail) and a's median, from whatever there is. */
function spreadAndMedian(a: LatencySample, b: LatencySample, o: ResolvedOptions): { spread: number; medianA: number; band: number } {
  const summary = (s: LatencySample): { iqr: number; median: number } => {
    if (s.kind === 'raw') {
      const sorted = Float64Array.from(s.values).sort();
      return { iqr: quantile(sorted, 0.75) - quantile(sorted, 0.25), median: quantile(sorted, 0.5) };
    }
    if (sampleSize(s) === 0) return { iqr: NaN, median: NaN };
    const side = binnedSide(alignBinned(s, s), 'a');
    return { iqr: binnedQuantile(side, 0.75) - binnedQuantile(side, 0.25), median: binnedQuantile(side, 0.5) };
  };
  const sa = summary(a);
  const sb = summary(b);
  const spreads = [sa.iqr, sb.iqr].filter((v) => Number.isFinite(v) && v > 0);
  const spread = spreads.length ? spreads.reduce((x, y) => x + y, 0) / spreads.length / 1.349 : NaN;
  const median = Number.isFinite(sa.median) ? sa.median : sb.median;
  return { spread, medianA: median, band: Math.max(o.relative * Math.abs(median), o.absolute) };
}

/**
 * Samples per side for the shift test to call a shift of twice the tolerance band with 80% power:
 * its interval must clear the band, so SE ≤ band/(z_conf + z_0.8), with SE² ≈ (π/3)·σ²·2/n for the
 * Hodges-Lehmann shift (its efficiency relative to the mean is 3/π under normality). Rough: σ is a
 * pooled IQR/1.349 from however few samples there are.
 */
export function samplesNeeded(m: Pick<Measurement, 'spread' | 'band'>, o: ResolvedOptions): number {
  if (!(m.spread > 0) || !(m.band > 0)) return o.minSamples;
  const z = qnorm((1 + o.confLevel) / 2) + qnorm(0.8);
  const n = Math.ceil(((2 * Math.PI) / 3) * ((m.spread * z) / m.band) ** 2);
  return Math.max(o.minSamples, n);
}
