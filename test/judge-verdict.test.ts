/**
 * The verdict on realistic latencies: false alarms, power, the quantile test, too few samples,
 * multiple routes. All simulations are seeded, so these are deterministic.
 */
import { describe, expect, it } from 'vitest';
import { compareLatency, judgeRoutes, type LatencySample } from '../src/judge/index.ts';
import { GauntletError } from '../src/util/errors.ts';
import { simulate, stretchUpperTail, TYPICAL, type LatencyModel } from './fixtures/judge/latency-sim.ts';

const raw = (values: number[]): LatencySample => ({ kind: 'raw', values });

describe('A/A: identical distributions', () => {
  it('flag at most 1% of 500 comparisons from heavy-tailed latencies (default options)', () => {
    const sizes = [30, 100, 300, 1000, 3000];
    const flagged: string[] = [];
    for (let t = 0; t < 500; t++) {
      // Vary everything a real fleet varies: body width, tail weight and share, sample size.
      const model: LatencyModel = {
        median: 2 + (t % 13) * 9,
        sigma: 0.2 + 0.1 * (t % 5),
        tailProb: [0.002, 0.01, 0.03][t % 3]!,
        tailAlpha: [1.1, 1.5, 2, 3][t % 4]!,
      };
      const n = sizes[t % sizes.length]!;
      const v = compareLatency(raw(simulate(10_000 + 2 * t, n, model)), raw(simulate(10_001 + 2 * t, n, model)), { seed: t });
      if (v.verdict !== 'pass') flagged.push(`#${t} n=${n}: ${v.verdict} — ${v.reason}`);
    }
    expect(flagged.length, flagged.join('\n')).toBeLessThanOrEqual(5);
  });
});

describe('power', () => {
  /*
   * A +5% shift is called 'slower' only once the whole 98% interval clears the tolerance band, so
   * power needs 5% − tolerance ≥ (z.99 + z.95)·SE ≈ 4·SE. The Hodges-Lehmann SE at 2,000 a side
   * is ≈ 1/(√12·∫f²)·√(2/2000); for a lognormal body that is ≈ 2.5·σ % of the median. With the
   * suggested 2% tolerance that needs σ ≲ 0.25 — a tight service (p99/p50 ≈ 1.6) with the same
   * heavy Pareto tail as elsewhere. Wider bodies need a smaller tolerance or more samples; the
   * verdict's `needed` says how many.
   */
  const tight: LatencyModel = { median: 20, sigma: 0.2, tailProb: 0.005, tailAlpha: 1.8 };

  it('detects a +5% median shift at 2,000 a side in ≥ 95% of 100 trials (tolerance 2%)', () => {
    let slower = 0;
    for (let t = 0; t < 100; t++) {
      const v = compareLatency(raw(simulate(20_000 + 2 * t, 2000, tight)), raw(simulate(20_001 + 2 * t, 2000, tight, (x) => x * 1.05)), {
        tolerance: { relative: 0.02 },
        seed: t,
      });
      if (v.verdict === 'slower') slower++;
      expect(v.shift!.relative).toBeGreaterThan(0.02);
    }
    expect(slower).toBeGreaterThanOrEqual(95);
  });

  it('calls the mirror image faster', () => {
    const v = compareLatency(raw(simulate(1, 2000, tight)), raw(simulate(2, 2000, tight, (x) => x * 0.95)), { tolerance: { relative: 0.02 } });
    expect(v.verdict).toBe('faster');
    expect(v.reason).toMatch(/^b is faster/);
  });

  /*
   * A p99 change is much harder to resolve than a median one: the p99's sampling SE is
   * √(p(1−p)/n)/(f(q)·q) ≈ 0.08·σ/√(n/1000)... concretely ≈ 7% for the ratio at 2,000 a side with
   * the TYPICAL body — a +10% change can't be resolved there by any method, and with the default
   * quantileTolerance of 0.1 a +10% change *is* the tolerance. So: 10,000 a side (one load-test
   * route) and quantileTolerance 0.02; the ratio SE is then ≈ 3.4% and +10% clears the band by 8%.
   */
  it('flags a +10% p99 with an unchanged median through the quantile test (10,000 a side)', () => {
    const stretch = stretchUpperTail(TYPICAL, 0.99, 1.1);
    let p99Flagged = 0;
    let slowerByQuantile = 0;
    const trials = 30;
    for (let t = 0; t < trials; t++) {
      const v = compareLatency(raw(simulate(30_000 + 2 * t, 10_000, TYPICAL)), raw(simulate(30_001 + 2 * t, 10_000, TYPICAL, stretch)), {
        quantileTolerance: 0.02,
        seed: t,
      });
      const p50 = v.quantiles.find((q) => q.p === 0.5)!;
      expect(p50.flagged).toBe(false); // the median did not move
      expect(Math.abs(v.shift!.relative)).toBeLessThan(0.05); // nor did the location shift, materially
      if (v.quantiles.find((q) => q.p === 0.99)!.flagged) p99Flagged++;
      if (v.verdict === 'slower' && v.reason.includes('slower at p9')) slowerByQuantile++;
    }
    expect(p99Flagged / trials).toBeGreaterThanOrEqual(0.8);
    expect(slowerByQuantile / trials).toBeGreaterThan(0.9); // p95 moves too (+7.5%), and is caught
  });
});

