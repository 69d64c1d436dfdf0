// @ts-check
/**
 * vectord on two runtimes under k6 — the scenarios of load/vectord.scenarios.yaml, measured in the
 * same ABBA blocks and with the same seeded requests as `gauntlet load`. Every request is tagged
 * with its runtime, scenario and route, so the results import into gauntlet for the comparison:
 *
 *   k6 run -e RUST_URL=http://127.0.0.1:3100 -e GO_URL=http://127.0.0.1:4110 \
 *          --out json=vectord.ndjson load/k6/vectord.js
 *   gauntlet ingest k6 vectord.ndjson --service vectord
 *
 * Env: RUNTIMES (default rust,go), <RUNTIME>_URL per runtime (default 127.0.0.1:3100 / :4110),
 * SCENARIOS (comma-separated subset), SUMMARY (file for the end-of-test summary JSON).
 */
import http from 'k6/http';
import exec from 'k6/execution';
import { buildOptions } from './lib/blocks.js';
import { AB, SCENARIOS, SERVICE } from './lib/scenarios.js';
import { defineWorkload, mixRequest, setupRequests } from './lib/workload.js';

const RUNTIMES = (__ENV.RUNTIMES || 'rust,go').split(',').map((r) => r.trim());
const DEFAULT_URLS = /** @type {Record<string, string>} */ ({ rust: 'http://127.0.0.1:3100', go: 'http://127.0.0.1:4110' });
const CHOSEN = __ENV.SCENARIOS ? __ENV.SCENARIOS.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS);
const PICKED = Object.fromEntries(Object.entries(SCENARIOS).filter(([name]) => CHOSEN.includes(name)));

/** @param {string} runtime */
function baseUrl(runtime) {
  const url = __ENV[`${runtime.toUpperCase()}_URL`] || DEFAULT_URLS[runtime];
  if (!url) throw new Error(`set ${runtime.toUpperCase()}_URL to the base URL of runtime ${runtime}`);
  return url.replace(/\/$/, '');
}

/** @param {string} scenario */
function workloadOf(scenario) {
  const s = SCENARIOS[scenario];
  if (!s) throw new Error(`unknown scenario ${scenario}`);
  const { kind: _kind, ...options } = s.workload;
  return defineWorkload({ ...options, collection: options.collection ?? scenario.replace(/[^A-Za-z0-9_-]/g, '-') });
}

export const options = buildOptions({ service: SERVICE, scenarios: PICKED, ab: AB, runtimes: RUNTIMES });

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Each runtime gets its collections and seed points before anything is measured. */
export function setup() {
  for (const runtime of RUNTIMES) {
    for (const scenario of Object.keys(PICKED)) {
      for (const r of setupRequests(workloadOf(scenario))) {
        const res = http.request(r.method, `${baseUrl(runtime)}${r.path}`, r.body, { headers: JSON_HEADERS, tags: { name: r.route, gauntlet_phase: 'setup' } });
        // 409: the collection exists from an earlier run; the seed upserts overwrite its points.
        if (res.status !== r.expectStatus && !(r.kind === 'create-collection' && res.status === 409)) {
          throw new Error(`setup ${r.method} ${r.path} on ${runtime}: ${res.status} ${String(res.body).slice(0, 200)}`);
        }
      }
    }
  }
}

/** One iteration: the scenario's request number `offset + iterationInTest`, to the block's runtime. */
export function iteration() {
  const runtime = __ENV.GAUNTLET_RUNTIME ?? RUNTIMES[0] ?? 'rust';
  const scenario = __ENV.GAUNTLET_SCENARIO ?? '';
  const index = Number(__ENV.GAUNTLET_INDEX_OFFSET) + exec.scenario.iterationInTest;
  const r = mixRequest(workloadOf(scenario), index);
  http.request(r.method, `${baseUrl(runtime)}${r.path}`, r.body, { headers: JSON_HEADERS, tags: { name: r.route } });
}

/** @param {object} data k6's end-of-test summary */
export function handleSummary(data) {
  const file = __ENV.SUMMARY || 'vectord-summary.json';
  return { [file]: JSON.stringify(data, null, 2), stdout: `summary written to ${file}: gauntlet ingest k6 ${file} --service ${SERVICE}\n` };
}
