/**
 * Judging production telemetry: the two runtimes' latency histograms and error rates over a time
 * window, read through PromQL from any Prometheus-compatible backend, judged by the same judge
 * (explicit-bucket histograms) and gate options as a span-store run. Where a run's spans give raw
 * samples, a histogram gives counts per bucket: the verdicts agree within the buckets' resolution.
 */
import type { GateRules } from '../config/index.ts';
import { judgeRoutesParallel, type LatencySample, type RouteVerdict } from '../judge/index.ts';
import { GauntletError } from '../util/errors.ts';
import { quoteLabelValue, type PromClient, type PromSample } from './prometheus-query.ts';

/** Where a family of series keeps service, runtime, route and method, and what counts as a failure. */
export interface MetricProfile {
  name: string;
  /** Histogram base name (…_bucket is queried). */
  histogram: string;
  /** Counter (or histogram _count) the error rate is computed from. */
  count: string;
  labels: { service: string; runtime: string; route: string; method: string };
  /** Always applied, e.g. only SERVER spans. */
  matchers: string[];
  /** Selects failed requests on `count`. */
  failed: string;
  /** Selects successful requests on `histogram`, when it can tell (the span-store analysis times successes only). */
  succeeded?: string;
  /** The histogram's unit in seconds: 1 for `…_seconds`, 0.001 for `…_milliseconds` (absent: 1). */
  unitSeconds?: number;
}

/** What a Collector deployment may have configured differently from otel-collector.yaml. */
export interface ProfileOverrides {
  /** Histogram unit: `s` (OTel semconv, otel-collector.yaml) or `ms` (the spanmetrics connector's default). */
  unit?: 's' | 'ms' | undefined;
  /** Metric name prefix (the connector's `namespace` with dots → _): `traces_span_metrics` by default. */
  prefix?: string | undefined;
  /** Label that names the runtime (a dimension or resource attribute of the deployment). */
  runtimeLabel?: string | undefined;
}

const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROM_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The profile with a deployment's unit, prefix and runtime label. Unit and prefix are the spanmetrics
 * connector's settings (`histogram.unit`, `namespace`), so they apply to that profile only; the
 * runtime label to any. A bad name is the user's input: GAUNTLET_INPUT_INVALID naming the option.
 */
export function withOverrides(base: MetricProfile, o: ProfileOverrides): MetricProfile {
  const p: MetricProfile = { ...base, labels: { ...base.labels } };
  if ((o.unit !== undefined || o.prefix !== undefined) && base.name !== 'spanmetrics') {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `--metric-unit and --metric-prefix apply to --metric spanmetrics only (got --metric ${base.name})`, { path: o.unit !== undefined ? '--metric-unit' : '--metric-prefix' });
  }
  if (o.prefix !== undefined && !PROM_NAME.test(o.prefix)) throw new GauntletError('GAUNTLET_INPUT_INVALID', `"${o.prefix}" is not a Prometheus metric name prefix`, { path: '--metric-prefix', hint: 'the connector namespace with dots as underscores, e.g. traces_span_metrics' });
  if (o.runtimeLabel !== undefined && !PROM_LABEL.test(o.runtimeLabel)) throw new GauntletError('GAUNTLET_INPUT_INVALID', `"${o.runtimeLabel}" is not a Prometheus label name`, { path: '--runtime-label' });
  if (base.name === 'spanmetrics' && (o.unit !== undefined || o.prefix !== undefined)) {
    const prefix = o.prefix ?? 'traces_span_metrics';
    const unit = o.unit ?? 's';
    p.histogram = `${prefix}_duration_${unit === 'ms' ? 'milliseconds' : 'seconds'}`;
    p.count = `${prefix}_calls_total`;
    p.unitSeconds = unit === 'ms' ? 0.001 : 1;
  }
  if (o.runtimeLabel !== undefined) p.labels.runtime = o.runtimeLabel;
  return p;
}

