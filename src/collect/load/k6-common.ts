/**
 * What both k6 importers share: the tags that carry gauntlet's dimensions, sub-metric selectors,
 * and the run span that registers an imported run in the store (like the engine's own run span).
 */
import { randomBytes } from 'node:crypto';
import type { StoredSpan } from '../index.ts';
import * as A from '../../contract/attributes.ts';
import * as M from '../../contract/load-metrics.ts';
import type { LoadSource, RecordedPlan } from './report-types.ts';

/**
 * Tags the scripts in load/k6 put on every request: `runtime` (which side), `gauntlet_scenario`
 * (the scenario; k6's own `scenario` tag names the ABBA block scenario, e.g. search-128.rust.b3),
 * `name` (the route template — k6's URL grouping tag), `gauntlet_service`.
 */
export const K6_TAGS = { runtime: 'runtime', scenario: 'gauntlet_scenario', service: 'gauntlet_service' } as const;

export type Tags = Record<string, string>;

export function scenarioOf(tags: Tags): string {
  return tags[K6_TAGS.scenario] ?? tags.scenario ?? 'default';
}

/** `http_req_duration{runtime:rust,name:/v1/x}` → name + tags (route templates may contain braces). */
export function splitSelector(key: string): { name: string; tags: Tags } {
  const brace = key.indexOf('{');
  if (brace < 0 || !key.endsWith('}')) return { name: key, tags: {} };
  const tags: Tags = {};
  for (const part of key.slice(brace + 1, -1).split(',')) {
    const colon = part.indexOf(':');
    if (colon > 0) tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return { name: key.slice(0, brace), tags };
}

/**
 * A sub-metric key with the dimensions gauntlet reports by (runtime, scenario) taken out: what is
 * left is a threshold key the report understands (`http_req_duration{name:/v1/x}`).
 */
export function scopeOf(key: string): { metric: string; runtime: string | undefined; scenario: string | undefined } {
  const { name, tags } = splitSelector(key);
  const runtime = tags[K6_TAGS.runtime];
  const scenario = tags[K6_TAGS.scenario] ?? tags.scenario;
  const rest = Object.entries(tags).filter(([k]) => k !== K6_TAGS.runtime && k !== K6_TAGS.scenario && k !== 'scenario');
  return { metric: rest.length ? `${name}{${rest.map(([k, v]) => `${k}:${v}`).join(',')}}` : name, runtime, scenario };
}

/** Runtimes in report order: as asked, else the stack's primary/candidate, else as first seen. */
export function orderRuntimes(seen: readonly string[], asked: readonly string[] | undefined, stack: readonly string[] | undefined): string[] {
  if (asked?.length) return [...asked];
  if (stack && stack.every((r) => seen.includes(r))) return [...stack, ...seen.filter((r) => !stack.includes(r))];
  return [...seen];
}

/** The INTERNAL run span an imported run is registered by (`gauntlet runs`, `gauntlet load --run`). */
export function importRunSpan(runId: string, plan: RecordedPlan, source: LoadSource, startNs: bigint, endNs: bigint, file: string): StoredSpan {
  const resource = { 'service.name': 'gauntlet', [A.ATTR_GAUNTLET_RUN_ID]: runId };
  const attributes = {
    [A.ATTR_GAUNTLET_RUN_ID]: runId,
    [A.ATTR_GAUNTLET_DRIVER]: 'load',
    [A.ATTR_GAUNTLET_SERVICE]: plan.service,
    [M.ATTR_LOAD_SOURCE]: source,
    [M.ATTR_LOAD_PLAN]: JSON.stringify(plan),
    'gauntlet.load.file': file,
  };
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: null,
    name: 'gauntlet ingest k6',
    kind: 'INTERNAL',
    startNs,
    endNs: endNs > startNs ? endNs : startNs,
    statusCode: 'UNSET',
    statusMessage: null,
    serviceName: 'gauntlet',
    scopeName: A.TRACER_NAME,
    resource,
    attributes,
    events: [],
    links: [],
    runId,
  };
}
