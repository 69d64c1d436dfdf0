import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  bootstrapQuantileRatio,
  createRng,
  hodgesLehmann,
  kthPairwiseDifference,
  mannWhitneyU,
  quantile,
} from '../src/judge/index.ts';
import { rankStatsGrouped, rankStatsSorted } from '../src/judge/ranks.ts';

const latency = fc.double({ min: 0.01, max: 5000, noNaN: true, noDefaultInfinity: true });
/** Whole milliseconds: plenty of ties, within and across samples. */
const coarse = fc.integer({ min: 0, max: 30 });
const sample = (n: number) => fc.oneof(fc.array(latency, { minLength: 1, maxLength: n }), fc.array(coarse, { minLength: 1, maxLength: n }));

describe('Mann-Whitney U', () => {
  it('U(x, y) + U(y, x) = n_x · n_y, ties or not', () => {
    fc.assert(
      fc.property(sample(80), sample(80), (x, y) => {
        expect(mannWhitneyU(x, y).U + mannWhitneyU(y, x).U).toBe(x.length * y.length);
      }),
    );
  });

  it('p-values lie in [0, 1] on every path and alternative', () => {
    fc.assert(
      fc.property(sample(60), sample(60), fc.constantFrom('two-sided', 'less', 'greater' as const), fc.constantFrom('auto', 'exact', 'normal' as const), fc.boolean(), (x, y, alternative, method, correct) => {
        const { pValue } = mannWhitneyU(x, y, { alternative, method, correct });
        expect(pValue).toBeGreaterThanOrEqual(0);
        expect(pValue).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('one-sided p-values are complementary on the exact path (P(U ≤ u) + P(U ≥ u) = 1 + P(U = u))', () => {
    fc.assert(
      fc.property(fc.uniqueArray(latency, { minLength: 1, maxLength: 15 }), fc.uniqueArray(latency, { minLength: 1, maxLength: 15 }), (x, y) => {
        fc.pre(new Set([...x, ...y]).size === x.length + y.length);
        const less = mannWhitneyU(x, y, { alternative: 'less', method: 'exact' }).pValue;
        const greater = mannWhitneyU(x, y, { alternative: 'greater', method: 'exact' }).pValue;
        expect(less + greater).toBeGreaterThanOrEqual(1 - 1e-12);
      }),
    );
  });

  it('bucket counts give the same U and tie term as the expanded samples', () => {
    const counts = fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(counts, counts, (cx, cy) => {
        const k = Math.min(cx.length, cy.length);
        const ax = cx.slice(0, k);
        const ay = cy.slice(0, k);
        fc.pre(ax.some((c) => c > 0) && ay.some((c) => c > 0));
        const expand = (c: number[]) => Float64Array.from(c.flatMap((count, g) => Array<number>(count).fill(g)));
        const grouped = rankStatsGrouped(ax, ay);
        const raw = rankStatsSorted(expand(ax), expand(ay));
        expect(grouped).toEqual(raw);
      }),
    );
  });
});

describe('Hodges-Lehmann shift', () => {
  it('the shift of (x + c) against x is c, and the interval holds it', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 2, maxLength: 60 }), fc.double({ min: -100, max: 100, noNaN: true }), (x, c) => {
        const shifted = x.map((v) => v + c);
        const hl = hodgesLehmann(shifted, x);
        const scale = 1e-9 * (1 + Math.max(...x.map(Math.abs)));
        expect(Math.abs(hl.estimate - c)).toBeLessThanOrEqual(scale);
        expect(hl.lower).toBeLessThanOrEqual(hl.estimate);
        expect(hl.upper).toBeGreaterThanOrEqual(hl.estimate);
      }),
    );
  });

  it('the interval brackets the estimate on both paths, and one-sided intervals are open on one side', () => {
    fc.assert(
      fc.property(sample(70), sample(70), fc.constantFrom('two-sided', 'less', 'greater' as const), (x, y, alternative) => {
        const hl = hodgesLehmann(x, y, 0.98, { alternative });
        expect(hl.lower).toBeLessThanOrEqual(hl.estimate);
        expect(hl.upper).toBeGreaterThanOrEqual(hl.estimate);
        if (alternative === 'greater') expect(hl.upper).toBe(Infinity);
        if (alternative === 'less') expect(hl.lower).toBe(-Infinity);
      }),
    );
  });
});

