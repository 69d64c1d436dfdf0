/**
 * Agreement with R. Every expected number below was computed by R itself
 * (test/fixtures/judge/make-reference.R → wilcox-reference.json); R is not needed to run this.
 *
 * Datasets: the two-sample example of R's own help page, `?wilcox.test` (Hollander & Wolfe 1973,
 * p. 69, permeability constants: x = c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46),
 * y = c(1.15, 0.88, 0.90, 0.74, 1.21)); integer latencies with ties; rounded lognormal with many
 * ties; and lognormal samples from 30 to 200 generated in R with set.seed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adjustPValues, createRng, hodgesLehmann, mannWhitneyU, pnorm, qnorm, quantile } from '../src/judge/index.ts';

interface WilcoxRow {
  dataset: string;
  alternative: 'two.sided' | 'less' | 'greater';
  exact: boolean | 'auto';
  correct: boolean;
  confLevel: number;
  tolRoot: number;
  method: string;
  W: number;
  pValue: number;
  estimate: number;
  confInt: [number | string, number | string];
  achievedConfLevel: number;
}

const reference = JSON.parse(readFileSync(new URL('./fixtures/judge/wilcox-reference.json', import.meta.url), 'utf8')) as {
  rVersion: string;
  datasets: Array<{ name: string; source: string; x: number[]; y: number[] }>;
  wilcox: WilcoxRow[];
  pairwiseMedian: Array<{ dataset: string; median: number }>;
  quantile: Array<{ name: string; values: number[]; probs: number[]; quantiles: number[] }>;
  pAdjust: { p: number[]; holm: number[]; BH: number[] };
  normal: { z: number[]; pnormLower: number[]; pnormUpper: number[]; p: number[]; qnorm: number[] };
};
const datasets = new Map(reference.datasets.map((d) => [d.name, d]));
const data = (name: string) => datasets.get(name)!;
const num = (v: number | string) => (v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
const alt = (a: WilcoxRow['alternative']) => (a === 'two.sided' ? 'two-sided' : a);
const method = (r: WilcoxRow) => (r.exact === 'auto' ? 'auto' : r.exact ? 'exact' : 'normal');
const label = (r: WilcoxRow) => `${r.dataset} ${r.alternative} exact=${r.exact} correct=${r.correct} tol.root=${r.tolRoot}`;

/** |a − b| ≤ 1e-6·|b| (exact equality for infinities and zeros). */
function expectRelClose(actual: number, expected: number, what: string, rel = 1e-6): void {
  if (!Number.isFinite(expected) || expected === 0) {
    expect(actual, what).toBe(expected);
    return;
  }
  const error = Math.abs(actual - expected) / Math.abs(expected);
  expect(error, `${what}: got ${actual}, R says ${expected}`).toBeLessThanOrEqual(rel);
}

describe('R reference fixture', () => {
  it('covers the help-page example, ties, and the normal-approximation path', () => {
    expect(data('help-example').x).toEqual([0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]);
    expect(data('help-example').y).toEqual([1.15, 0.88, 0.9, 0.74, 1.21]);
    expect(reference.wilcox.some((r) => r.method.includes('exact'))).toBe(true);
    expect(reference.wilcox.some((r) => r.method.includes('continuity correction'))).toBe(true);
    expect(reference.wilcox.filter((r) => data(r.dataset).x.length >= 50).length).toBeGreaterThan(10);
  });
});

describe('mannWhitneyU matches wilcox.test', () => {
  it.each(reference.wilcox.map((r) => [label(r), r] as const))('%s', (_, r) => {
    const d = data(r.dataset);
    const result = mannWhitneyU(d.x, d.y, { alternative: alt(r.alternative), method: method(r), correct: r.correct });
    expect(result.U).toBe(r.W);
    expect(result.method).toBe(r.method.includes('exact') ? 'exact' : 'normal');
    expectRelClose(result.pValue, r.pValue, 'p-value');
  });
});

