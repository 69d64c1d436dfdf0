/**
 * The load report, built from the store alone: the run span (plan, thresholds, source) and the run's
 * metric points. `gauntlet load` calls this after its run, and `gauntlet load --run ID` in a fresh
 * process gives the same report — the engine never hands numbers to the judgement in memory.
 */
import type { SpanStore, StoredSpan } from '../collect/index.ts';
import { judgeRoutes, type JudgeRoutesOptions, type LatencySample } from '../judge/index.ts';
import { ATTR_GAUNTLET_RUN_ID, ATTR_GAUNTLET_RUN_INCOMPLETE } from '../contract/attributes.ts';
import { GauntletError } from '../util/errors.ts';
import { aggregateLoadPoints, isFailureClass, isJudgedClass, mergeHists, type ExpHist, type RuntimeAgg } from '../collect/load/aggregate.ts';
import { evaluateThreshold, k6LatencyStats, latencyOf, latencyStats } from '../collect/load/evaluate.ts';
import * as M from '../contract/load-metrics.ts';
import { loadTimelines } from './load-timeline.ts';
import type { LatencyStats, LoadReport, RecordedPlan, RouteSummary, RuntimeSummary, ScenarioSummary } from '../collect/load/report-types.ts';

export function findRunSpan(spans: readonly StoredSpan[], runId: string): { plan: RecordedPlan; aborted: string | null; incomplete: LoadReport['incomplete'] } | undefined {
  const span = spans.find((s) => s.attributes[ATTR_GAUNTLET_RUN_ID] === runId && typeof s.attributes[M.ATTR_LOAD_PLAN] === 'string');
  if (!span) return undefined;
  const aborted = span.attributes[M.ATTR_LOAD_ABORTED];
  const incomplete = span.attributes[ATTR_GAUNTLET_RUN_INCOMPLETE] === true ? { blocks: Number(span.attributes[M.ATTR_LOAD_BLOCKS] ?? 0), planned: Number(span.attributes[M.ATTR_LOAD_BLOCKS_PLANNED] ?? 0) } : null;
  return { plan: JSON.parse(span.attributes[M.ATTR_LOAD_PLAN] as string) as RecordedPlan, aborted: typeof aborted === 'string' ? aborted : null, incomplete };
}

export async function loadReportFromStore(store: SpanStore, runId: string, judge: JudgeRoutesOptions = {}): Promise<LoadReport> {
  const run = findRunSpan(await store.spansForRun(runId), runId);
  if (!run) {
    throw new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no load run "${runId}" in the store`, { file: store.path, hint: 'list stored runs with `gauntlet runs`' });
  }
  const points = await store.metricsForRun(runId, { names: M.LOAD_METRIC_NAMES });
  const report = buildLoadReport(runId, run.plan, aggregateLoadPoints(points), run.aborted, judge);
  const timelines = loadTimelines(points, report.runtimes);
  for (const s of report.scenarios) {
    s.timeline = timelines.get(s.name) ?? null;
  }
  return { ...report, incomplete: run.incomplete };
}

export function buildLoadReport(runId: string, plan: RecordedPlan, aggs: Map<string, Map<string, RuntimeAgg>>, aborted: string | null, judge: JudgeRoutesOptions = {}): LoadReport {
  const runtimes = plan.runtimes.map((r) => r.name);
  const notes: string[] = [];
  const pending: Array<{ route: RouteSummary; key: string; a: LatencySample; b: LatencySample }> = [];
  const scenarios: ScenarioSummary[] = plan.scenarios.map((sp) => {
    const byRuntime = aggs.get(sp.name) ?? new Map<string, RuntimeAgg>();
    const summaries = plan.runtimes.map((rt) => runtimeSummary(rt.name, rt.role, byRuntime.get(rt.name), sp.thresholds.filter((t) => t.runtime === undefined || t.runtime === rt.name)));
    const routes = routeSummaries(runtimes, byRuntime);
    for (const route of routes) {
      const [a, b] = runtimes.map((rt) => judgedHist(byRuntime.get(rt), route));
      if (a && b) pending.push({ route, key: `${sp.name} ${route.method} ${route.route}`, a: toMsSample(a, b), b: toMsSample(b, a) });
    }
    if (plan.source === 'k6-summary') {
      notes.push(`${sp.name}: a k6 end-of-test summary has no latency distribution, so no latency verdict (import --out json output for one)`);
      notes.push(`${sp.name}: k6 summary rates are over the whole test, both runtimes' blocks included`);
    }
    return { name: sp.name, executor: sp.executor, runtimes: summaries, routes, timeline: null };
  });
  const verdicts = pending.length ? judgeRoutes(pending.map(({ key, a, b }) => ({ key, a, b })), judge) : [];
  verdicts.forEach((v, i) => (pending[i]!.route.verdict = v));
  if (plan.source !== 'gauntlet') notes.push('k6 measures latency from the send: under an arrival-rate executor a stalled target is under-reported (coordinated omission)');
  return {
    runId,
    service: plan.service,
    source: plan.source,
    runtimes,
    scenarios,
    aborted,
    incomplete: null,
    thresholdsFailed: scenarios.reduce((n, s) => n + s.runtimes.reduce((m, r) => m + r.thresholds.filter((t) => !t.ok).length, 0), 0),
    slower: verdicts.filter((v) => v.verdict === 'slower').length,
    notes,
  };
}

