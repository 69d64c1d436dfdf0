/**
 * Threshold keys in k6 syntax: a built-in metric name, optionally narrowed to a sub-metric by tags —
 * `http_req_duration`, `http_req_duration{route:/v1/collections/{name}/search}`,
 * `http_req_duration{expected_response:true}`. Route templates contain braces themselves, so the
 * selector is everything between the first `{` and the final `}`.
 */
import { GauntletError } from '../util/errors.ts';

export type LoadMetricType = 'trend' | 'rate' | 'counter';

interface MetricDef {
  type: LoadMetricType;
  /** Aggregations k6 allows for the type; `p(N)` stands for any percentile. */
  aggregations: readonly string[];
  /** Tags a sub-metric may select on. */
  tags: readonly string[];
}

const TREND: MetricDef = { type: 'trend', aggregations: ['avg', 'min', 'max', 'med', 'p(N)'], tags: ['route', 'name', 'method', 'expected_response'] };
const COUNTER: MetricDef = { type: 'counter', aggregations: ['count', 'rate'], tags: [] };

/** The k6 built-in metrics the engine produces (same names, same meaning). */
export const LOAD_METRICS: Readonly<Record<string, MetricDef>> = {
  http_req_duration: TREND,
  http_req_failed: { type: 'rate', aggregations: ['rate'], tags: ['route', 'name', 'method'] },
  http_reqs: { ...COUNTER, tags: ['route', 'name', 'method', 'expected_response'] },
  iterations: COUNTER,
  dropped_iterations: COUNTER,
};

export interface ThresholdKey {
  source: string;
  name: string;
  type: LoadMetricType;
  aggregations: readonly string[];
  /** Tag → value; `name` is normalised to `route` (k6 groups URLs under the `name` tag). */
  filter: { route?: string; method?: string; expected_response?: boolean };
}

export function parseThresholdKey(source: string): ThresholdKey {
  const brace = source.indexOf('{');
  const name = (brace < 0 ? source : source.slice(0, brace)).trim();
  const def = LOAD_METRICS[name];
  if (!def) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `unknown metric "${name}" in threshold key "${source}"`, { hint: `thresholds apply to ${Object.keys(LOAD_METRICS).join(', ')}` });
  }
  const filter: ThresholdKey['filter'] = {};
  if (brace >= 0) {
    if (!source.trimEnd().endsWith('}')) throw new GauntletError('GAUNTLET_INPUT_INVALID', `threshold key "${source}" has an unclosed {tag:value} selector`);
    const inner = source.trimEnd().slice(brace + 1, -1);
    for (const part of inner.split(',')) {
      const colon = part.indexOf(':');
      const tag = part.slice(0, colon).trim();
      const value = part.slice(colon + 1).trim();
      if (colon < 0 || !tag || !value) throw new GauntletError('GAUNTLET_INPUT_INVALID', `threshold key "${source}": selectors are tag:value pairs`);
      if (!def.tags.includes(tag)) {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `threshold key "${source}": ${name} cannot be narrowed by "${tag}"`, {
          hint: def.tags.length ? `use ${def.tags.join(', ')}` : `${name} has no sub-metrics`,
        });
      }
      if (tag === 'expected_response') {
        if (value !== 'true' && value !== 'false') throw new GauntletError('GAUNTLET_INPUT_INVALID', `threshold key "${source}": expected_response is true or false`);
        filter.expected_response = value === 'true';
      } else if (tag === 'method') filter.method = value.toUpperCase();
      else filter.route = value;
    }
  }
  return { source: source.trim(), name, type: def.type, aggregations: def.aggregations, filter };
}
