/**
 * Everything the verdict is decided from, for one pair of samples: test, shift, quantile ratios.
 * Kept apart from the decision so judgeRoutes can correct the p-values of all routes together
 * before any route is decided.
 */
import { binnedQuantile, binnedShift, binnedSide, binnedSource, relativeWidthAt, type BinnedSide } from './binned.ts';
import { ratioInterval, rawSource, type ResampleSource } from './bootstrap.ts';
import { ownNoise, quantileInflation, rankSumInflation } from './dependence.ts';
import { GauntletError } from '../util/errors.ts';
import { alignBinned, sampleSize, validateSample } from './histogram.ts';
import { hodgesLehmannSorted } from './hodges-lehmann.ts';
import { mannWhitneyFromStats } from './mann-whitney.ts';
import { quantile } from './quantiles.ts';
import { rankStatsGrouped, rankStatsSorted, sortedCopy } from './ranks.ts';
import { createRng } from './rng.ts';
import { canDecide, minimumPerSide, noetherPerSide, perSideForTwiceTolerance, probabilityBeyond, SAMPLE_HINT_CAP } from './sample-size.ts';
import type { JudgeOptions, LatencySample, QuantileComparison } from './types.ts';

/** Bootstrapping a quantile with fewer samples beyond it than this says nothing (the extreme-value case where the bootstrap is inconsistent). */
export const MIN_TAIL_SAMPLES = 10;

export interface Measurement {
  n: { a: number; b: number };
  /** So few samples that no outcome of the exact test could decide (see `canDecide`): nothing else is computed. */
  tooFew: boolean;
  pValue?: number;
  /** Shift b − a; relative to median(a). */
  shift?: { estimate: number; lower: number; upper: number; relative: number };
  medianA: number;
  /** b's median, for the words of an undecided verdict. */
  medianB: number;
  /** Raw samples: P(b − a > band) and P(a − b > band), the observed effect beyond the tolerance (for the sample-size hint). */
  beyond?: { slower: number; faster: number };
  /** The tolerance band in data units: max(relative·|median(a)|, absoluteMs). */
  band: number;
  quantiles: QuantileComparison[];
  method: string;
  /** Pooled robust spread (IQR/1.349), for the sample-size estimate (NaN when there are enough samples to pass). */
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
  serialDependence: 'adjust' | 'ignore';
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
  check(opts.serialDependence === undefined || opts.serialDependence === 'adjust' || opts.serialDependence === 'ignore', 'serialDependence', opts.serialDependence, "must be 'adjust' or 'ignore'");
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
    serialDependence: opts.serialDependence ?? 'adjust',
  };
}

/** One side, ready for quantiles and resampling. */
interface Side {
  quantile(p: number): number;
  source: ResampleSource;
  /** Variance inflation of the p-quantile from serial dependence (1: independent, or not known). */
  inflation(p: number): number;
}

const independent = () => 1;

