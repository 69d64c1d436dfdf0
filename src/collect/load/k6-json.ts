/**
 * k6 `--out json` (NDJSON: one `{"type":"Metric"|"Point", "metric", "data"}` object per line) →
 * the same metric points the built-in engine exports, so the report, thresholds and latency judge
 * treat a k6 run like one of gauntlet's. Every `http_req_duration` sample goes into an exact
 * HdrHistogram per (runtime, scenario, route, status class); blocks are k6 scenarios (the ABBA
 * blocks of load/k6), each a delta interval from its first to its last sample.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { StoredMetricPoint } from '../index.ts';
import * as A from '../../contract/attributes.ts';
import { GauntletError } from '../../util/errors.ts';
import { newHistogram, statusClassOf, toExponential } from './hdr.ts';
import { K6_TAGS, importRunSpan, orderRuntimes, scenarioOf, scopeOf, type Tags } from './k6-common.ts';
import * as M from '../../contract/load-metrics.ts';
import type { RecordedPlan, RecordedThreshold } from './report-types.ts';
import { parseThreshold } from '../../config/thresholds.ts';
import { parseThresholdKey } from '../../config/threshold-keys.ts';
import { runtimeOfUrl, type K6ImportOptions, type K6Import } from './k6-summary.ts';

interface Block {
  runtime: string;
  scenario: string;
  firstNs: bigint;
  lastNs: bigint;
  samples: number;
  iterations: number;
  dropped: number;
  vus: number;
  series: Map<string, { method: string; route: string; statusClass: string; hist: ReturnType<typeof newHistogram> }>;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 with up to nanosecond fractions (what k6 writes) → epoch ns; Date.parse would keep ms only. */
