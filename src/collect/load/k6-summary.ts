/**
 * k6's end-of-test summary JSON → gauge points, one per (runtime, scenario, metric, stat). Both
 * documented shapes are read:
 * - `handleSummary(data)` / JSON.stringify(data): `metrics[key] = { type, contains, values: {...},
 *   thresholds: { "p(95)<200": { ok } } }`;
 * - `--summary-export`: `metrics[key] = { avg, med, "p(95)", …, thresholds: { "p(95)<200": <failed> } }`
 *   — the values flattened into the metric and each threshold a boolean that is `true` when it FAILED.
 * A summary holds aggregates only; per-runtime numbers exist only for the sub-metrics the script
 * defined (`http_req_duration{runtime:rust}` …, as load/k6 does), and there is no distribution to
 * judge latency with.
 */
import { readFile } from 'node:fs/promises';
import type { StoredMetricPoint, StoredSpan } from '../index.ts';
import * as A from '../../contract/attributes.ts';
import { GauntletError } from '../../util/errors.ts';
import { K6_TAGS, importRunSpan, orderRuntimes, scopeOf, splitSelector } from './k6-common.ts';
import { emptyPoint, thresholdsFor } from './k6-json.ts';
import * as M from '../../contract/load-metrics.ts';
import type { RecordedPlan } from './report-types.ts';

export interface K6ImportOptions {
  runId: string;
  service?: string | undefined;
  /** Report order [A, B]. */
  runtimes?: string[] | undefined;
  /** The config's [primary, candidate] for the service, when it has one. */
  stackRuntimes?: string[] | undefined;
  /** Scale of the exponential histograms built from samples. */
  scale: number;
  /** URL host (host:port) → runtime: untagged samples are attributed by the host they went to (the config's runtime URLs). */
  runtimeByHost?: ReadonlyMap<string, string> | undefined;
}

/** The runtime whose host a k6 `url` tag names, if the mapping has it. */
export function runtimeOfUrl(url: unknown, byHost: ReadonlyMap<string, string> | undefined): string | undefined {
  if (!byHost || typeof url !== 'string') return undefined;
  try {
    return byHost.get(new URL(url).host);
  } catch {
    return undefined;
  }
}

export interface K6Import {
  runId: string;
  plan: RecordedPlan;
  points: StoredMetricPoint[];
  span: StoredSpan;
}

type Obj = Record<string, unknown>;

/** True for a summary (one JSON document with `metrics`), false for NDJSON. */
export function looksLikeSummary(text: string): boolean {
  try {
    const doc = JSON.parse(text) as Obj;
    return typeof doc === 'object' && doc !== null && typeof doc.metrics === 'object';
  } catch {
    return false;
  }
}

export async function importK6Summary(file: string, opts: K6ImportOptions, text?: string): Promise<K6Import> {
  return importK6Summaries([{ file, ...(text !== undefined ? { text } : {}) }], opts);
}

/**
 * Summaries of one run each; a summary given a `runtime` (a plain run of an unmodified script against
 * that runtime) counts its whole-test metrics for it. Summaries hold percentiles, which do not merge,
 * so two summaries of the same runtime are refused.
 */
