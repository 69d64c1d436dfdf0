// @ts-check
/**
 * gauntlet scenarios → k6 `options`: each scenario becomes a train of k6 scenarios, one per A/B
 * block (ABBA…, after an unmeasured warm-up per runtime), placed with `startTime`, so k6 measures
 * the two runtimes the way `gauntlet load` does. Each block carries its slice of the scenario's
 * timeline (ramps included) and the iteration index it starts at, so both runtimes receive the same
 * request sequence. Thresholds are set per runtime sub-metric (`{runtime:…}`), which also makes k6's
 * end-of-test summary report each runtime separately.
 */

/** @typedef {import('./scenarios.js').GauntletScenario} GauntletScenario */
/** @typedef {{ start: number, stages: Array<{ durationMs: number, target: number }> }} Profile */

const UNIT_MS = /** @type {Record<string, number>} */ ({ ms: 1, s: 1000, m: 60000, h: 3600000 });
/** Pause between blocks: in-flight iterations of one block finish before the other runtime starts. */
const GAP_MS = 1000;
/** Warm-up iterations use indices far above any measured one (as gauntlet's engine does). */
const WARMUP_INDEX_OFFSET = 2 ** 40;
/**
 * Sub-metric thresholds that always pass: they only make k6 report the sub-metric in its summary.
 * `gauntlet ingest k6` recognises and drops them.
 */
export const WITNESS = { counter: 'count>=0', rate: 'rate>=0', trend: 'max>=0' };

/** @param {string} text k6 duration: 500ms, 30s, 1m30s */
export function durationMs(text) {
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * /** @type {number} */ (UNIT_MS[/** @type {string} */ (m[2])]);
  return ms;
}

/** @param {GauntletScenario} s @returns {{ open: boolean, profile: Profile }} */
export function profileOf(s) {
  const unit = durationMs(s.timeUnit ?? '1s');
  const stage = (/** @type {{ target: number, duration: string }} */ st, /** @type {number} */ scale) => ({ durationMs: durationMs(st.duration), target: st.target * scale });
  switch (s.executor) {
    case 'constant-arrival-rate':
      return { open: true, profile: { start: (s.rate ?? 0) / unit, stages: [{ durationMs: durationMs(s.duration ?? '0s'), target: (s.rate ?? 0) / unit }] } };
    case 'ramping-arrival-rate':
      return { open: true, profile: { start: (s.startRate ?? 0) / unit, stages: (s.stages ?? []).map((st) => stage(st, 1 / unit)) } };
    case 'constant-vus':
      return { open: false, profile: { start: s.vus ?? 1, stages: [{ durationMs: durationMs(s.duration ?? '0s'), target: s.vus ?? 1 }] } };
    default:
      return { open: false, profile: { start: s.startVUs ?? 1, stages: (s.stages ?? []).map((st) => stage(st, 1)) } };
  }
}

/** @param {Profile} p */
export const profileDuration = (p) => p.stages.reduce((t, s) => t + s.durationMs, 0);

/** @param {Profile} p @param {number} t */
export function valueAt(p, t) {
  let from = p.start;
  let at = 0;
  for (const s of p.stages) {
    if (t < at + s.durationMs) return from + (s.target - from) * ((t - at) / s.durationMs);
    at += s.durationMs;
    from = s.target;
  }
  return from;
}

/** ∫₀ᵗ rate (src/drive/load/schedule.ts). @param {Profile} p @param {number} t */
export function arrivalsUntil(p, t) {
  let total = 0;
  let from = p.start;
  let at = 0;
  for (const s of p.stages) {
    const span = Math.min(Math.max(t - at, 0), s.durationMs);
    const slope = s.durationMs > 0 ? (s.target - from) / s.durationMs : 0;
    total += from * span + (slope * span * span) / 2;
    if (t <= at + s.durationMs) return total;
    at += s.durationMs;
    from = s.target;
  }
  return total;
}

/** The stages of [from, to) as a profile of its own. @param {Profile} p @param {number} from @param {number} to @returns {Profile} */
export function slice(p, from, to) {
  /** @type {Profile['stages']} */
  const stages = [];
  let at = 0;
  for (const s of p.stages) {
    const lo = Math.max(from, at);
    const hi = Math.min(to, at + s.durationMs);
    if (hi > lo) stages.push({ durationMs: hi - lo, target: valueAt(p, hi) });
    at += s.durationMs;
  }
  return { start: valueAt(p, from), stages };
}

/**
 * @param {{ service: string, scenarios: Record<string, GauntletScenario>, ab: { block: string, warmup: string }, runtimes: string[] }} input
 * @returns {import('k6/options').Options}
 */