export const METRIC_PROFILES: Record<string, MetricProfile> = {
  /** The runtimes' own OTel-semconv server histogram (the reference daemons' /metrics). */
  http: {
    name: 'http',
    histogram: 'http_server_request_duration_seconds',
    count: 'http_server_request_duration_seconds_count',
    labels: { service: 'service', runtime: 'runtime', route: 'http_route', method: 'http_request_method' },
    matchers: [],
    failed: 'http_response_status_code=~"5.."',
    succeeded: 'http_response_status_code!~"5.."',
  },
  /** The OTel Collector spanmetrics connector, as otel-collector.yaml configures it (or `watch --spanmetrics`). */
  spanmetrics: {
    name: 'spanmetrics',
    histogram: 'traces_span_metrics_duration_seconds',
    count: 'traces_span_metrics_calls_total',
    labels: { service: 'service_name', runtime: 'gauntlet_runtime', route: 'http_route', method: 'http_request_method' },
    matchers: ['span_kind="SPAN_KIND_SERVER"'],
    failed: 'status_code="STATUS_CODE_ERROR"',
    succeeded: 'status_code!="STATUS_CODE_ERROR"',
  },
  /** gauntlet's own probe histogram (client-side: includes the network, works for uninstrumented runtimes). */
  gauntlet: {
    name: 'gauntlet',
    histogram: 'gauntlet_exchange_duration_seconds',
    count: 'gauntlet_exchanges_total',
    labels: { service: 'service', runtime: 'runtime', route: 'route', method: 'method' },
    matchers: [],
    failed: 'outcome=~"5xx|error"',
  },
};

export interface RuntimeErrors {
  runtime: string;
  failed: number;
  total: number;
  rate: number;
}

export interface PromRouteResult {
  method: string;
  route: string;
  /** Requests in the window per side (histogram counts: extrapolated, so not always whole). */
  n: { primary: number; candidate: number };
  errors: { primary: RuntimeErrors; candidate: RuntimeErrors; status: 'pass' | 'fail'; max: number };
  latency: RouteVerdict;
}

export interface PromServiceResult {
  service: string;
  primary: string;
  candidate: string;
  routes: PromRouteResult[];
}

export interface PrometheusAnalysis {
  schemaVersion: 1;
  source: 'prometheus';
  url: string;
  profile: string;
  metric: string;
  window: string;
  /** End of the window (ISO 8601). */
  end: string;
  services: PromServiceResult[];
}

export interface PromAnalyzeOptions {
  client: PromClient;
  profile: MetricProfile;
  services: Array<{ service: string; primary: string; candidate: string }>;
  /** PromQL duration, e.g. 5m. */
  window: string;
  /** Unix seconds; default now. */
  end?: number;
  rules: GateRules;
}

const routeKey = (labels: Record<string, string>, p: MetricProfile) => `${labels[p.labels.method] ?? ''} ${labels[p.labels.route] ?? ''}`;

/** Cumulative `le` buckets of one series (in `unitSeconds` units) → the judge's per-bucket explicit histogram, in ms. */
export function explicitFromBuckets(buckets: ReadonlyArray<{ le: number; count: number }>, unitSeconds = 1): Extract<LatencySample, { kind: 'explicit' }> {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const bounds: number[] = [];
  const counts: number[] = [];
  let previous = 0;
  for (const { le, count } of sorted) {
    // Each bucket's increase() is extrapolated on its own, so cumulative counts can dip by a
    // hair; histogram_quantile makes them monotonic the same way.
    const cumulative = Math.max(previous, count);
    counts.push(cumulative - previous);
    previous = cumulative;
    if (Number.isFinite(le)) bounds.push(le * unitSeconds * 1000);
  }
  if (!sorted.length || Number.isFinite(sorted[sorted.length - 1]!.le)) counts.push(0); // no +Inf bucket reported
  return { kind: 'explicit', bounds, counts };
}

function selector(p: MetricProfile, service: string, runtimes: string[], extra?: string): string {
  const m = [`${p.labels.service}=${quoteLabelValue(service)}`, `${p.labels.runtime}=~${quoteLabelValue(runtimes.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'))}`, ...p.matchers];
  if (extra) m.push(extra);
  return `{${m.join(', ')}}`;
}

function sumByKey(samples: PromSample[], p: MetricProfile): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of samples) {
    const key = routeKey(s.metric, p);
    const runtime = s.metric[p.labels.runtime] ?? '';
    const perRuntime = out.get(key) ?? new Map<string, number>();
    perRuntime.set(runtime, (perRuntime.get(runtime) ?? 0) + (Number.isFinite(s.value) ? s.value : 0));
    out.set(key, perRuntime);
  }
  return out;
}

