import type { LatencySeries } from '../../analyze/index.ts';
import type { LatencyRow } from '../../gate/index.ts';

/**
 * Chart-ready latency distributions, computed here rather than in the browser so the embedded data
 * stays small whatever the sample count (a load run has 10⁵ samples per series) and so the numbers
 * are testable without a browser. Data is column-aligned as uPlot wants: one x array, one y per runtime.
 */
export interface ChartData {
  x: number[];
  ys: number[][];
  /** Draw x on a log scale (every x is positive). */
  log: boolean;
}

export interface LatencyChart {
  service: string;
  method: string;
  route: string;
  /** Which spans the samples come from: the gate's choice where it judged the route. */
  source: 'server' | 'client';
  runtimes: Array<{ runtime: string; role: string; n: number; errors: number; total: number; p50: number | null; p95: number | null; p99: number | null }>;
  cdf: ChartData;
  histogram: ChartData;
}

const MAX_CDF_POINTS = 400;
const roleRank = (role: string) => ['primary', 'candidate'].indexOf(role) >>> 0;
const round = (v: number) => Math.round(v * 1e4) / 1e4;
/** Milliseconds to 6 significant digits: small in the file, and a positive value never becomes 0. */
const sig = (v: number) => Number(v.toPrecision(6));

function quantileSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

/** Number of samples ≤ x in a sorted array. */
function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Empirical CDFs on a shared x grid: every sample when few, else evenly spaced order statistics. */
export function cdfData(samples: ReadonlyArray<readonly number[]>): ChartData {
  const sorted = samples.map((s) => [...s].sort((a, b) => a - b));
  const xs = new Set<number>();
  for (const s of sorted) {
    const step = s.length <= MAX_CDF_POINTS ? 1 : (s.length - 1) / (MAX_CDF_POINTS - 1);
    for (let k = 0; k * step <= s.length - 1 + 1e-9; k++) xs.add(s[Math.round(k * step)]!);
  }
  // Rounded for the file; each rounded x keeps the largest raw sample it stands for, so counts stay exact.
  const grid = new Map<number, number>();
  for (const v of xs) grid.set(sig(v), Math.max(v, grid.get(sig(v)) ?? -Infinity));
  const x = [...grid.keys()].sort((a, b) => a - b);
  // Exact: the y of each runtime at every grid point counts its full sample, not the thinned one.
  const ys = sorted.map((s) => x.map((v) => (s.length ? round(countAtMost(s, grid.get(v)!) / s.length) : 0)));
  return { x, ys, log: x.length > 0 && x[0]! > 0 };
}

/**
 * Histograms on shared bins, as the share of each runtime's samples (so unequal counts compare).
 * Latency is right-skewed over decades, so bins are log-spaced (drawn on a log axis) whenever every
 * sample is positive; equal-width bins would put the whole body of the distribution in one bar.
 */
export function histogramData(samples: ReadonlyArray<readonly number[]>): ChartData {
  const pooled = samples.flat();
  if (pooled.length === 0) return { x: [], ys: samples.map(() => []), log: false };
  // A loop, not Math.min(...pooled): a load run's 10⁵ samples would overflow the argument stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of pooled) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  hi = Math.max(hi, lo * 1.001 + 1e-9);
  const log = lo > 0;
  const bins = Math.min(80, Math.max(12, Math.ceil(2 * Math.sqrt(pooled.length))));
  const edge = (i: number) => (log ? lo * (hi / lo) ** (i / bins) : lo + ((hi - lo) * i) / bins);
  const binOf = (v: number) => Math.floor(log ? (bins * Math.log(v / lo)) / Math.log(hi / lo) : (bins * (v - lo)) / (hi - lo));
  const x = Array.from({ length: bins + 1 }, (_, i) => sig(edge(i)));
  const ys = samples.map((s) => {
    const counts = new Array<number>(bins + 1).fill(0);
    for (const v of s) counts[Math.min(bins - 1, Math.max(0, binOf(v)))]!++;
    // The extra trailing zero closes the last step of a stepped line.
    return counts.map((c) => (s.length ? round(c / s.length) : 0));
  });
  return { x, ys, log };
}

/** One chart per (service, method, route) with every runtime that served it. */
export function latencyCharts(series: readonly LatencySeries[], rows: readonly LatencyRow[]): LatencyChart[] {
  const groups = new Map<string, LatencySeries[]>();
  for (const s of series) {
    const key = `${s.service}\u0000${s.method}\u0000${s.route}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const out: LatencyChart[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const row = rows.find((r) => r.service === first.service && r.method === first.method && r.route === first.route);
    const source = row?.source ?? (g.every((s) => s.server) ? 'server' : 'client');
    // Primary first, so colours follow the role and the left-of-every-diff convention.
    const ordered = [...g].sort((a, b) => roleRank(a.role) - roleRank(b.role) || a.runtime.localeCompare(b.runtime));
    const samples = ordered.map((s) => (source === 'server' && s.server ? s.server : s.client));
    out.push({
      service: first.service,
      method: first.method,
      route: first.route,
      source,
      runtimes: ordered.map((s, i) => {
        const sorted = [...samples[i]!].sort((a, b) => a - b);
        const q = (p: number) => {
          const v = quantileSorted(sorted, p);
          return v === null ? null : sig(v);
        };
        return { runtime: s.runtime, role: s.role, n: sorted.length, errors: s.errors, total: s.total, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
      }),
      cdf: cdfData(samples),
      histogram: histogramData(samples),
    });
  }
  return out;
}