export function buildOptions(input) {
  const block = durationMs(input.ab.block);
  const warmup = durationMs(input.ab.warmup);
  const [a, b] = input.runtimes;
  if (!a || !b) throw new Error('two runtimes are compared: set RUNTIMES=a,b');
  /** @type {NonNullable<import('k6/options').Options['scenarios']>} */
  const scenarios = {};
  /** @type {NonNullable<import('k6/options').Options['thresholds']>} */
  const thresholds = {};
  let clock = 0;
  for (const [name, s] of Object.entries(input.scenarios)) {
    const { open, profile } = profileOf(s);
    const total = profileDuration(profile);
    const id = name.replace(/[^0-9A-Za-z_-]/g, '_');
    /** @param {string} key @param {string} runtime @param {number} from @param {number} to @param {number} offset @param {boolean} measured */
    const place = (key, runtime, from, to, offset, measured) => {
      const part = measured ? slice(profile, from, to) : { start: open ? arrivalsUntil(profile, total) / total : Math.max(1, Math.round(valueAt(profile, total / 2))), stages: [{ durationMs: to - from, target: 0 }] };
      if (!measured) part.stages[0] = { durationMs: to - from, target: part.start };
      scenarios[key] = blockScenario(s, part, open, {
        startTime: `${clock}ms`,
        env: { GAUNTLET_RUNTIME: runtime, GAUNTLET_SCENARIO: name, GAUNTLET_INDEX_OFFSET: String(offset) },
        // Warm-up blocks carry no runtime tag: `gauntlet ingest k6` leaves them out.
        tags: measured ? { runtime, gauntlet_scenario: name, gauntlet_service: input.service } : { gauntlet_scenario: name, gauntlet_phase: 'warmup' },
      });
      clock += to - from + GAP_MS;
    };
    if (warmup > 0) for (const r of [a, b]) place(`${id}__${r}__warmup`, r, 0, warmup, WARMUP_INDEX_OFFSET, false);
    for (let k = 0; k * block < total; k++) {
      const from = k * block;
      const to = Math.min(total, from + block);
      const offset = open ? Math.max(0, Math.ceil(arrivalsUntil(profile, from) - 1e-7)) : k * 10_000_000;
      for (const r of k % 2 === 0 ? [a, b] : [b, a]) place(`${id}__${r}__b${k}`, r, from, to, offset, true);
    }
    for (const r of [a, b]) Object.assign(thresholds, runtimeThresholds(name, r, s.thresholds ?? {}));
  }
  return { scenarios, thresholds, summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'] };
}

/**
 * @param {GauntletScenario} s @param {Profile} part @param {boolean} open
 * @param {{ startTime: string, env: Record<string, string>, tags: Record<string, string> }} common
 * @returns {import('k6/options').Scenario}
 */
function blockScenario(s, part, open, common) {
  const unit = durationMs(s.timeUnit ?? '1s');
  const base = { ...common, exec: 'iteration', gracefulStop: `${GAP_MS}ms` };
  if (open) {
    const vus = { preAllocatedVUs: s.preAllocatedVUs ?? 1, maxVUs: s.maxVUs ?? s.preAllocatedVUs ?? 1 };
    return {
      ...base,
      ...vus,
      executor: 'ramping-arrival-rate',
      timeUnit: `${unit}ms`,
      startRate: part.start * unit,
      stages: part.stages.map((st) => ({ duration: `${st.durationMs}ms`, target: st.target * unit })),
    };
  }
  return { ...base, executor: 'ramping-vus', startVUs: Math.round(part.start), gracefulRampDown: '0s', stages: part.stages.map((st) => ({ duration: `${st.durationMs}ms`, target: Math.round(st.target) })) };
}

/**
 * The scenario's thresholds on this runtime's sub-metrics, plus witnesses for the metrics a
 * summary import needs. `{route:X}` becomes k6's `{name:X}` (requests carry the route as `name`).
 * @param {string} scenario @param {string} runtime @param {NonNullable<GauntletScenario['thresholds']>} defined
 */
export function runtimeThresholds(scenario, runtime, defined) {
  /** @type {Record<string, import('k6/options').Threshold[]>} */
  const out = {};
  const key = (/** @type {string} */ metric) => {
    const brace = metric.indexOf('{');
    const name = brace < 0 ? metric : metric.slice(0, brace);
    const extra = brace < 0 ? '' : `,${metric.slice(brace + 1, -1).replace(/(^|,)route:/g, '$1name:')}`;
    return `${name}{gauntlet_scenario:${scenario},runtime:${runtime}${extra}}`;
  };
  for (const [metric, list] of Object.entries(defined)) out[key(metric)] = [...list];
  const witness = { http_req_duration: WITNESS.trend, http_reqs: WITNESS.counter, http_req_failed: WITNESS.rate, iterations: WITNESS.counter, dropped_iterations: WITNESS.counter };
  for (const [metric, t] of Object.entries(witness)) (out[key(metric)] ??= []).push(t);
  return out;
}