describe('small samples', () => {
  // Issue 12 item 13: a 9× slowdown, 15 a side, no overlap, was "inconclusive — too few samples".
  const fast = Array.from({ length: 15 }, (_, i) => 1.8 + i * 0.04); // median 2.08 ms
  const slow = Array.from({ length: 15 }, (_, i) => 17.5 + i * 0.2); // median 18.9 ms
  const gateTolerance = { tolerance: { relative: 0.05, absoluteMs: 0.1 } };

  it('calls a decisive difference at 15 a side slower, with its interval (the exact test decides)', () => {
    const v = compareLatency(raw(fast), raw(slow), gateTolerance);
    expect(v.verdict).toBe('slower');
    expect(v.method).toMatch(/mann-whitney exact/);
    expect(v.pValue).toBeLessThan(1e-6);
    expect(v.shift!.lower).toBeGreaterThan(15);
    expect(v.shift!.upper).toBeLessThan(18);
    expect(v.reason).toMatch(/^b is slower: shift \+16\.8 ms .*interval \+16\.\d\.\.\+17\.\d ms/);
    expect(v.reason).toMatch(/p50 not judged \(needs 20 samples a side\); p95 not judged \(needs 200 samples a side\)/);
    expect(compareLatency(raw(slow), raw(fast), gateTolerance).verdict).toBe('faster');
  });

  it('3 a side cannot be tested: inconclusive with a sane hint from the observed effect', () => {
    const v = compareLatency(raw(fast.slice(0, 3)), raw(slow.slice(0, 3)), gateTolerance);
    expect(v.verdict).toBe('inconclusive');
    expect(v.pValue).toBeUndefined();
    expect(v.needed).toBeGreaterThanOrEqual(5);
    expect(v.needed).toBeLessThanOrEqual(10);
    expect(v.reason).toBe(
      `too few samples to test (a: 3, b: 3): at this size no outcome of the exact test reaches p < 0.05 with a bounded 98% interval; about ${v.needed} a side would resolve the observed difference (medians 1.84 → 17.7 ms)`,
    );
  });

  it('5 a side is enough for the exact test to call a non-overlapping difference', () => {
    expect(compareLatency(raw(fast.slice(0, 5)), raw(slow.slice(0, 5)), gateTolerance).verdict).toBe('slower');
    expect(compareLatency(raw(fast.slice(0, 4)), raw(slow.slice(0, 4)), gateTolerance).verdict).toBe('inconclusive');
  });

  it('a 3× slowdown at 12 vs 40 is slower; no difference at 12 vs 40 is inconclusive, never a pass', () => {
    expect(compareLatency(raw(simulate(1, 12)), raw(simulate(2, 40, TYPICAL, (x) => x * 3))).verdict).toBe('slower');
    const v = compareLatency(raw(simulate(1, 12)), raw(simulate(2, 40)));
    expect(v.verdict).toBe('inconclusive');
    expect(v.needed).toBeGreaterThanOrEqual(20);
    expect(v.pValue).toBeDefined();
    expect(v.reason).toMatch(/^no decisive difference in so few samples \(a: 12, b: 40\): no significant difference: shift .*; at least 20 a side are needed to call it a pass; about \d+ a side would detect a shift of twice the tolerance/);
  });

  it('omits an absurd hint', () => {
    // A/A in wide noise with a tolerance of 0.01%: no practical sample detects a shift that small.
    const wide = raw(simulate(41, 600, { ...TYPICAL, sigma: 1.5 }));
    const v = compareLatency(wide, wide, { tolerance: { relative: 0.0001 }, minSamples: 1000 });
    expect(v.verdict).toBe('inconclusive');
    expect(v.needed).toBeUndefined();
    expect(v.reason).toMatch(/at least 1000 a side are needed to call it a pass; a shift of twice the tolerance \(±[\d.]+ ms\) is too small for this spread to detect with a practical sample \(over 50,000 a side\)$/);
  });

  it('estimates more samples for noisier data and for a tighter tolerance', () => {
    const needed = (sigma: number, relative: number) =>
      compareLatency(raw(simulate(3, 15, { ...TYPICAL, sigma })), raw(simulate(4, 15, { ...TYPICAL, sigma })), { tolerance: { relative } }).needed!;
    expect(needed(0.6, 0.05)).toBeGreaterThan(needed(0.2, 0.05));
    expect(needed(0.3, 0.02)).toBeGreaterThan(needed(0.3, 0.05));
  });

  it('handles an empty side', () => {
    const v = compareLatency(raw([]), raw(simulate(5, 100)));
    expect(v.verdict).toBe('inconclusive');
    expect(v.n).toEqual({ a: 0, b: 100 });
  });
});