export function measureLatency(a: LatencySample, b: LatencySample, o: ResolvedOptions, seed = o.seed): Measurement {
  validateSample(a, 'a');
  validateSample(b, 'b');
  const n = { a: sampleSize(a), b: sampleSize(b) };
  const pct = `${Math.round(o.confLevel * 100)}%`;
  const base = { n, medianA: NaN, medianB: NaN, band: o.absolute, quantiles: [] as QuantileComparison[], spread: NaN, resolution: 0 };
  // Below minSamples a route can still be called slower or faster, never a pass: the summary is
  // only wanted for the words and the sample-size hint of an undecided verdict.
  const summary = Math.min(n.a, n.b) < o.minSamples ? smallSampleSummary(a, b, o) : undefined;
  if (!canDecide(n.a, n.b, o.alpha, o.confLevel)) {
    return { ...base, tooFew: true, method: 'none (too few samples for the exact test to decide)', ...summary };
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
    // Dependence is measured on what is each side's own (see dependence.ts), only when asked for.
    const noise = o.serialDependence === 'adjust' ? ownNoise(a.values, b.values, a.strata, b.strata) : undefined;
    const rawSide = (sorted: Float64Array, own: Float64Array | undefined, ownSorted: Float64Array | undefined): Side => ({
      quantile: (p) => quantile(sorted, p),
      source: rawSource(sorted),
      inflation: own && ownSorted ? (p) => quantileInflation(own, quantile(ownSorted, p)) : independent,
    });
    sideA = rawSide(as, noise?.a, noise?.sortedA);
    sideB = rawSide(bs, noise?.b, noise?.sortedB);
    medianA = quantile(as, 0.5);
    // Trimming feeds the shift test only: the quantile ratios exist to see the tail.
    const ta = o.outliers === 'trim-iqr' ? trimIqr(as) : as;
    const tb = o.outliers === 'trim-iqr' ? trimIqr(bs) : bs;
    const stats = rankStatsSorted(tb, ta);
    // Ranks in time order need every sample: with trimming the kept ones no longer have a sequence.
    const inflation = noise && ta === as && tb === bs ? rankSumInflation(noise.a, noise.b, noise.sortedA, noise.sortedB) : 1;
    test = mannWhitneyFromStats(stats, { inflation });
    const hl = hodgesLehmannSorted(tb, ta, o.confLevel, { inflation }, stats);
    shift = { estimate: hl.estimate, lower: hl.lower, upper: hl.upper };
    const trimmed = as.length - ta.length + (bs.length - tb.length);
    input = `raw samples${o.outliers === 'trim-iqr' ? `, ${trimmed} outside the IQR fences left out of the shift test` : ''}`;
    if (inflation > 1.2) input += `; samples move together in time: rank variance ×${inflation.toFixed(2)}`;
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
    // The absolute floor applies here too: on a 0.4 ms route a 20% p50 change is 0.08 ms.
    const tolerance = Math.max(o.quantileTolerance, qa > 0 ? o.absolute / qa : 0);
    const beyond = (r: { lower: number; upper: number }) => r.lower > 1 + tolerance || r.upper < 1 / (1 + tolerance);
    let r = ratioInterval(sideA.source, sideB.source, p, qa, qb, o.resamples, o.confLevel, rng);
    if (!beyond(r)) return { p, a: qa, b: qb, ratio: r.ratio, lower: r.lower, upper: r.upper, flagged: false };
    // Bursty samples are worth fewer independent ones: an interval that would flag is drawn again
    // at n / inflation (wider). One that flags nothing cannot start to by widening, so it stays.
    const effective = { a: Math.max(2, Math.round(n.a / sideA.inflation(p))), b: Math.max(2, Math.round(n.b / sideB.inflation(p))) };
    const dependent = effective.a < n.a || effective.b < n.b;
    if (dependent) {
      const worth = (source: ResampleSource, e: number): ResampleSource => (e < source.n ? { n: e, inverse: source.inverse } : source);
      r = ratioInterval(worth(sideA.source, effective.a), worth(sideB.source, effective.b), p, qa, qb, o.resamples, o.confLevel, rng);
    }
    return { p, a: qa, b: qb, ratio: r.ratio, lower: r.lower, upper: r.upper, flagged: beyond(r), ...(dependent ? { effectiveN: effective } : {}) };
  });

  return {
    n,
    tooFew: false,
    pValue: test.pValue,
    shift: { ...shift, relative: medianA !== 0 ? shift.estimate / medianA : NaN },
    medianA,
    medianB: sideB.quantile(0.5),
    band: Math.max(o.relative * Math.abs(medianA), o.absolute),
    ...(summary?.beyond ? { beyond: summary.beyond } : {}),
    quantiles,
    method: `mann-whitney ${test.method} (two-sided) + hodges-lehmann ${pct} CI + bootstrap quantile ratios (${o.resamples} resamples, ${pct}); ${input}`,
    spread: summary?.spread ?? NaN,
    resolution,
  };
}

