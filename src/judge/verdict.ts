/**
 * The latency verdict: is candidate b slower, faster, or no different from a?
 *
 * 'slower' needs *both* statistical evidence and a material effect — the Mann-Whitney p-value
 * (corrected across routes) under α AND the whole Hodges-Lehmann interval beyond the tolerance
 * band — or a quantile whose ratio interval lies entirely beyond the quantile tolerance (the
 * median can hold still while p99 degrades). A significant shift whose interval reaches into the
 * band is reported but passes: with thousands of samples everything is significant, and a 1%
 * shift must not fail a build. Small samples are judged by the exact test: a decisive difference
 * is called at any size the test can decide at (5 a side at the defaults); below `minSamples` a
 * route that shows none is 'inconclusive', never a pass. Too few to test at all is 'inconclusive'.
 */
import { adjustPValues, type Correction } from './adjust.ts';
import { measureLatency, resolveOptions, samplesNeeded, type Measurement, type ResolvedOptions } from './measure.ts';
import { hashSeed } from './rng.ts';
import { SAMPLE_HINT_CAP } from './sample-size.ts';
import type { JudgeOptions, LatencySample, LatencyVerdict, QuantileComparison, RouteVerdict } from './types.ts';

export function compareLatency(a: LatencySample, b: LatencySample, opts: JudgeOptions = {}): LatencyVerdict {
  const o = resolveOptions(opts);
  const m = measureLatency(a, b, o);
  return decide(m, m.pValue, o);
}

export interface JudgeRoutesOptions extends JudgeOptions {
  /** Across routes; default 'holm' (family-wise: a gate should not fail on one lucky route in a hundred). */
  correction?: Correction | 'none';
}

/**
 * Judge many routes as one family: the p-values of the routes that could be tested are corrected
 * together (routes with too few samples are not tests and don't dilute the family). Each route's
 * bootstrap stream is seeded from the seed and its key, so adding a route changes no other.
 */
export function judgeRoutes(entries: ReadonlyArray<{ key: string; a: LatencySample; b: LatencySample }>, opts: JudgeRoutesOptions = {}): RouteVerdict[] {
  const o = resolveOptions(opts);
  const measured = entries.map((e) => measureLatency(e.a, e.b, o, hashSeed(o.seed, e.key)));
  return decideRoutes(entries.map((e) => e.key), measured, opts, o);
}

/** The family-wise step of judgeRoutes, on measurements made anywhere (inline or in workers). */
export function decideRoutes(keys: readonly string[], measured: readonly Measurement[], opts: JudgeRoutesOptions, o: ResolvedOptions): RouteVerdict[] {
  const tested = measured.flatMap((m, i) => (m.pValue === undefined ? [] : [i]));
  const correction = opts.correction ?? 'holm';
  const raw = tested.map((i) => measured[i]!.pValue!);
  const adjusted = correction === 'none' ? raw : adjustPValues(raw, correction);
  const byIndex = new Map(tested.map((i, j) => [i, adjusted[j]!]));
  return measured.map((m, i) => {
    const verdict = decide(m, byIndex.get(i), o);
    if (correction !== 'none' && tested.length > 1 && verdict.pValue !== undefined) {
      verdict.method += `; p-values ${correction}-adjusted across ${tested.length} routes`;
    }
    return { key: keys[i]!, ...verdict };
  });
}

function decide(m: Measurement, adjustedP: number | undefined, o: ResolvedOptions): LatencyVerdict {
  if (m.tooFew || adjustedP === undefined || !m.shift) {
    const hint = sampleHint(m, o);
    return {
      verdict: 'inconclusive',
      reason: `too few samples to test (a: ${m.n.a}, b: ${m.n.b}): at this size no outcome of the exact test reaches p < ${o.alpha} with a bounded ${fmtPct(o.confLevel)} interval; ${hint.text}`,
      n: m.n,
      ...(hint.needed !== undefined ? { needed: hint.needed } : {}),
      quantiles: m.quantiles,
      method: m.method,
    };
  }
  const decided = decideMeasured(m, adjustedP, o);
  // A significant, material difference is evidence at any size; "no difference" in a handful of
  // samples is not evidence of none.
  if (decided.verdict !== 'pass' || Math.min(m.n.a, m.n.b) >= o.minSamples) return { ...decided, reason: [decided.reason, ...quantileNotes(m)].join('; ') };
  const hint = sampleHint(m, o);
  return {
    ...decided,
    verdict: 'inconclusive',
    reason: `no decisive difference in so few samples (a: ${m.n.a}, b: ${m.n.b}): ${decided.reason}; ${hint.text}`,
    ...(hint.needed !== undefined ? { needed: hint.needed } : {}),
  };
}

