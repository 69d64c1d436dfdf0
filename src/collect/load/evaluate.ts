/**
 * Aggregates → the numbers a report shows: latency statistics and k6 thresholds, per runtime.
 * Durations are evaluated on latency from the intended start (equal to the send for VU executors and
 * for k6 sources), failures as k6 counts them (a status outside 200–399, or no response).
 */
import { parseThreshold, type Operator } from '../../config/thresholds.ts';
import { isFailureClass, mergeHists, quantileOf, type ExpHist, type RuntimeAgg, type SeriesAgg } from './aggregate.ts';
import type { LatencyStats, RecordedThreshold, ThresholdResult } from './report-types.ts';
import { parseThresholdKey, type ThresholdKey } from '../../config/threshold-keys.ts';

const toMs = (s: number | null) => (s === null ? null : s * 1000);

export function latencyStats(h: ExpHist | undefined): LatencyStats {
  if (!h || h.count === 0) return { count: 0, min: null, avg: null, p50: null, p90: null, p95: null, p99: null, max: null };
  return {
    count: h.count,
    min: toMs(h.min),
    avg: toMs(h.sum / h.count),
    p50: toMs(quantileOf(h, 0.5)),
    p90: toMs(quantileOf(h, 0.9)),
    p95: toMs(quantileOf(h, 0.95)),
    p99: toMs(quantileOf(h, 0.99)),
    max: toMs(h.max),
  };
}

/** k6 summary stats (ms) as LatencyStats: `med` is p50; p99 only if the run asked for it. */
export function k6LatencyStats(stats: Record<string, number> | undefined): LatencyStats {
  const v = (k: string) => (stats && Number.isFinite(stats[k]) ? stats[k]! : null);
  return { count: v('count') ?? 0, min: v('min'), avg: v('avg'), p50: v('med') ?? v('p(50)'), p90: v('p(90)'), p95: v('p(95)'), p99: v('p(99)'), max: v('max') };
}

export function seriesMatching(agg: RuntimeAgg, filter: ThresholdKey['filter']): SeriesAgg[] {
  return [...agg.series.values()].filter(
    (s) =>
      (filter.route === undefined || s.route === filter.route) &&
      (filter.method === undefined || s.method === filter.method) &&
      (filter.expected_response === undefined || filter.expected_response === !isFailureClass(s.statusClass)),
  );
}

export const latencyOf = (s: SeriesAgg) => s.intended ?? s.sent;

function compare(observed: number, op: Operator, value: number): boolean {
  switch (op) {
    case '<':
      return observed < value;
    case '<=':
      return observed <= value;
    case '>':
      return observed > value;
    case '>=':
      return observed >= value;
    case '!=':
      return observed !== value;
    default:
      return observed === value;
  }
}

/** One threshold against one runtime's aggregate; a value that cannot be computed fails (k6 does the same). */
export function evaluateThreshold(agg: RuntimeAgg, t: RecordedThreshold): ThresholdResult {
  const key = parseThresholdKey(t.metric);
  const expr = parseThreshold(t.threshold);
  const fromK6 = agg.k6.get(t.metric) ?? (Object.keys(key.filter).length === 0 ? agg.k6.get(key.name) : undefined);
  let observed: number | null = null;
  if (fromK6) {
    const stat = expr.aggregation.kind === 'p' ? `p(${expr.aggregation.p})` : expr.aggregation.kind;
    observed = fromK6[stat] ?? (stat === 'rate' ? fromK6.value ?? null : null);
    // k6 already decided: its verdict stands even when the stat itself was not exported.
    const verdict = fromK6[`threshold:${t.threshold}`];
    if (verdict !== undefined) return { metric: t.metric, threshold: t.threshold, observed, ok: verdict === 1, abortOnFail: t.abortOnFail };
  } else {
    observed = observe(agg, key, expr.aggregation);
  }
  const ok = observed !== null && Number.isFinite(observed) && compare(observed, expr.op, expr.value);
  return { metric: t.metric, threshold: t.threshold, observed, ok, abortOnFail: t.abortOnFail };
}

function observe(agg: RuntimeAgg, key: ThresholdKey, a: ReturnType<typeof parseThreshold>['aggregation']): number | null {
  const series = seriesMatching(agg, key.filter);
  const requests = series.reduce((n, s) => n + (latencyOf(s)?.count ?? 0), 0);
  const perSecond = (n: number) => (agg.windowSeconds > 0 ? n / agg.windowSeconds : null);
  switch (key.name) {
    case 'http_req_duration': {
      const h = mergeHists(series.map(latencyOf));
      if (!h || h.count === 0) return null;
      if (a.kind === 'p') return toMs(quantileOf(h, a.p / 100));
      if (a.kind === 'med') return toMs(quantileOf(h, 0.5));
      if (a.kind === 'avg') return (h.sum / h.count) * 1000;
      if (a.kind === 'min') return h.min * 1000;
      if (a.kind === 'max') return h.max * 1000;
      return null;
    }
    case 'http_req_failed': {
      const failed = series.filter((s) => isFailureClass(s.statusClass)).reduce((n, s) => n + (latencyOf(s)?.count ?? 0), 0);
      return requests > 0 ? failed / requests : 0;
    }
    case 'http_reqs':
      return a.kind === 'count' ? requests : perSecond(requests);
    case 'iterations':
      return a.kind === 'count' ? agg.iterations : perSecond(agg.iterations);
    case 'dropped_iterations':
      return a.kind === 'count' ? agg.dropped : perSecond(agg.dropped);
    default:
      return null;
  }
}