function binnedAsSide(side: BinnedSide): Side {
  return { quantile: (p) => binnedQuantile(side, p), source: binnedSource(side), inflation: independent };
}

/** Tukey's fences at 1.5·IQR, on a sorted sample. */
function trimIqr(sorted: Float64Array): Float64Array {
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const lo = q1 - 1.5 * (q3 - q1);
  const hi = q3 + 1.5 * (q3 - q1);
  return sorted.filter((v) => v >= lo && v <= hi);
}

/** Pooled IQR/1.349 (σ for a normal; robust to the tail), both medians, and on raw samples the effect beyond the band. */
function smallSampleSummary(a: LatencySample, b: LatencySample, o: ResolvedOptions): Pick<Measurement, 'spread' | 'medianA' | 'medianB' | 'band' | 'beyond'> {
  const sorted = (s: LatencySample) => (s.kind === 'raw' ? Float64Array.from(s.values).sort() : undefined);
  const summary = (s: LatencySample): { iqr: number; median: number } => {
    const raw = sorted(s);
    if (raw) return { iqr: quantile(raw, 0.75) - quantile(raw, 0.25), median: quantile(raw, 0.5) };
    if (sampleSize(s) === 0) return { iqr: NaN, median: NaN };
    const side = binnedSide(alignBinned(s, s), 'a');
    return { iqr: binnedQuantile(side, 0.75) - binnedQuantile(side, 0.25), median: binnedQuantile(side, 0.5) };
  };
  const sa = summary(a);
  const sb = summary(b);
  const spreads = [sa.iqr, sb.iqr].filter((v) => Number.isFinite(v) && v > 0);
  const spread = spreads.length ? spreads.reduce((x, y) => x + y, 0) / spreads.length / 1.349 : NaN;
  const median = Number.isFinite(sa.median) ? sa.median : sb.median;
  const band = Math.max(o.relative * Math.abs(median), o.absolute);
  const as = sorted(a);
  const bs = sorted(b);
  const beyond = as && bs && as.length && bs.length ? probabilityBeyond(as, bs, band) : undefined;
  return { spread, medianA: sa.median, medianB: sb.median, band, ...(beyond ? { beyond } : {}) };
}

/**
 * Samples per side that would most likely decide an undecided comparison, and what they would
 * decide — the smaller of two estimates: Noether's size for the observed effect beyond the band
 * (the interval clears the band exactly when the test of "shift = band" rejects), and the size
 * that detects a shift of twice the tolerance (the test's sensitivity; when the observed effect is
 * noise, its estimate is noise too). At least minSamples when neither is smaller (enough to call a
 * pass). Undefined past SAMPLE_HINT_CAP — no practical sample resolves it.
 */
export function samplesNeeded(m: Pick<Measurement, 'spread' | 'band' | 'beyond' | 'n'>, o: ResolvedOptions): { needed?: number; target: 'observed' | 'twice-tolerance' | 'pass' } {
  const floor = (n: number) => Math.max(n, minimumPerSide(o.alpha, o.confLevel));
  const effect = m.beyond ? Math.max(m.beyond.slower, m.beyond.faster) : NaN;
  let observed = noetherPerSide(effect, Math.min(o.alpha, 1 - o.confLevel));
  // Already that many and still undecided (the correction across routes, ties): twice as many, not fewer.
  if (observed <= Math.max(m.n.a, m.n.b)) observed = 2 * Math.max(m.n.a, m.n.b);
  const twice = perSideForTwiceTolerance(m.spread, m.band, o.confLevel);
  if (Math.min(observed, twice) > SAMPLE_HINT_CAP) return { target: observed < twice ? 'observed' : 'twice-tolerance' };
  if (observed < twice && observed < o.minSamples) return { needed: floor(observed), target: 'observed' };
  if (Math.min(observed, twice) <= o.minSamples) return { needed: floor(o.minSamples), target: 'pass' };
  return observed < twice ? { needed: floor(observed), target: 'observed' } : { needed: floor(twice), target: 'twice-tolerance' };
}