describe('tolerance', () => {
  it('passes a significant but immaterial shift, and says so', () => {
    const v = compareLatency(raw(simulate(7, 20_000)), raw(simulate(8, 20_000, TYPICAL, (x) => x * 1.015)));
    expect(v.adjustedPValue).toBeLessThan(0.05);
    expect(v.verdict).toBe('pass');
    expect(v.reason).toMatch(/^significant but immaterial/);
  });

  it('an absolute floor keeps sub-millisecond shifts of fast routes from failing', () => {
    const fast: LatencyModel = { median: 0.4, sigma: 0.2, tailProb: 0.005, tailAlpha: 2 };
    const a = raw(simulate(9, 5000, fast));
    const b = raw(simulate(10, 5000, fast, (x) => x * 1.2));
    expect(compareLatency(a, b).verdict).toBe('slower');
    expect(compareLatency(a, b, { tolerance: { absoluteMs: 0.5 } }).verdict).toBe('pass');
  });

  it("trim-iqr keeps a tail burst out of the shift test but not out of the quantiles", () => {
    const a = simulate(11, 3000, { ...TYPICAL, tailProb: 0.002 });
    const b = simulate(12, 3000, { ...TYPICAL, tailProb: 0.002 });
    const burst = b.map((v, i) => (i % 25 === 0 ? v * 20 : v)); // 4% of requests stall
    const kept = compareLatency(raw(a), raw(burst), { outliers: 'trim-iqr' });
    expect(kept.method).toMatch(/left out of the shift test/);
    expect(kept.quantiles.find((q) => q.p === 0.99)!.flagged).toBe(true);
    expect(kept.verdict).toBe('slower');
    expect(kept.reason).toMatch(/slower at .*p99 ×/);
    expect(Math.abs(kept.shift!.relative)).toBeLessThan(0.05); // the shift test saw no burst
  });
});