function runtimeSummary(runtime: string, role: string, agg: RuntimeAgg | undefined, thresholds: RecordedPlan['scenarios'][number]['thresholds']): RuntimeSummary {
  if (!agg) {
    const empty = latencyStats(undefined);
    return { runtime, role, targetRate: null, achievedRate: null, requests: 0, errors: 0, errorRate: null, iterations: 0, droppedIterations: 0, interruptedIterations: 0, vusMax: null, latency: empty, latencySent: null, thresholds: [] };
  }
  const series = [...agg.series.values()];
  const k6 = agg.k6.size > 0;
  const count = (f: (cls: string) => boolean) => series.filter((s) => f(s.statusClass)).reduce((n, s) => n + (latencyOf(s)?.count ?? 0), 0);
  const requests = k6 ? (agg.k6.get('http_reqs')?.count ?? 0) : count(() => true);
  const errors = k6 ? (agg.k6.get('http_req_failed')?.passes ?? 0) : count(isFailureClass);
  const intended = mergeHists(series.map((s) => s.intended));
  const sent = mergeHists(series.map((s) => s.sent));
  const hasBoth = Boolean(intended && sent);
  return {
    runtime,
    role,
    targetRate: agg.scheduled !== undefined && agg.nominalSeconds > 0 ? agg.scheduled / agg.nominalSeconds : null,
    achievedRate: k6 ? (agg.k6.get('iterations')?.rate ?? null) : agg.windowSeconds > 0 ? agg.iterations / agg.windowSeconds : null,
    requests,
    errors,
    errorRate: k6 ? (agg.k6.get('http_req_failed')?.rate ?? agg.k6.get('http_req_failed')?.value ?? null) : requests > 0 ? errors / requests : null,
    iterations: k6 ? (agg.k6.get('iterations')?.count ?? 0) : agg.iterations,
    droppedIterations: k6 ? (agg.k6.get('dropped_iterations')?.count ?? 0) : agg.dropped,
    interruptedIterations: agg.interrupted,
    vusMax: k6 ? (agg.k6.get('vus_max')?.max ?? agg.k6.get('vus_max')?.value ?? null) : agg.maxVUs || null,
    latency: k6 ? k6LatencyStats(agg.k6.get('http_req_duration')) : latencyStats(intended ?? sent),
    latencySent: hasBoth ? latencyStats(sent) : null,
    thresholds: thresholds.map((t) => evaluateThreshold(agg, t)),
  };
}

function routeSummaries(runtimes: string[], byRuntime: Map<string, RuntimeAgg>): RouteSummary[] {
  const keys = new Map<string, { method: string; route: string }>();
  for (const agg of byRuntime.values()) for (const s of agg.series.values()) keys.set(`${s.method} ${s.route}`, { method: s.method, route: s.route });
  return [...keys.values()]
    .sort((x, y) => x.route.localeCompare(y.route) || x.method.localeCompare(y.method))
    .map(({ method, route }) => ({
      method,
      route,
      runtimes: runtimes.map((rt) => {
        const series = [...(byRuntime.get(rt)?.series.values() ?? [])].filter((s) => s.method === method && s.route === route);
        const total = (f: (c: string) => boolean) => series.filter((s) => f(s.statusClass)).reduce((n, s) => n + (latencyOf(s)?.count ?? 0), 0);
        const stats: LatencyStats = latencyStats(mergeHists(series.filter((s) => isJudgedClass(s.statusClass)).map(latencyOf)));
        return { runtime: rt, requests: total(() => true), errors: total(isFailureClass), latency: stats };
      }),
      verdict: null,
    }));
}

function judgedHist(agg: RuntimeAgg | undefined, route: RouteSummary): ExpHist | undefined {
  const series = [...(agg?.series.values() ?? [])].filter((s) => s.method === route.method && s.route === route.route && isJudgedClass(s.statusClass));
  // The verdict compares runtimes, so it is judged from the actual send. The time between the
  // intended and the actual send is the engine's own lateness (timers, a busy thread): no runtime
  // causes it — an iteration never waits for a busy VU, it starts on a free one or is dropped (and
  // counted) — so it would only add noise to the comparison. Percentiles and thresholds keep the
  // intended-start latency: that is what a client of the service would have seen.
  return mergeHists(series.map((s) => s.sent ?? s.intended));
}

/**
 * An exponential histogram (seconds) as an explicit one in ms for the judge — exact, since the
 * bounds are the exponential bucket boundaries ×1000. Both sides get the same bounds (the union of
 * their ranges), so the judge does not coarsen either one.
 */
function toMsSample(h: ExpHist, other: ExpHist): LatencySample {
  const scale = Math.min(h.scale, other.scale);
  const indices = (x: ExpHist) => [...x.counts.keys()].map((i) => Math.floor(i / 2 ** (x.scale - scale)));
  const all = [...indices(h), ...indices(other)];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const base = 2 ** (2 ** -scale);
  const bounds = Array.from({ length: hi - lo + 2 }, (_, j) => base ** (lo + j) * 1000);
  const counts = new Array<number>(bounds.length + 1).fill(0);
  counts[0] = h.zeroCount;
  for (const [i, c] of h.counts) counts[Math.floor(i / 2 ** (h.scale - scale)) - lo + 1]! += c;
  return { kind: 'explicit', bounds, counts };
}
