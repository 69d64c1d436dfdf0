/**
 * Load metric points (as stored, or as about to be exported) → per (scenario, runtime) aggregates:
 * exponential histograms merged bucket by bucket, counters summed. The run's own abortOnFail checks
 * and the after-the-fact report both go through here, so both see the same numbers.
 */
import type { StoredMetricPoint } from '../index.ts';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import * as A from '../../contract/attributes.ts';
import * as M from '../../contract/load-metrics.ts';

type Point = Pick<StoredMetricPoint, 'name' | 'kind' | 'timeNs' | 'attributes'> & Partial<StoredMetricPoint>;

/** A merged exponential histogram (seconds), sparse. */
export interface ExpHist {
  scale: number;
  zeroCount: number;
  counts: Map<number, number>;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface SeriesAgg {
  method: string;
  route: string;
  statusClass: string;
  /** From the intended start / from the actual send. */
  intended: ExpHist | undefined;
  sent: ExpHist | undefined;
}

export interface RuntimeAgg {
  scenario: string;
  runtime: string;
  role: string | undefined;
  executor: string | undefined;
  series: Map<string, SeriesAgg>;
  iterations: number;
  dropped: number;
  interrupted: number;
  /** Open model only. */
  scheduled: number | undefined;
  /** Σ sending windows (s) and Σ nominal block lengths (s, open model). */
  windowSeconds: number;
  nominalSeconds: number;
  maxVUs: number;
  /** Imported k6 summaries: metric key → stat → value (ms for time metrics). */
  k6: Map<string, Record<string, number>>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const seconds = (p: Point) => (p.startNs !== undefined && p.startNs > 0n ? Number(p.timeNs - p.startNs) / 1e9 : 0);

export function aggregateLoadPoints(points: readonly Point[]): Map<string, Map<string, RuntimeAgg>> {
  const out = new Map<string, Map<string, RuntimeAgg>>();
  const aggOf = (p: Point): RuntimeAgg => {
    const scenario = str(p.attributes[M.ATTR_SCENARIO]);
    const runtime = str(p.attributes[A.ATTR_GAUNTLET_RUNTIME]);
    let byRuntime = out.get(scenario);
    if (!byRuntime) out.set(scenario, (byRuntime = new Map()));
    let agg = byRuntime.get(runtime);
    if (!agg) {
      agg = { scenario, runtime, role: undefined, executor: undefined, series: new Map(), iterations: 0, dropped: 0, interrupted: 0, scheduled: undefined, windowSeconds: 0, nominalSeconds: 0, maxVUs: 0, k6: new Map() };
      byRuntime.set(runtime, agg);
    }
    agg.role ??= (p.attributes[A.ATTR_GAUNTLET_RUNTIME_ROLE] as string | undefined) ?? undefined;
    agg.executor ??= (p.attributes[M.ATTR_EXECUTOR] as string | undefined) ?? undefined;
    return agg;
  };
  for (const p of points) {
    if (!(M.LOAD_METRIC_NAMES as readonly string[]).includes(p.name)) continue;
    const agg = aggOf(p);
    const value = p.value ?? 0;
    switch (p.name) {
      case M.METRIC_ITERATIONS:
        agg.iterations += value;
        agg.windowSeconds += seconds(p);
        break;
      case M.METRIC_DROPPED:
        agg.dropped += value;
        break;
      case M.METRIC_INTERRUPTED:
        agg.interrupted += value;
        break;
      case M.METRIC_SCHEDULED:
        agg.scheduled = (agg.scheduled ?? 0) + value;
        agg.nominalSeconds += seconds(p);
        break;
      case M.METRIC_VUS:
        agg.maxVUs = Math.max(agg.maxVUs, value);
        break;
      case M.METRIC_K6_SUMMARY: {
        const metric = str(p.attributes[M.ATTR_K6_METRIC]);
        const stats = agg.k6.get(metric) ?? {};
        stats[str(p.attributes[M.ATTR_K6_STAT])] = value;
        agg.k6.set(metric, stats);
        break;
      }
      case M.METRIC_INTENDED_LATENCY:
      case M.METRIC_SENT_DURATION: {
        if (p.kind !== 'exponential_histogram') break;
        const method = str(p.attributes[ATTR_HTTP_REQUEST_METHOD]);
        const route = str(p.attributes[ATTR_HTTP_ROUTE]);
        const statusClass = str(p.attributes[M.ATTR_STATUS_CLASS]);
        const key = `${method} ${route} ${statusClass}`;
        let s = agg.series.get(key);
        if (!s) agg.series.set(key, (s = { method, route, statusClass, intended: undefined, sent: undefined }));
        const which = p.name === M.METRIC_INTENDED_LATENCY ? 'intended' : 'sent';
        s[which] = addToHist(s[which], p);
        break;
      }
    }
  }
  return out;
}

/** Merges an exponential point into `h` (downscaling to the coarser scale when they differ, the OTel merge rule). */
export function addToHist(h: ExpHist | undefined, p: Point): ExpHist {
  const scale = p.scale ?? 0;
  const target: ExpHist = h ?? { scale, zeroCount: 0, counts: new Map(), count: 0, sum: 0, min: Infinity, max: -Infinity };
  if (scale < target.scale) downscale(target, scale);
  const shift = scale - target.scale;
  target.zeroCount += p.zeroCount ?? 0;
  const offset = p.positive?.offset ?? 0;
  (p.positive?.bucketCounts ?? []).forEach((c, i) => {
    if (c === 0) return;
    const index = Math.floor((offset + i) / 2 ** shift);
    target.counts.set(index, (target.counts.get(index) ?? 0) + c);
  });
  target.count += p.count ?? 0;
  target.sum += p.sum ?? 0;
  if (p.min != null) target.min = Math.min(target.min, p.min);
  if (p.max != null) target.max = Math.max(target.max, p.max);
  return target;
}

function downscale(h: ExpHist, scale: number): void {
  const shift = h.scale - scale;
  const counts = new Map<number, number>();
  for (const [i, c] of h.counts) {
    const j = Math.floor(i / 2 ** shift);
    counts.set(j, (counts.get(j) ?? 0) + c);
  }
  h.counts = counts;
  h.scale = scale;
}

export function mergeHists(hists: ReadonlyArray<ExpHist | undefined>): ExpHist | undefined {
  let out: ExpHist | undefined;
  for (const h of hists) {
    if (!h) continue;
    const indices = [...h.counts.keys()];
    const offset = indices.length ? Math.min(...indices) : 0;
    const bucketCounts = indices.length ? Array.from({ length: Math.max(...indices) - offset + 1 }, (_, i) => h.counts.get(offset + i) ?? 0) : [];
    out = addToHist(out, { name: '', kind: 'exponential_histogram', timeNs: 0n, attributes: {}, scale: h.scale, zeroCount: h.zeroCount, positive: { offset, bucketCounts }, count: h.count, sum: h.sum, min: h.min, max: h.max });
  }
  return out;
}

/**
 * The q-quantile in seconds: rank q·n, log-linear inside the bucket (buckets are geometric), clamped
 * to the exact min and max the histogram carries. q = 1 is the max.
 */
export function quantileOf(h: ExpHist | undefined, q: number): number | null {
  if (!h || h.count === 0) return null;
  if (q >= 1) return h.max;
  if (q <= 0) return h.min;
  const rank = q * h.count;
  let seen = h.zeroCount;
  if (seen >= rank) return 0;
  const base = 2 ** (2 ** -h.scale);
  for (const i of [...h.counts.keys()].sort((a, b) => a - b)) {
    const c = h.counts.get(i)!;
    if (seen + c >= rank) {
      const lo = base ** i;
      const v = lo * base ** ((rank - seen) / c);
      return Math.min(Math.max(v, h.min), h.max);
    }
    seen += c;
  }
  return h.max;
}

export const isFailureClass = (statusClass: string) => statusClass === '4xx' || statusClass === '5xx' || statusClass === 'error';
/** Latency is judged on answers a runtime meant to give: transport errors and 5xx are excluded (as in the parity judge). */
export const isJudgedClass = (statusClass: string) => statusClass !== '5xx' && statusClass !== 'error';