export function parseK6Time(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

async function lines(file: string): Promise<AsyncIterable<string>> {
  const fh = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot read k6 output: ${err.code ?? err.message}`, { file });
  });
  const magic = Buffer.alloc(2);
  await fh.read(magic, 0, 2, 0);
  await fh.close();
  const raw = createReadStream(file);
  // k6 writes gzip when the file name ends in .gz: accept it by content, whatever the name.
  return createInterface({ input: magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity });
}

/**
 * k6's `name` tag defaults to the request URL, which names the host: runs against two runtimes on two
 * hosts would never share a route. An absolute URL is reduced to its path; a script's own name
 * (`http.get(url, { tags: { name: '/v1/items/{id}' } })`) is kept as written.
 */
export function routeOf(name: string): string {
  if (!/^https?:\/\//i.test(name)) return name;
  try {
    return new URL(name).pathname;
  } catch {
    return name;
  }
}

/** One k6 output file; `runtime` is set when the samples are untagged and the file belongs to one runtime. */
export interface K6Input {
  file: string;
  runtime?: string | undefined;
}

/**
 * Every file's samples go into the same histograms: several runners' files for one runtime (k6-operator
 * parallelism, one k6 per machine) become one run whose distribution is exactly that of all samples.
 */
export async function importK6Json(input: string | readonly K6Input[], opts: K6ImportOptions): Promise<K6Import> {
  const inputs: readonly K6Input[] = typeof input === 'string' ? [{ file: input }] : input;
  const blocks = new Map<string, Block>();
  const thresholds = new Map<string, string[]>();
  let service = opts.service;
  let untagged = 0;
  const blockOf = (tags: Tags, runtime: string, timeNs: bigint): Block => {
    const scenario = scenarioOf(tags);
    const key = `${tags.scenario ?? ''}\u0000${scenario}\u0000${runtime}`;
    let b = blocks.get(key);
    if (!b) blocks.set(key, (b = { runtime, scenario, firstNs: timeNs, lastNs: timeNs, samples: 0, iterations: 0, dropped: 0, vus: 0, series: new Map() }));
    if (timeNs < b.firstNs) b.firstNs = timeNs;
    if (timeNs > b.lastNs) b.lastNs = timeNs;
    return b;
  };
  for (const { file, runtime: forced } of inputs) {
    let lineNo = 0;
    let entries = 0;
    let points = 0;
    for await (const line of await lines(file)) {
      lineNo++;
      if (line.trim() === '') continue;
      entries++;
      let entry: { type?: unknown; metric?: unknown; data?: { time?: unknown; value?: unknown; tags?: unknown; thresholds?: unknown } };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', 'not a JSON line (k6 --out json writes one JSON object per line)', { file, line: lineNo });
      }
      const metric = typeof entry.metric === 'string' ? entry.metric : '';
      if (entry.type === 'Metric') {
        if (Array.isArray(entry.data?.thresholds)) thresholds.set(metric, entry.data.thresholds.filter((t): t is string => typeof t === 'string'));
        continue;
      }
      if (entry.type !== 'Point') continue;
      points++;
      const tags = (entry.data?.tags && typeof entry.data.tags === 'object' ? entry.data.tags : {}) as Tags;
      const value = entry.data?.value;
      const timeNs = typeof entry.data?.time === 'string' ? parseK6Time(entry.data.time) : undefined;
      if (typeof value !== 'number' || timeNs === undefined) {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `Point of ${metric || '(no metric)'} needs a numeric data.value and an RFC 3339 data.time`, { file, line: lineNo, path: 'data' });
      }
      // A file given with --runtime is that runtime's, whatever its tags say.
      const runtime = forced ?? tags[K6_TAGS.runtime] ?? runtimeOfUrl(tags.url, opts.runtimeByHost);
      if (!runtime) {
        if (metric === 'http_req_duration') untagged++;
        continue;
      }
      service ??= tags[K6_TAGS.service];
      const b = blockOf(tags, runtime, timeNs);
      switch (metric) {
        case 'http_req_duration': {
          const method = (tags.method ?? 'GET').toUpperCase();
          const route = routeOf(tags.name ?? tags.url ?? '');
          // k6 reports a failed connection as status 0.
          const status = Number(tags.status);
          const statusClass = statusClassOf(status > 0 ? status : undefined);
          const key = `${method} ${route} ${statusClass}`;
          let s = b.series.get(key);
          if (!s) b.series.set(key, (s = { method, route, statusClass, hist: newHistogram() }));
          s.hist.recordValue(Math.max(1, Math.round(value * 1000)));
          b.samples++;
          break;
        }
        case 'iterations':
          b.iterations += value;
          break;
        case 'dropped_iterations':
          b.dropped += value;
          break;
        case 'vus':
          b.vus = Math.max(b.vus, value);
          break;
      }
    }
    if (entries === 0) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', 'the file is empty: no k6 output to import', {
        file,
        hint: 'k6 run --out json=FILE writes one line per sample; an empty file means the run was stopped before its first sample or the path was wrong',
      });
    }
    if (points === 0) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `no k6 samples: none of its ${entries} JSON line${entries > 1 ? 's is a' : ' is a'} "Point"`, {
        file,
        hint: 'k6 --out json writes Metric and Point lines; did the test run send any request?',
      });
    }
  }
  const first = inputs[0]!.file;
  if (blocks.size === 0) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `no samples tagged with \`${K6_TAGS.runtime}\`${untagged ? ` (${untagged} http_req_duration samples had no runtime tag)` : ''}`, {
      file: first,
      hint: 'say which runtime each file measured: gauntlet ingest k6 --runtime rust a.json --runtime go b.json (or tag every request with its runtime, as the scripts in load/k6 do)',
    });
  }
  return assemble(inputs.map((i) => i.file).join(', '), [...blocks.values()], thresholds, { ...opts, service: service ?? opts.service ?? 'unknown' });
}