export async function importK6Summaries(inputs: ReadonlyArray<{ file: string; runtime?: string | undefined; text?: string }>, opts: K6ImportOptions): Promise<K6Import> {
  const points: StoredMetricPoint[] = [];
  const runtimesSeen: string[] = [];
  const fileOfRuntime = new Map<string, string>();
  const scenariosSeen: string[] = [];
  const thresholds: Array<{ key: string; threshold: string }> = [];
  let longestMs = 0;
  const endNs = BigInt(Date.now()) * 1_000_000n;
  for (const { file, runtime: forced, text } of inputs) {
    let doc: { metrics?: unknown; state?: { testRunDurationMs?: unknown } };
    try {
      doc = JSON.parse(text ?? (await readFile(file, 'utf8'))) as typeof doc;
    } catch (err) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `not a k6 summary JSON document: ${(err as Error).message}`, { file });
    }
    if (!doc.metrics || typeof doc.metrics !== 'object') throw new GauntletError('GAUNTLET_INPUT_INVALID', 'a k6 summary has a top-level "metrics" object', { file, path: 'metrics' });
    const durationMs = typeof doc.state?.testRunDurationMs === 'number' ? doc.state.testRunDurationMs : 0;
    longestMs = Math.max(longestMs, durationMs);
    const startNs = endNs - BigInt(Math.round(durationMs * 1e6));
    const runtimesOfFile = new Set<string>();
    for (const [key, raw] of Object.entries(doc.metrics as Obj)) {
      if (!raw || typeof raw !== 'object') continue;
      const m = raw as Obj;
      const scope = scopeOf(key);
      // handleSummary nests the stats under `values`; --summary-export flattens them into the metric.
      const values = (m.values && typeof m.values === 'object' ? m.values : m) as Obj;
      const stats: Record<string, number> = {};
      for (const [stat, v] of Object.entries(values)) if (typeof v === 'number') stats[stat] = v;
      const verdicts: Record<string, number> = {};
      if (m.thresholds && typeof m.thresholds === 'object') {
        for (const [source, t] of Object.entries(m.thresholds as Obj)) {
          // { ok: boolean } (handleSummary), or a bare boolean meaning "failed" (--summary-export).
          const ok = typeof t === 'boolean' ? !t : Boolean((t as { ok?: unknown })?.ok);
          verdicts[`threshold:${source}`] = ok ? 1 : 0;
          thresholds.push({ key: forced && !scope.runtime ? addRuntime(key, forced) : key, threshold: source });
        }
      }
      const runtime = forced ?? scope.runtime;
      if (!runtime) continue; // whole-test numbers of a tagged run mix both runtimes: not comparable per runtime
      runtimesOfFile.add(runtime);
      if (!runtimesSeen.includes(runtime)) runtimesSeen.push(runtime);
      const scenario = scope.scenario ?? 'default';
      if (!scenariosSeen.includes(scenario)) scenariosSeen.push(scenario);
      for (const [stat, value] of Object.entries({ ...stats, ...verdicts })) {
        points.push({
          ...emptyPoint(opts.runId),
          name: M.METRIC_K6_SUMMARY,
          kind: 'gauge',
          unit: m.contains === 'time' ? 'ms' : null,
          startNs,
          timeNs: endNs,
          value,
          attributes: {
            [A.ATTR_GAUNTLET_RUN_ID]: opts.runId,
            [A.ATTR_GAUNTLET_DRIVER]: 'load',
            [A.ATTR_GAUNTLET_SERVICE]: opts.service ?? 'unknown',
            [A.ATTR_GAUNTLET_RUNTIME]: runtime,
            [M.ATTR_SCENARIO]: scenario,
            [M.ATTR_K6_METRIC]: scope.metric,
            [M.ATTR_K6_STAT]: stat,
          },
        });
      }
    }
    for (const runtime of runtimesOfFile) {
      const other = fileOfRuntime.get(runtime);
      if (other !== undefined) {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `two summaries for runtime ${runtime} (${other} and this one): a summary holds percentiles, which cannot be merged exactly`, {
          file,
          hint: 'ingest each runner\'s k6 --out json file instead (its samples merge exactly), or one summary per runtime',
        });
      }
      fileOfRuntime.set(runtime, file);
    }
  }
  const file = inputs.map((i) => i.file).join(', ');
  if (runtimesSeen.length === 0) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', 'the summary has no per-runtime sub-metrics such as http_req_duration{runtime:rust}', {
      file,
      path: 'metrics',
      hint: 'say which runtime each summary measured (gauntlet ingest k6 --runtime rust a.json --runtime go b.json), or define a threshold on each runtime\'s sub-metric so k6 reports it (the scripts in load/k6 do)',
    });
  }
  const startNs = endNs - BigInt(Math.round(longestMs * 1e6));
  const runtimes = orderRuntimes(runtimesSeen, opts.runtimes, opts.stackRuntimes);
  const plan: RecordedPlan = {
    service: opts.service ?? 'unknown',
    runtimes: runtimes.map((name, i) => ({ name, role: i === 0 ? 'primary' : i === 1 ? 'candidate' : 'secondary' })),
    source: 'k6-summary',
    scenarios: scenariosSeen.map((name) => ({ name, executor: null, thresholds: thresholdsFor(name, thresholds).filter((t) => t.runtime !== undefined) })),
  };
  return { runId: opts.runId, plan, points, span: importRunSpan(opts.runId, plan, 'k6-summary', startNs, endNs, file) };
}

/** `http_req_duration{name:/x}` + rust → `http_req_duration{name:/x,runtime:rust}`. */
function addRuntime(key: string, runtime: string): string {
  const { name, tags } = splitSelector(key);
  return `${name}{${Object.entries({ ...tags, [K6_TAGS.runtime]: runtime }).map(([k, v]) => `${k}:${v}`).join(',')}}`;
}
