/**
 * Scenario file → validated, normalised plan. Every check happens here, before a daemon starts or a
 * request leaves: a bad executor, threshold, workload field or an unbounded scenario costs nothing
 * and the error names the file, line, scenario and field.
 */
import { defineVectordWorkload } from '../../daemons/index.ts';
import { readDataFile, type GauntletConfig } from '../../config/index.ts';
import { parseThreshold } from '../../config/thresholds.ts';
import { GauntletError } from '../../util/errors.ts';
import { profileDuration, type Profile } from './schedule.ts';
import { ScenarioFileSchema, splitScenarioSelector, type Scenario, type ScenarioFile, type Workload } from '../../config/scenario-schema.ts';
import { parseThresholdKey } from '../../config/threshold-keys.ts';
import type { PlannedScenario, PlannedThreshold, WorkloadSpec } from './types.ts';

export interface LoadPlan {
  file: string;
  service: string;
  runtimes: [string, string] | undefined;
  blockMs: number;
  warmupMs: number;
  scenarios: PlannedScenario[];
}

export async function readScenarioFile(file: string, limits: GauntletConfig['load']): Promise<LoadPlan> {
  const parsed = await readDataFile(file, ScenarioFileSchema, 'GAUNTLET_INPUT_INVALID', 'scenario file');
  return planScenarios(parsed, file, limits);
}

export function planScenarios(f: ScenarioFile, file: string, limits: GauntletConfig['load']): LoadPlan {
  // k6's global thresholds: `{scenario:NAME}` narrows one to that scenario, else it is every scenario's.
  const global = Object.entries(f.thresholds ?? {}).map(([key, entries]) => ({ ...splitScenarioSelector(key), entries }));
  const withGlobal = (name: string, s: Scenario): Scenario => {
    const thresholds = { ...s.thresholds };
    for (const g of global) if (g.scenario === undefined || g.scenario === name) thresholds[g.key] = [...(thresholds[g.key] ?? []), ...g.entries];
    return { ...s, thresholds };
  };
  // Scenarios never overlap here (each is compared in its own A/B blocks): k6's startTime orders them.
  const ordered = Object.entries(f.scenarios)
    .map(([name, s], i) => ({ name, s, i }))
    .sort((a, b) => a.s.startTime - b.s.startTime || a.i - b.i);
  const scenarios = ordered.map(({ name, s }) => planScenario(name, withGlobal(name, s), file, limits));
  return {
    file,
    service: f.service,
    runtimes: f.runtimes as [string, string] | undefined,
    blockMs: f.ab.block ?? limits.blockMs,
    warmupMs: f.ab.warmup ?? limits.warmupMs,
    scenarios,
  };
}