function assemble(file: string, blocks: Block[], thresholds: Map<string, string[]>, opts: K6ImportOptions & { service: string }): K6Import {
  const runtimes = orderRuntimes([...new Set(blocks.map((b) => b.runtime))], opts.runtimes, opts.stackRuntimes);
  const scenarios = [...new Set(blocks.map((b) => b.scenario))];
  const points: StoredMetricPoint[] = [];
  const base = (b: Block) => ({
    [A.ATTR_GAUNTLET_RUN_ID]: opts.runId,
    [A.ATTR_GAUNTLET_DRIVER]: 'load',
    [A.ATTR_GAUNTLET_SERVICE]: opts.service,
    [A.ATTR_GAUNTLET_RUNTIME]: b.runtime,
    [M.ATTR_SCENARIO]: b.scenario,
  });
  for (const b of blocks) {
    // n samples span n − 1 gaps: stretch the window by one mean gap so count / window is the rate.
    const span = b.lastNs - b.firstNs;
    const window = { startNs: b.firstNs, timeNs: b.lastNs + (b.samples > 1 ? span / BigInt(b.samples - 1) : 1_000_000n) };
    points.push(...blockPoints(opts.runId, window, base(b), b));
    for (const s of b.series.values()) {
      const e = toExponential(s.hist, opts.scale)!;
      s.hist.destroy();
      points.push({
        ...emptyPoint(opts.runId),
        name: M.METRIC_SENT_DURATION,
        kind: 'exponential_histogram',
        unit: 's',
        temporality: 'delta',
        ...window,
        count: e.count,
        sum: e.sum,
        min: e.min,
        max: e.max,
        scale: e.scale,
        zeroCount: 0,
        zeroThreshold: 0,
        positive: { offset: e.offset, bucketCounts: e.bucketCounts },
        negative: { offset: 0, bucketCounts: [] },
        attributes: { ...base(b), [ATTR_HTTP_REQUEST_METHOD]: s.method, [ATTR_HTTP_ROUTE]: s.route, [M.ATTR_STATUS_CLASS]: s.statusClass },
      });
    }
  }
  const recorded = [...thresholds].flatMap(([key, sources]) => sources.map((threshold) => ({ key, threshold })));
  const plan: RecordedPlan = {
    service: opts.service,
    runtimes: runtimes.map((name, i) => ({ name, role: i === 0 ? 'primary' : i === 1 ? 'candidate' : 'secondary' })),
    source: 'k6-json',
    scenarios: scenarios.map((name) => ({ name, executor: null, thresholds: thresholdsFor(name, recorded) })),
  };
  const first = blocks.reduce((t, b) => (b.firstNs < t ? b.firstNs : t), blocks[0]!.firstNs);
  const last = blocks.reduce((t, b) => (b.lastNs > t ? b.lastNs : t), blocks[0]!.lastNs);
  return { runId: opts.runId, plan, points, span: importRunSpan(opts.runId, plan, 'k6-json', first, last, file) };
}

/** k6 thresholds that concern a scenario: unscoped ones, and those on a sub-metric of that scenario. */
/**
 * Always-true thresholds the load/k6 scripts set on per-runtime sub-metrics only so that k6's summary
 * reports them (see load/k6/lib/blocks.js): not the user's thresholds, so not reported as such.
 */
export const K6_WITNESS_THRESHOLDS: ReadonlySet<string> = new Set(['count>=0', 'rate>=0', 'max>=0']);

export function thresholdsFor(scenario: string, recorded: ReadonlyArray<{ key: string; threshold: string }>): RecordedThreshold[] {
  return recorded.flatMap(({ key, threshold }) => {
    const scope = scopeOf(key);
    if (scope.scenario !== undefined && scope.scenario !== scenario) return [];
    if (K6_WITNESS_THRESHOLDS.has(threshold)) return [];
    // Thresholds on metrics or tags gauntlet does not report (checks, custom metrics) stay k6's business.
    try {
      parseThresholdKey(scope.metric);
      parseThreshold(threshold);
    } catch {
      return [];
    }
    return [{ metric: scope.metric, threshold, abortOnFail: false, ...(scope.runtime ? { runtime: scope.runtime } : {}) }];
  });
}

/** One block's iteration, dropped-iteration and VU points, as the load engine stores them. */
export function blockPoints(
  runId: string,
  window: { startNs: bigint; timeNs: bigint },
  attributes: Record<string, string>,
  counts: { iterations: number; dropped: number; vus: number },
): StoredMetricPoint[] {
  const point = (name: string, kind: 'sum' | 'gauge', value: number, unit: string): StoredMetricPoint => ({
    ...emptyPoint(runId),
    name,
    kind,
    unit,
    ...window,
    temporality: kind === 'sum' ? 'delta' : null,
    monotonic: kind === 'sum' ? true : null,
    value,
    attributes,
  });
  const out = [point(M.METRIC_ITERATIONS, 'sum', counts.iterations, '{iteration}'), point(M.METRIC_DROPPED, 'sum', counts.dropped, '{iteration}')];
  if (counts.vus > 0) out.push(point(M.METRIC_VUS, 'gauge', counts.vus, '{vu}'));
  return out;
}

export function emptyPoint(runId: string): StoredMetricPoint {
  return {
    name: '',
    description: null,
    unit: null,
    kind: 'gauge',
    temporality: null,
    monotonic: null,
    startNs: 0n,
    timeNs: 0n,
    value: null,
    count: null,
    sum: null,
    min: null,
    max: null,
    bounds: null,
    bucketCounts: null,
    scale: null,
    zeroCount: null,
    zeroThreshold: null,
    positive: null,
    negative: null,
    quantiles: null,
    flags: 0,
    attributes: {},
    resource: { 'service.name': 'gauntlet', [A.ATTR_GAUNTLET_RUN_ID]: runId },
    serviceName: 'gauntlet',
    scopeName: A.TRACER_NAME,
    runId,
  };
}