async function analyzeService(o: PromAnalyzeOptions, svc: PromAnalyzeOptions['services'][number]) {
  const p = o.profile;
  const runtimes = [svc.primary, svc.candidate];
  const by = `${p.labels.route}, ${p.labels.method}, ${p.labels.runtime}`;
  // increase() is rate() × window: the judge needs counts, because sample size is its evidence.
  const latency = await o.client.query(`sum by (${by}, le) (increase(${p.histogram}_bucket${selector(p, svc.service, runtimes, p.succeeded)}[${o.window}]))`, o.end);
  const totals = sumByKey(await o.client.query(`sum by (${by}) (increase(${p.count}${selector(p, svc.service, runtimes)}[${o.window}]))`, o.end), p);
  const failures = sumByKey(await o.client.query(`sum by (${by}) (increase(${p.count}${selector(p, svc.service, runtimes, p.failed)}[${o.window}]))`, o.end), p);

  const buckets = new Map<string, Map<string, Array<{ le: number; count: number }>>>();
  const meta = new Map<string, { method: string; route: string }>();
  for (const s of latency) {
    const key = routeKey(s.metric, p);
    meta.set(key, { method: s.metric[p.labels.method] ?? '', route: s.metric[p.labels.route] ?? '' });
    const runtime = s.metric[p.labels.runtime] ?? '';
    const le = s.metric.le === '+Inf' ? Infinity : Number(s.metric.le);
    if (Number.isNaN(le)) continue;
    const perRuntime = buckets.get(key) ?? new Map();
    perRuntime.set(runtime, [...(perRuntime.get(runtime) ?? []), { le, count: Number.isFinite(s.value) ? s.value : 0 }]);
    buckets.set(key, perRuntime);
  }
  const keys = [...buckets.keys()].filter((k) => buckets.get(k)!.has(svc.primary) && buckets.get(k)!.has(svc.candidate)).sort();
  const entries = keys.map((k) => {
    const { method, route } = meta.get(k)!;
    const a = explicitFromBuckets(buckets.get(k)!.get(svc.primary)!, p.unitSeconds);
    const b = explicitFromBuckets(buckets.get(k)!.get(svc.candidate)!, p.unitSeconds);
    // The same key as the gate's latency rows: the same bootstrap seed per route.
    return { key: `${svc.service} ${method} ${route}`, a, b, method, route, routeKey: k };
  });
  return { svc, entries, totals, failures };
}

/** Query, then judge every service's routes as one family (as the gate does for a run). */
export async function analyzePrometheus(o: PromAnalyzeOptions): Promise<PrometheusAnalysis> {
  const fetched = [];
  for (const svc of o.services) fetched.push(await analyzeService(o, svc));
  const l = o.rules.latency;
  const all = fetched.flatMap((f) => f.entries);
  if (all.length === 0) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `no ${o.profile.histogram} series for ${o.services.map((s) => `${s.service} (${s.primary} and ${s.candidate})`).join(', ')} in the ${o.window} window`, {
      url: o.client.url,
      hint: `check the service/runtime names and --metric (profiles: ${Object.keys(METRIC_PROFILES).join(', ')}); a wider --window may help`,
    });
  }
  const verdicts = await judgeRoutesParallel(
    all.map((e) => ({ key: e.key, a: e.a, b: e.b })),
    { alpha: l.alpha, confLevel: l.confLevel, tolerance: { relative: l.tolerance, absoluteMs: l.toleranceMs }, quantileTolerance: l.quantileTolerance, minSamples: l.minSamples, correction: l.correction, seed: 1 },
  );
  const sum = (s: Extract<LatencySample, { kind: 'explicit' }>) => Array.from(s.counts).reduce((x, y) => x + y, 0);
  let i = 0;
  const services = fetched.map(({ svc, entries, totals, failures }) => ({
    ...svc,
    routes: entries.map((e) => {
      const errorsOf = (runtime: string): RuntimeErrors => {
        const total = totals.get(e.routeKey)?.get(runtime) ?? 0;
        const failed = failures.get(e.routeKey)?.get(runtime) ?? 0;
        return { runtime, failed, total, rate: total > 0 ? failed / total : 0 };
      };
      const primary = errorsOf(svc.primary);
      const candidate = errorsOf(svc.candidate);
      const max = o.rules.errorRate.max;
      return {
        method: e.method,
        route: e.route,
        n: { primary: sum(e.a), candidate: sum(e.b) },
        errors: { primary, candidate, status: primary.rate <= max && candidate.rate <= max ? ('pass' as const) : ('fail' as const), max },
        latency: verdicts[i++]!,
      };
    }),
  }));
  return {
    schemaVersion: 1,
    source: 'prometheus',
    url: o.client.url,
    profile: o.profile.name,
    metric: o.profile.histogram,
    window: o.window,
    end: new Date((o.end ?? Date.now() / 1000) * 1000).toISOString(),
    services,
  };
}