function planScenario(name: string, s: Scenario, file: string, limits: GauntletConfig['load']): PlannedScenario {
  const fail = (field: string, message: string, hint?: string) =>
    new GauntletError('GAUNTLET_INPUT_INVALID', `scenario "${name}": ${field} ${message}`, { file, path: `scenarios.${name}.${field}`, ...(hint ? { hint } : {}) });
  if (s.exec !== undefined) {
    throw fail('exec', `("${s.exec}") names a k6 JavaScript function, which gauntlet cannot run`, 'say what one iteration sends in `workload` (kind: http with its requests, or kind: vectord); to run the k6 script itself, run k6 and `gauntlet ingest k6` its output');
  }
  let plan: PlannedScenario['plan'];
  let iterations: number | undefined = s.iterations;
  switch (s.executor) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const perMs = (rate: number) => rate / s.timeUnit;
      const rate: Profile =
        s.executor === 'constant-arrival-rate'
          ? { start: perMs(s.rate), stages: [{ durationMs: s.duration, target: perMs(s.rate) }] }
          : { start: perMs(s.startRate), stages: s.stages.map((st) => ({ durationMs: st.duration, target: perMs(st.target) })) };
      const maxVUs = s.maxVUs ?? s.preAllocatedVUs;
      if (maxVUs < s.preAllocatedVUs) throw fail('maxVUs', `(${maxVUs}) is below preAllocatedVUs (${s.preAllocatedVUs})`);
      if (maxVUs > limits.maxVUs) throw fail('maxVUs', `(${maxVUs}) exceeds the configured bound load.maxVUs = ${limits.maxVUs}`, 'raise load.maxVUs in the config if you mean it');
      plan = { model: 'open', rate, preAllocatedVUs: s.preAllocatedVUs, maxVUs };
      break;
    }
    case 'constant-vus':
      if (s.vus > limits.maxVUs) throw fail('vus', `(${s.vus}) exceeds the configured bound load.maxVUs = ${limits.maxVUs}`, 'raise load.maxVUs in the config if you mean it');
      plan = { model: 'closed', vus: { start: s.vus, stages: [{ durationMs: s.duration, target: s.vus }] } };
      break;
    case 'ramping-vus': {
      const peak = Math.max(s.startVUs, ...s.stages.map((st) => st.target));
      if (peak > limits.maxVUs) throw fail('stages', `reach ${peak} VUs, over the configured bound load.maxVUs = ${limits.maxVUs}`, 'raise load.maxVUs in the config if you mean it');
      plan = { model: 'closed', vus: { start: s.startVUs, stages: s.stages.map((st) => ({ durationMs: st.duration, target: st.target })) } };
      break;
    }
    case 'shared-iterations':
    case 'per-vu-iterations':
      if (s.vus > limits.maxVUs) throw fail('vus', `(${s.vus}) exceeds the configured bound load.maxVUs = ${limits.maxVUs}`, 'raise load.maxVUs in the config if you mean it');
      // Closed model until the iterations are done; per-vu-iterations bounds the total (vus × iterations), not each VU's share.
      plan = { model: 'closed', vus: { start: s.vus, stages: [{ durationMs: s.maxDuration, target: s.vus }] } };
      iterations = s.executor === 'shared-iterations' ? s.iterations : s.vus * s.iterations;
      if (iterations > limits.maxIterations) throw fail('iterations', `(${iterations} per runtime) exceed the configured bound load.maxIterations = ${limits.maxIterations}`, 'raise load.maxIterations in the config if you mean it');
      break;
  }
  const durationMs = profileDuration(plan.model === 'open' ? plan.rate : plan.vus);
  const durationField = s.executor.startsWith('ramping') ? 'stages' : s.executor.endsWith('iterations') ? 'maxDuration' : 'duration';
  if (durationMs <= 0) throw fail(durationField, 'add up to no time at all');
  if (durationMs > limits.maxDurationMs) {
    throw fail(durationField, `last ${durationMs} ms, over the configured bound load.maxDurationMs = ${limits.maxDurationMs}`, 'shorten the scenario or raise load.maxDurationMs');
  }
  const maxIterations = Math.min(iterations ?? Infinity, limits.maxIterations);
  return {
    name,
    executor: s.executor,
    durationMs,
    ...(s.executor.endsWith('iterations') ? { iterationBased: true } : {}),
    ...(Object.keys(s.tags).length ? { tags: s.tags } : {}),
    plan,
    // In-flight iterations never wait longer than a request can take.
    gracefulStopMs: Math.min(s.gracefulStop, limits.requestTimeoutMs),
    maxIterations,
    workload: planWorkload(name, s.workload, file),
    thresholds: planThresholds(s.thresholds),
  };
}

function planWorkload(scenario: string, w: Workload, file: string): WorkloadSpec {
  if (w.kind === 'http') {
    return {
      kind: 'http',
      requests: w.requests.map((r) => {
        const headers: Record<string, string> = { ...(r.headers ?? {}) };
        let body = r.body;
        if (r.json !== undefined) {
          body = JSON.stringify(r.json);
          if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
        }
        return { method: r.method, path: r.path, route: r.route ?? r.path.split('?')[0]!, headers, ...(body !== undefined ? { body } : {}) };
      }),
    };
  }
  const { kind: _kind, ...options } = w;
  try {
    return { kind: 'vectord', workload: defineVectordWorkload({ ...options, collection: options.collection ?? scenario.replace(/[^A-Za-z0-9_-]/g, '-') }) };
  } catch (err) {
    if (err instanceof GauntletError) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `scenario "${scenario}": ${err.message}`, { file, path: `scenarios.${scenario}.${err.facts.path ?? 'workload'}` });
    }
    throw err;
  }
}

function planThresholds(thresholds: Scenario['thresholds']): PlannedThreshold[] {
  // The schema has already checked every key and expression; this only turns them into data.
  return Object.entries(thresholds).flatMap(([key, entries]) =>
    entries.map((e) => {
      const entry = typeof e === 'string' ? { threshold: e, abortOnFail: false, delayAbortEval: 0 } : e;
      return { key: parseThresholdKey(key), threshold: parseThreshold(entry.threshold), abortOnFail: entry.abortOnFail, delayAbortEvalMs: entry.delayAbortEval };
    }),
  );
}
