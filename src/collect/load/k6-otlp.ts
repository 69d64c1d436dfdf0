/**
 * k6 `--out opentelemetry` metrics, as gauntlet's receiver stored them → a load run like an ingested
 * `--out json` file. What k6 sends (grafana/k6 internal/output/opentelemetry, checked at k6 v1.4–v2):
 * meter/scope `k6`; metric names = K6_OTEL_METRIC_PREFIX + the k6 name; Trend → Float64Histogram
 * (unit `ms` for time), Counter → Float64Counter, Gauge → Float64Gauge, Rate → Int64Counter
 * `<name>.total` with `condition` zero|nonzero; every k6 tag becomes an attribute. The histogram's
 * aggregation and temporality are the OTel Go SDK's (env OTEL_EXPORTER_OTLP_METRICS_*): only
 * base2 exponential histograms keep a distribution fine enough to judge, so explicit-bucket ones are
 * refused with the setting to use. Cumulative series are read at their last point, delta ones summed.
 */
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { StoredMetricPoint } from '../index.ts';
import * as A from '../../contract/attributes.ts';
import * as M from '../../contract/load-metrics.ts';
import { GauntletError } from '../../util/errors.ts';
import { addToHist, type ExpHist } from './aggregate.ts';
import { statusClassOf } from './hdr.ts';
import { K6_TAGS, importRunSpan, orderRuntimes } from './k6-common.ts';
import { blockPoints, emptyPoint, routeOf } from './k6-json.ts';
import { runtimeOfUrl, type K6Import, type K6ImportOptions } from './k6-summary.ts';
import type { RecordedPlan } from './report-types.ts';

/** The instrumentation scope k6's OpenTelemetry output records under (`meterProvider.Meter("k6")`). */
export const K6_OTEL_SCOPE = 'k6';

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Cumulative series: the last point of each (name, attributes, start); delta: every point. */
function effective(points: readonly StoredMetricPoint[]): StoredMetricPoint[] {
  const latest = new Map<string, StoredMetricPoint>();
  const out: StoredMetricPoint[] = [];
  for (const p of points) {
    if (p.temporality !== 'cumulative') {
      out.push(p);
      continue;
    }
    const key = `${p.name}\u0000${JSON.stringify(Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : 1)))}\u0000${p.resource['service.instance.id'] ?? ''}\u0000${p.startNs}`;
    const seen = latest.get(key);
    if (!seen || p.timeNs > seen.timeNs) latest.set(key, p);
  }
  return [...out, ...latest.values()];
}

interface Agg {
  runtime: string;
  scenario: string;
  firstNs: bigint;
  lastNs: bigint;
  iterations: number;
  dropped: number;
  vus: number;
  series: Map<string, { method: string; route: string; statusClass: string; hist: ExpHist | undefined }>;
}

/** A k6 exponential histogram in ms → gauntlet's in seconds at `scale`: each bucket moves whole to the bucket of its geometric midpoint. */
function toSeconds(h: ExpHist, scale: number): { offset: number; bucketCounts: number[]; zeroCount: number } {
  const counts = new Map<number, number>();
  const base = 2 ** (2 ** -h.scale);
  for (const [i, c] of h.counts) {
    const midMs = base ** (i + 0.5);
    const index = Math.ceil(Math.log2(midMs / 1000) * 2 ** scale) - 1;
    counts.set(index, (counts.get(index) ?? 0) + c);
  }
  const indices = [...counts.keys()];
  if (indices.length === 0) return { offset: 0, bucketCounts: [], zeroCount: h.zeroCount };
  const offset = Math.min(...indices);
  const bucketCounts = new Array<number>(Math.max(...indices) - offset + 1).fill(0);
  for (const [i, c] of counts) bucketCounts[i - offset] = c;
  return { offset, bucketCounts, zeroCount: h.zeroCount };
}