describe('hodgesLehmann matches wilcox.test(conf.int = TRUE)', () => {
  // R's normal-path interval is wherever uniroot (Brent, tol.root) stops on a step function;
  // the 'uniroot' mode replays that iteration, so every row must agree to 1e-6.
  it.each(reference.wilcox.map((r) => [label(r), r] as const))('uniroot replay: %s', (_, r) => {
    const d = data(r.dataset);
    const hl = hodgesLehmann(d.x, d.y, r.confLevel, { alternative: alt(r.alternative), method: method(r), correct: r.correct, rootFinding: 'uniroot', tolRoot: r.tolRoot });
    expectRelClose(hl.estimate, r.estimate, 'estimate');
    expectRelClose(hl.lower, num(r.confInt[0]), 'lower');
    expectRelClose(hl.upper, num(r.confInt[1]), 'upper');
    expectRelClose(hl.confLevel, r.achievedConfLevel, 'achieved confidence');
  });

  // The default finds the jump point itself (a pairwise difference); R converges to the same
  // point when asked for tol.root = 1e-12, and the exact path has no root finding at all.
  const precise = reference.wilcox.filter((r) => r.exact === true || r.exact === 'auto' ? r.method.includes('exact') : r.tolRoot < 1e-6);
  it.each(precise.map((r) => [label(r), r] as const))('order statistics: %s', (_, r) => {
    const d = data(r.dataset);
    const hl = hodgesLehmann(d.x, d.y, r.confLevel, { alternative: alt(r.alternative), method: method(r), correct: r.correct });
    expectRelClose(hl.lower, num(r.confInt[0]), 'lower');
    expectRelClose(hl.upper, num(r.confInt[1]), 'upper');
    if (r.method.includes('exact')) expectRelClose(hl.estimate, r.estimate, 'estimate');
  });

  it.each(reference.pairwiseMedian.map((h) => [h.dataset, h] as const))('estimate = median(outer(x, y, "-")) for %s', (_, h) => {
    const d = data(h.dataset);
    expectRelClose(hodgesLehmann(d.x, d.y, 0.98, { method: 'normal' }).estimate, h.median, 'estimate');
  });
});

describe('quantile matches quantile(type = 7)', () => {
  it.each(reference.quantile.map((q) => [q.name, q] as const))('%s', (_, q) => {
    const sorted = [...q.values].sort((a, b) => a - b);
    q.probs.forEach((p, i) => expectRelClose(quantile(sorted, p), q.quantiles[i]!, `p = ${p}`, 1e-12));
  });
});

describe('adjustPValues matches p.adjust', () => {
  it.each([
    ['holm', 'holm'],
    ['bh', 'BH'],
  ] as const)('%s', (ours, theirs) => {
    adjustPValues(reference.pAdjust.p, ours).forEach((v, i) => expectRelClose(v, reference.pAdjust[theirs][i]!, `p[${i}]`, 1e-12));
  });
});

describe('normal distribution matches pnorm/qnorm', () => {
  it('pnorm, both tails, out to ±38', () => {
    reference.normal.z.forEach((z, i) => {
      expectRelClose(pnorm(z), reference.normal.pnormLower[i]!, `pnorm(${z})`, 1e-14);
      expectRelClose(pnorm(z, false), reference.normal.pnormUpper[i]!, `pnorm(${z}, lower = FALSE)`, 1e-14);
    });
  });
  it('qnorm down to 1e-300', () => {
    reference.normal.p.forEach((p, i) => expectRelClose(qnorm(p), reference.normal.qnorm[i]!, `qnorm(${p})`, 1e-14));
  });
});

describe('exact and normal paths agree where both apply', () => {
  // 30–49 a side, no ties: R would go exact; the normal approximation should be close. (The
  // 10 × 5 help-page example is too small for that: one order statistic is 2% of the 50 pairs.)
  const rng = createRng(30);
  const lognormal = (n: number, median: number) => Array.from({ length: n }, () => median * Math.exp(0.5 * rng.normal()));
  const cases: Array<[string, { x: number[]; y: number[] }]> = [
    ['R lognormal 30 × 45', data('lognormal-30x45')],
    ['simulated 40 × 48', { x: lognormal(40, 10), y: lognormal(48, 11) }],
    ['simulated 49 × 49', { x: lognormal(49, 10), y: lognormal(49, 10) }],
  ];
  it.each(cases)('%s', (_, d) => {
    for (const alternative of ['two-sided', 'less', 'greater'] as const) {
      const exact = mannWhitneyU(d.x, d.y, { alternative, method: 'exact' });
      const normal = mannWhitneyU(d.x, d.y, { alternative, method: 'normal' });
      expect(exact.method).toBe('exact');
      expect(Math.abs(exact.pValue - normal.pValue), alternative).toBeLessThan(0.005);
    }
    const exact = hodgesLehmann(d.x, d.y, 0.98, { method: 'exact' });
    const normal = hodgesLehmann(d.x, d.y, 0.98, { method: 'normal' });
    expect(normal.estimate).toBe(exact.estimate);
    // The bounds are order statistics of the pairwise differences: at most a couple of ranks apart.
    const diffs = d.x.flatMap((x) => d.y.map((y) => x - y)).sort((a, b) => a - b);
    const rank = (v: number) => diffs.indexOf(v);
    expect(Math.abs(rank(normal.lower) - rank(exact.lower))).toBeLessThanOrEqual(2);
    expect(Math.abs(rank(normal.upper) - rank(exact.upper))).toBeLessThanOrEqual(2);
  });
});