/** The words of an undecided verdict: what more samples would most likely decide. */
function sampleHint(m: Measurement, o: ResolvedOptions): { needed?: number; text: string } {
  const { needed, target } = samplesNeeded(m, o);
  const toPass = `at least ${o.minSamples} a side are needed to call it a pass`;
  const medians = Number.isFinite(m.medianA) && Number.isFinite(m.medianB) ? ` (medians ${fmt(m.medianA)} → ${fmt(m.medianB)} ms)` : '';
  if (target === 'observed') {
    return needed !== undefined
      ? { needed, text: `about ${needed} a side would resolve the observed difference${medians}` }
      : { text: `the observed difference${medians} is too small for its spread to resolve with a practical sample (over ${SAMPLE_HINT_CAP.toLocaleString('en-US')} a side)` };
  }
  if (target === 'twice-tolerance') {
    return needed !== undefined
      ? { needed, text: `${toPass}; about ${needed} a side would detect a shift of twice the tolerance (±${fmt(2 * m.band)} ms)` }
      : { text: `${toPass}; a shift of twice the tolerance (±${fmt(2 * m.band)} ms) is too small for this spread to detect with a practical sample (over ${SAMPLE_HINT_CAP.toLocaleString('en-US')} a side)` };
  }
  return { needed: needed!, text: toPass };
}

function decideMeasured(m: Measurement, adjustedP: number, o: ResolvedOptions): LatencyVerdict {
  const shift = m.shift!;
  const significant = adjustedP < o.alpha;
  const shiftSlower = significant && shift.lower > m.band;
  const shiftFaster = significant && shift.upper < -m.band;
  const judged = m.quantiles.filter((q) => q.flagged);
  const quantileSlower = judged.filter((q) => q.ratio > 1);
  const quantileFaster = judged.filter((q) => q.ratio < 1);

  const pText = `p = ${fmtP(m.pValue!)}${adjustedP !== m.pValue ? ` (adjusted ${fmtP(adjustedP)})` : ''}`;
  const shiftText = `shift ${describeShift(m)} vs the ±${describeBand(m, o)} tolerance, ${pText}`;
  const reasons: string[] = [];
  let verdict: LatencyVerdict['verdict'] = 'pass';
  if (shiftSlower || quantileSlower.length) {
    verdict = 'slower';
    if (shiftSlower) reasons.push(`b is slower: ${shiftText}`);
    if (quantileSlower.length) reasons.push(`b is slower at ${quantileSlower.map((q) => describeQuantile(q)).join(', ')} (beyond the ${fmtPct(o.quantileTolerance)} quantile tolerance)`);
    if (shiftFaster || quantileFaster.length) reasons.push(`though faster at ${shiftFaster ? 'the median shift' : quantileFaster.map((q) => describeQuantile(q)).join(', ')}`);
  } else if (shiftFaster || quantileFaster.length) {
    verdict = 'faster';
    if (shiftFaster) reasons.push(`b is faster: ${shiftText}`);
    if (quantileFaster.length) reasons.push(`b is faster at ${quantileFaster.map((q) => describeQuantile(q)).join(', ')}`);
  } else if (!significant) {
    reasons.push(`no significant difference: ${shiftText}`);
  } else {
    const inside = shift.lower >= -m.band && shift.upper <= m.band;
    reasons.push(`${inside ? 'significant but immaterial' : 'significant, but the interval reaches into the tolerance'}: ${shiftText}`);
  }
  // Buckets wider than twice the tolerance: U still sees mass crossing bounds, but the size of
  // the shift is interpolation inside the buckets, not measurement.
  if (m.resolution > 2 * o.relative) {
    reasons.push(`the buckets are ${Number.isFinite(m.resolution) ? `${fmtPct(m.resolution)} wide` : 'unbounded'} at a's median: the direction is measured, the size only interpolated`);
  }
  return {
    verdict,
    reason: reasons.join('; '),
    n: m.n,
    pValue: m.pValue,
    adjustedPValue: adjustedP,
    shift,
    quantiles: m.quantiles,
    method: m.method,
  };
}

/** Quantiles with too few samples beyond them to bootstrap, grouped by why. */
function quantileNotes(m: Measurement): string[] {
  const skipped = new Map<string, string[]>();
  for (const q of m.quantiles) if (q.skipped) skipped.set(q.skipped, [...(skipped.get(q.skipped) ?? []), `p${fmtQ(q.p)}`]);
  return [...skipped].map(([why, ps]) => `${ps.join(', ')} not judged (${why})`);
}

function describeShift(m: Measurement): string {
  const s = m.shift!;
  const rel = (v: number) => (m.medianA !== 0 ? ` (${fmtSigned((v / m.medianA) * 100)}%)` : '');
  return `${fmtSigned(s.estimate)} ms${rel(s.estimate)}, interval ${fmtSigned(s.lower)}..${fmtSigned(s.upper)} ms`;
}

function describeBand(m: Measurement, o: ResolvedOptions): string {
  return m.band === o.absolute && o.absolute > 0 ? `${fmt(o.absolute)} ms` : `${fmtPct(o.relative)} of a's median = ${fmt(m.band)} ms`;
}

function describeQuantile(q: QuantileComparison): string {
  return `p${fmtQ(q.p)} ×${fmt(q.ratio)} (interval ×${fmt(q.lower)}..×${fmt(q.upper)})`;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
const fmtSigned = (v: number) => `${v >= 0 ? '+' : ''}${fmt(v)}`;
const fmtPct = (v: number) => `${Number((v * 100).toPrecision(3))}%`;
const fmtQ = (p: number) => String(Number((p * 100).toPrecision(4)));
const fmtP = (p: number) => (p < 1e-4 ? p.toExponential(1) : Number(p.toPrecision(2)).toString());