describe('judgeRoutes', () => {
  it('Holm-adjusts across routes, leaves untestable routes out of the family, and keys every verdict', () => {
    const routes = Array.from({ length: 20 }, (_, r) => ({
      key: `GET /r${r}`,
      a: raw(simulate(100 + 2 * r, 1500)),
      b: raw(simulate(101 + 2 * r, 1500, TYPICAL, (x) => (r === 4 ? x * 1.25 : x))),
    }));
    routes.push({ key: 'GET /rare', a: raw(simulate(1, 4)), b: raw(simulate(2, 4)) }); // too few for the exact test
    const verdicts = judgeRoutes(routes);
    expect(verdicts.map((v) => v.key)).toEqual(routes.map((r) => r.key));
    expect(verdicts.filter((v) => v.verdict === 'slower').map((v) => v.key)).toEqual(['GET /r4']);
    expect(verdicts.at(-1)!.verdict).toBe('inconclusive');
    const tested = verdicts.filter((v) => v.pValue !== undefined);
    expect(tested).toHaveLength(20);
    for (const v of tested) expect(v.adjustedPValue).toBeGreaterThanOrEqual(v.pValue!);
    expect(tested[0]!.method).toMatch(/holm-adjusted across 20 routes/);
    const none = judgeRoutes(routes, { correction: 'none' });
    for (const v of none.filter((x) => x.pValue !== undefined)) expect(v.adjustedPValue).toBe(v.pValue);
  });

  it('is deterministic, and a route’s bootstrap does not depend on its neighbours', () => {
    const route = { key: 'GET /a', a: raw(simulate(1, 2000)), b: raw(simulate(2, 2000)) };
    const other = { key: 'GET /b', a: raw(simulate(3, 2000)), b: raw(simulate(4, 2000)) };
    const alone = judgeRoutes([route], { correction: 'none' })[0]!;
    const together = judgeRoutes([other, route], { correction: 'none' })[1]!;
    expect(together.quantiles).toEqual(alone.quantiles);
    expect(judgeRoutes([route])).toEqual(judgeRoutes([route]));
  });
});

describe('input errors', () => {
  it.each([
    ['NaN sample', raw([1, Number.NaN, 3]), /values\[1\] is NaN/],
    ['counts/bounds mismatch', { kind: 'explicit', bounds: [1, 2], counts: [1, 2] }, /2 counts for 2 bounds/],
    ['unsorted bounds', { kind: 'explicit', bounds: [2, 1], counts: [1, 2, 3] }, /strictly increasing/],
    ['negative count', { kind: 'explicit', bounds: [1], counts: [1, -1] }, /counts\[1\] is -1/],
    ['fractional scale', { kind: 'exponential', scale: 1.5, zeroCount: 0, positive: { offset: 0, bucketCounts: [1] } }, /scale 1.5/],
  ] as Array<[string, LatencySample, RegExp]>)('%s → GAUNTLET_INPUT_INVALID', (_, bad, message) => {
    const good = raw(simulate(1, 50));
    try {
      compareLatency(good, bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GauntletError);
      expect((error as GauntletError).code).toBe('GAUNTLET_INPUT_INVALID');
      expect((error as GauntletError).message).toMatch(message);
      expect((error as GauntletError).facts.path).toBe('b');
    }
  });

  it.each([
    [{ alpha: 0 }, /alpha = 0/],
    [{ confLevel: 98 }, /confLevel = 98/],
    [{ quantiles: [99] }, /quantiles/],
    [{ resamples: 0 }, /resamples = 0/],
  ])('rejects option %o', (opts, message) => {
    expect(() => compareLatency(raw(simulate(1, 50)), raw(simulate(2, 50)), opts)).toThrow(message);
  });

  it('refuses to mix explicit and exponential histograms', () => {
    const explicit: LatencySample = { kind: 'explicit', bounds: [1, 10], counts: [10, 20, 5] };
    const exponential: LatencySample = { kind: 'exponential', scale: 2, zeroCount: 0, positive: { offset: 0, bucketCounts: [10, 20, 5] } };
    expect(() => compareLatency(explicit, exponential)).toThrow(/explicit-bucket histogram with an exponential one/);
  });
});