export function importK6Otlp(stored: readonly StoredMetricPoint[], source: string, opts: K6ImportOptions): K6Import {
  const k6 = stored.filter((p) => p.scopeName === K6_OTEL_SCOPE);
  if (k6.length === 0) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `no k6 metrics (instrumentation scope "${K6_OTEL_SCOPE}") in ${source}`, {
      hint: 'run k6 with --out opentelemetry against gauntlet\'s receiver, and OTEL_RESOURCE_ATTRIBUTES=gauntlet.run.id=ID so its points carry the id you ingest',
    });
  }
  const duration = k6.find((p) => p.name.endsWith('http_req_duration'));
  if (!duration) throw new GauntletError('GAUNTLET_INPUT_INVALID', `k6 sent no http_req_duration to ${source}`, { hint: 'the script made no HTTP requests, or the export interval had not passed when k6 stopped' });
  const prefix = duration.name.slice(0, -'http_req_duration'.length);
  if (duration.kind === 'histogram') {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `${duration.name} arrived as an explicit-bucket histogram (the OTel Go SDK's default buckets 0, 5, 10, 25 … ms): too coarse to judge latency`, {
      hint: 'run k6 with OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram (read by the OTel Go SDK inside k6), or ingest k6 --out json files',
    });
  }
  const aggs = new Map<string, Agg>();
  let untagged = 0;
  let service = opts.service;
  for (const p of effective(k6)) {
    if (!p.name.startsWith(prefix)) continue;
    const metric = p.name.slice(prefix.length);
    const runtime = str(p.attributes[K6_TAGS.runtime]) || runtimeOfUrl(p.attributes.url, opts.runtimeByHost) || '';
    if (!runtime) {
      if (metric === 'http_req_duration') untagged++;
      continue;
    }
    service ??= str(p.attributes[K6_TAGS.service]) || undefined;
    const scenario = str(p.attributes[K6_TAGS.scenario]) || str(p.attributes.scenario) || 'default';
    const key = `${scenario}\u0000${runtime}`;
    let a = aggs.get(key);
    if (!a) aggs.set(key, (a = { runtime, scenario, firstNs: p.startNs, lastNs: p.timeNs, iterations: 0, dropped: 0, vus: 0, series: new Map() }));
    if (p.startNs > 0n && p.startNs < a.firstNs) a.firstNs = p.startNs;
    if (p.timeNs > a.lastNs) a.lastNs = p.timeNs;
    switch (metric) {
      case 'http_req_duration': {
        if (p.kind !== 'exponential_histogram') break;
        const method = str(p.attributes.method || 'GET').toUpperCase();
        const route = routeOf(str(p.attributes.name ?? p.attributes.url));
        const status = Number(p.attributes.status);
        const statusClass = statusClassOf(status > 0 ? status : undefined);
        const sk = `${method} ${route} ${statusClass}`;
        let s = a.series.get(sk);
        if (!s) a.series.set(sk, (s = { method, route, statusClass, hist: undefined }));
        s.hist = addToHist(s.hist, p);
        break;
      }
      case 'iterations':
        a.iterations += p.value ?? 0;
        break;
      case 'dropped_iterations':
        a.dropped += p.value ?? 0;
        break;
      case 'vus':
        a.vus = Math.max(a.vus, p.value ?? 0);
        break;
    }
  }
  if (aggs.size === 0) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `no k6 metrics in ${source} carry a \`${K6_TAGS.runtime}\` attribute${untagged ? ` (${untagged} ${prefix}http_req_duration series had none)` : ''}`, {
      hint: 'run the unmodified script once per runtime with k6 run --tag runtime=rust … and --tag runtime=go … (k6 tags become OTel attributes)',
    });
  }
  const blocks = [...aggs.values()];
  const runtimes = orderRuntimes([...new Set(blocks.map((b) => b.runtime))], opts.runtimes, opts.stackRuntimes);
  const svc = service ?? 'unknown';
  const points: StoredMetricPoint[] = [];
  for (const b of blocks) {
    const base = { [A.ATTR_GAUNTLET_RUN_ID]: opts.runId, [A.ATTR_GAUNTLET_DRIVER]: 'load', [A.ATTR_GAUNTLET_SERVICE]: svc, [A.ATTR_GAUNTLET_RUNTIME]: b.runtime, [M.ATTR_SCENARIO]: b.scenario };
    const window = { startNs: b.firstNs, timeNs: b.lastNs > b.firstNs ? b.lastNs : b.firstNs + 1_000_000n };
    points.push(...blockPoints(opts.runId, window, base, b));
    for (const s of b.series.values()) {
      const h = s.hist;
      if (!h || h.count === 0) continue;
      const e = toSeconds(h, opts.scale);
      points.push({
        ...emptyPoint(opts.runId),
        name: M.METRIC_SENT_DURATION,
        kind: 'exponential_histogram',
        unit: 's',
        temporality: 'delta',
        ...window,
        count: h.count,
        sum: h.sum / 1000,
        min: Number.isFinite(h.min) ? h.min / 1000 : null,
        max: Number.isFinite(h.max) ? h.max / 1000 : null,
        scale: opts.scale,
        zeroCount: e.zeroCount,
        zeroThreshold: 0,
        positive: { offset: e.offset, bucketCounts: e.bucketCounts },
        negative: { offset: 0, bucketCounts: [] },
        attributes: { ...base, [ATTR_HTTP_REQUEST_METHOD]: s.method, [ATTR_HTTP_ROUTE]: s.route, [M.ATTR_STATUS_CLASS]: s.statusClass },
      });
    }
  }
  const plan: RecordedPlan = {
    service: svc,
    runtimes: runtimes.map((name, i) => ({ name, role: i === 0 ? 'primary' : i === 1 ? 'candidate' : 'secondary' })),
    source: 'k6-otlp',
    scenarios: [...new Set(blocks.map((b) => b.scenario))].map((name) => ({ name, executor: null, thresholds: [] })),
  };
  const first = blocks.reduce((t, b) => (b.firstNs < t ? b.firstNs : t), blocks[0]!.firstNs);
  const last = blocks.reduce((t, b) => (b.lastNs > t ? b.lastNs : t), blocks[0]!.lastNs);
  return { runId: opts.runId, plan, points, span: importRunSpan(opts.runId, plan, 'k6-otlp', first, last, source) };
}
