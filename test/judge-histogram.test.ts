/**
 * Judging histograms (what Prometheus and OTel export) instead of raw samples: the tests work on
 * bucket counts directly, quantiles interpolate like histogram_quantile, and verdicts agree with
 * the raw-sample verdicts as long as the buckets are finer than the effect being judged.
 */
import { describe, expect, it } from 'vitest';
import { compareLatency, mannWhitneyU, type LatencySample } from '../src/judge/index.ts';
import { geometricBounds, simulate, toExplicit, toExponential, TYPICAL } from './fixtures/judge/latency-sim.ts';

const raw = (values: number[]): LatencySample => ({ kind: 'raw', values });
/** ~12% wide buckets from 1 ms to 10 s: a realistic hand-written latency layout. */
const BOUNDS = geometricBounds(1, 10_000, 20);
/** Only the quantile at p, without tail or sample-size rules getting in the way. */
const quantileOf = (h: LatencySample, p: number) => compareLatency(h, h, { quantiles: [p], minSamples: 1 }).quantiles[0]!.a;

describe('quantiles interpolate within buckets', () => {
  const h: LatencySample = { kind: 'explicit', bounds: [0.1, 0.2, 0.5, 1], counts: [10, 20, 30, 40, 0] };

  it('linearly, like Prometheus histogram_quantile', () => {
    expect(quantileOf(h, 0.5)).toBeCloseTo(0.4, 12); // rank 50: 20 of the 30 in (0.2, 0.5]
    expect(quantileOf(h, 0.05)).toBeCloseTo(0.05, 12); // the first bucket starts at 0
    expect(quantileOf(h, 0.8)).toBeCloseTo(0.75, 12);
  });

  it('reports the +Inf bucket by its lower bound', () => {
    const tail: LatencySample = { kind: 'explicit', bounds: [0.1, 1], counts: [50, 40, 10] };
    expect(quantileOf(tail, 0.99)).toBe(1);
  });

  it('log-linearly in exponential buckets, zero bucket at 0', () => {
    // scale 0: bucket i is (2^i, 2^(i+1)]; 100 values in (4, 8]
    const e: LatencySample = { kind: 'exponential', scale: 0, zeroCount: 100, positive: { offset: 2, bucketCounts: [100] } };
    expect(quantileOf(e, 0.25)).toBe(0);
    expect(quantileOf(e, 0.75)).toBeCloseTo(4 * Math.SQRT2, 12); // halfway through (4, 8] in log space
  });
});

describe('Mann-Whitney on bucket counts', () => {
  it('equals the tie-corrected test on the samples each bucket stands for', () => {
    const a = toExplicit(simulate(1, 800), BOUNDS);
    const b = toExplicit(simulate(2, 900, TYPICAL, (x) => x * 1.04), BOUNDS);
    // one representative per bucket: only the order of the tie groups matters
    const expand = (h: typeof a) => h.counts.flatMap((c, i) => Array<number>(c).fill(i));
    const expected = mannWhitneyU(expand(b), expand(a));
    const v = compareLatency(a, b);
    expect(expected.method).toBe('normal');
    expect(v.pValue).toBeCloseTo(expected.pValue, 14);
  });

  it('handles millions of observations in O(buckets)', () => {
    const a = toExplicit(simulate(3, 5000), BOUNDS);
    const b = toExplicit(simulate(4, 5000, TYPICAL, (x) => x * 1.1), BOUNDS);
    const scale = (h: typeof a) => ({ ...h, counts: h.counts.map((c) => c * 1000) });
    const start = performance.now();
    const v = compareLatency(scale(a), scale(b));
    expect(performance.now() - start).toBeLessThan(2000); // generous: a shared CI box; expanding 10M samples would take far longer
    expect(v.n).toEqual({ a: 5_000_000, b: 5_000_000 });
    expect(v.verdict).toBe('slower');
  });
});

describe('verdicts agree with raw samples', () => {
  const scenarios = [
    ['unchanged', 1, 'pass'],
    ['+20%', 1.2, 'slower'],
    ['−20%', 0.8, 'faster'],
  ] as const;
  const layouts = [
    ['explicit (12% buckets)', (v: number[]) => toExplicit(v, BOUNDS)],
    ['exponential (scale 4, 4.4% buckets)', (v: number[]) => toExponential(v, 4)],
  ] as const;

  for (const [layout, bucket] of layouts) {
    it.each(scenarios)(`${layout}: %s`, (_, factor, expected) => {
      for (let seed = 0; seed < 6; seed++) {
        const a = simulate(100 + 2 * seed, 3000);
        const b = simulate(101 + 2 * seed, 3000, TYPICAL, (x) => x * factor);
        const fromRaw = compareLatency(raw(a), raw(b), { seed });
        const fromHistogram = compareLatency(bucket(a), bucket(b), { seed });
        expect(fromRaw.verdict, `seed ${seed} raw: ${fromRaw.reason}`).toBe(expected);
        expect(fromHistogram.verdict, `seed ${seed} histogram: ${fromHistogram.reason}`).toBe(expected);
        // the interpolated shift lands within a bucket width of the raw one
        expect(Math.abs(fromHistogram.shift!.relative - fromRaw.shift!.relative)).toBeLessThan(0.06);
      }
    });
  }

  it('states the resolution in the method line', () => {
    const v = compareLatency(toExplicit(simulate(1, 500), BOUNDS), toExplicit(simulate(2, 500), BOUNDS));
    expect(v.method).toMatch(/explicit buckets \(\d+ bounds\), bucket width at a's median 1\d\.\d%/);
  });
});

describe('layouts are aligned before comparing', () => {
  const a = simulate(7, 2000);
  const b = simulate(8, 2000, TYPICAL, (x) => x * 1.15);

  it('explicit: coarsened to the bounds both sides share', () => {
    const coarse = BOUNDS.filter((_, i) => i % 2 === 0);
    const mixed = compareLatency(toExplicit(a, BOUNDS), toExplicit(b, coarse));
    const same = compareLatency(toExplicit(a, coarse), toExplicit(b, coarse));
    expect(mixed.pValue).toBe(same.pValue);
    expect(mixed.shift).toEqual(same.shift);
    expect(mixed.method).toMatch(/coarsened to the bounds both sides share/);
  });

  it('exponential: downscaled to the coarser scale', () => {
    const mixed = compareLatency(toExponential(a, 6), toExponential(b, 3));
    const same = compareLatency(toExponential(a, 3), toExponential(b, 3));
    expect(mixed.pValue).toBe(same.pValue);
    expect(mixed.shift).toEqual(same.shift);
    expect(mixed.method).toMatch(/scale 3/);
  });

  it('a raw side is binned into the histogram layout', () => {
    expect(compareLatency(raw(a), toExplicit(b, BOUNDS))).toEqual(compareLatency(toExplicit(a, BOUNDS), toExplicit(b, BOUNDS)));
    expect(compareLatency(toExponential(a, 4), raw(b))).toEqual(compareLatency(toExponential(a, 4), toExponential(b, 4)));
  });
});