describe('k-th pairwise difference without materialising', () => {
  it('equals the k-th of the sorted m·n differences', () => {
    fc.assert(
      fc.property(sample(120), sample(120), fc.double({ min: 0, max: 1, noNaN: true }), (x, y, u) => {
        const xs = Float64Array.from(x).sort();
        const ys = Float64Array.from(y).sort();
        const all = Float64Array.from(x.flatMap((a) => y.map((b) => a - b))).sort();
        const k = 1 + Math.min(all.length - 1, Math.floor(u * all.length));
        expect(kthPairwiseDifference(xs, ys, k)).toBe(all[k - 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('stays exact on 3,000 × 3,000 (9e6 differences) with heavy ties', () => {
    const xs = Float64Array.from({ length: 3000 }, (_, i) => (i * 7919) % 40).sort();
    const ys = Float64Array.from({ length: 3000 }, (_, i) => (i * 104729) % 35).sort();
    // With integer values the k-th difference is found by counting per difference value.
    const counts = new Map<number, number>();
    const cx = new Map<number, number>();
    const cy = new Map<number, number>();
    for (const v of xs) cx.set(v, (cx.get(v) ?? 0) + 1);
    for (const v of ys) cy.set(v, (cy.get(v) ?? 0) + 1);
    for (const [a, na] of cx) for (const [b, nb] of cy) counts.set(a - b, (counts.get(a - b) ?? 0) + na * nb);
    const values = [...counts.keys()].sort((a, b) => a - b);
    const kth = (k: number) => {
      let seen = 0;
      for (const v of values) if ((seen += counts.get(v)!) >= k) return v;
      return NaN;
    };
    for (const k of [1, 4_500_000, 4_500_001, 4_321_987, 9_000_000]) expect(kthPairwiseDifference(xs, ys, k)).toBe(kth(k));
  });
});

describe('quantiles and p-value adjustment', () => {
  it('quantile is monotone in p and stays within the sample', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, p, q) => {
        const sorted = [...x].sort((a, b) => a - b);
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        expect(quantile(sorted, lo)).toBeLessThanOrEqual(quantile(sorted, hi));
        expect(quantile(sorted, lo)).toBeGreaterThanOrEqual(sorted[0]!);
        expect(quantile(sorted, hi)).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
      }),
    );
  });

  it('adjusted p-values: p ≤ BH ≤ Holm ≤ 1, order preserved', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (p) => {
        const holm = adjustPValues(p, 'holm');
        const bh = adjustPValues(p, 'bh');
        p.forEach((v, i) => {
          expect(bh[i]).toBeGreaterThanOrEqual(v);
          expect(holm[i]).toBeGreaterThanOrEqual(bh[i]! - 1e-15);
          expect(holm[i]).toBeLessThanOrEqual(1);
        });
        for (let i = 0; i < p.length; i++) for (let j = 0; j < p.length; j++) if (p[i]! < p[j]!) expect(holm[i]).toBeLessThanOrEqual(holm[j]!);
      }),
    );
  });
});

describe('bootstrap', () => {
  it('drawing order statistics matches the naive resample-and-sort bootstrap', () => {
    const rng = createRng(3);
    for (const [n, p] of [
      [200, 0.5],
      [400, 0.95],
      [37, 0.9],
    ] as const) {
      const x = Array.from({ length: n }, () => Math.exp(0.5 * rng.normal()));
      const y = Array.from({ length: n }, () => 1.05 * Math.exp(0.5 * rng.normal()));
      const fast = bootstrapQuantileRatio(x, y, p, { resamples: 4000, seed: 1 });
      const xs = [...x].sort((a, b) => a - b);
      const ys = [...y].sort((a, b) => a - b);
      const ratios: number[] = [];
      for (let r = 0; r < 4000; r++) {
        const rx = Float64Array.from({ length: n }, () => xs[rng.nextInt(n)]!).sort();
        const ry = Float64Array.from({ length: n }, () => ys[rng.nextInt(n)]!).sort();
        ratios.push(quantile(ry, p) / quantile(rx, p));
      }
      ratios.sort((a, b) => a - b);
      // Two Monte Carlo estimates of the same 1% / 99% points: equal up to simulation noise.
      expect(Math.abs(fast.lower - quantile(ratios, 0.01)) / fast.ratio, `n=${n} p=${p} lower`).toBeLessThan(0.03);
      expect(Math.abs(fast.upper - quantile(ratios, 0.99)) / fast.ratio, `n=${n} p=${p} upper`).toBeLessThan(0.03);
    }
  });

  it('is reproducible for a seed and moves with it', () => {
    const x = Array.from({ length: 300 }, (_, i) => 10 + ((i * 37) % 101) / 10);
    const y = x.map((v) => v * 1.03);
    const a = bootstrapQuantileRatio(x, y, 0.95, { seed: 7 });
    expect(bootstrapQuantileRatio(x, y, 0.95, { seed: 7 })).toEqual(a);
    expect(bootstrapQuantileRatio(x, y, 0.95, { seed: 8 })).not.toEqual(a);
    expect(a.ratio).toBeCloseTo(1.03, 10);
    expect(a.lower).toBeLessThanOrEqual(a.ratio);
    expect(a.upper).toBeGreaterThanOrEqual(a.ratio);
  });
});
