/**
 * The scenario file format (`load/*.scenarios.yaml`): k6's `options.scenarios` model as data —
 * executors, rates, stages, VU pools and thresholds keep k6's names and meanings, so a scenario
 * reads the same here and in the k6 scripts under load/k6/. Schemas are the types.
 */
import { z } from 'zod';
import { parseThreshold } from './thresholds.ts';
import { parseThresholdKey } from './threshold-keys.ts';

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** k6 duration strings: `500ms`, `30s`, `1m30s`, `1h`. */
export function parseDuration(text: string): number {
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

export const DurationSchema = z
  .string()
  .regex(DURATION, 'a k6 duration such as 500ms, 30s, 1m30s or 1h')
  .transform(parseDuration)
  .describe('k6 duration string: 500ms, 30s, 1m30s, 1h');

const positiveDuration = DurationSchema.refine((ms) => ms > 0, 'must be longer than 0');

const StageSchema = z
  .object({
    duration: DurationSchema,
    target: z.number().min(0).describe('Rate (arrival-rate executors) or VUs (ramping-vus) reached at the end of the stage'),
  })
  .strict();

const ThresholdEntrySchema = z.union([
  z.string(),
  z
    .object({
      threshold: z.string(),
      abortOnFail: z.boolean().default(false).describe('Stop the run as soon as this threshold fails'),
      delayAbortEval: DurationSchema.default(0).describe('Scenario time to let pass before abortOnFail is evaluated'),
    })
    .strict(),
]);

/**
 * `http_req_duration{scenario:search,route:/v1/x}` → the scenario and the key without it
 * (`http_req_duration{route:/v1/x}`): k6's global thresholds narrow to a scenario this way.
 */
export function splitScenarioSelector(key: string): { scenario: string | undefined; key: string } {
  const brace = key.indexOf('{');
  if (brace < 0 || !key.trimEnd().endsWith('}')) return { scenario: undefined, key };
  const parts = key.trimEnd().slice(brace + 1, -1).split(',');
  const at = parts.findIndex((p) => p.slice(0, p.indexOf(':')).trim() === 'scenario');
  if (at < 0) return { scenario: undefined, key };
  const scenario = parts[at]!.slice(parts[at]!.indexOf(':') + 1).trim();
  const rest = parts.filter((_, i) => i !== at);
  return { scenario, key: rest.length ? `${key.slice(0, brace)}{${rest.join(',')}}` : key.slice(0, brace) };
}

type ThresholdEntries = Record<string, Array<z.infer<typeof ThresholdEntrySchema>>>;

function checkThresholds(thresholds: ThresholdEntries, ctx: z.core.$RefinementCtx<ThresholdEntries>, keyOf: (key: string) => string): void {
  for (const [key, entries] of Object.entries(thresholds)) {
    let metric: ReturnType<typeof parseThresholdKey>;
    try {
      metric = parseThresholdKey(keyOf(key));
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [key], message: (err as Error).message });
      continue;
    }
    entries.forEach((entry, i) => {
      const source = typeof entry === 'string' ? entry : entry.threshold;
      const path = typeof entry === 'string' ? [key, i] : [key, i, 'threshold'];
      try {
        const t = parseThreshold(source);
        const allowed = metric.aggregations;
        const agg = t.aggregation.kind === 'p' ? 'p(N)' : t.aggregation.kind;
        if (!allowed.includes(agg)) ctx.addIssue({ code: 'custom', path, message: `"${source}": ${metric.name} is a ${metric.type} metric; use ${allowed.join(', ')}` });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path, message: `${(err as Error).message} (k6 syntax: p(95)<200, avg<50, med<=20, max<1000, rate<0.01, count>100)` });
      }
    });
  }
}

/** `{ "http_req_duration{route:/v1/x}": ["p(95)<200", {threshold, abortOnFail}] }` */
export const ThresholdsSchema = z.record(z.string(), z.array(ThresholdEntrySchema).min(1)).superRefine((t, ctx) => checkThresholds(t, ctx, (k) => k));

/**
 * k6's global `options.thresholds`: a `{scenario:NAME}` selector narrows a key to that scenario;
 * without one it applies to every scenario (each is judged per runtime, as a scenario's own).
 */
export const GlobalThresholdsSchema = z
  .record(z.string(), z.array(ThresholdEntrySchema).min(1))
  .superRefine((t, ctx) => checkThresholds(t, ctx, (k) => splitScenarioSelector(k).key))
  .describe('k6 global thresholds; narrow one to a scenario with {scenario:NAME}, e.g. http_req_duration{scenario:search}');

const RequestSchema = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().startsWith('/', 'path must start with /'),
    route: z.string().startsWith('/').optional().describe('Route template for grouping (defaults to the path without query)'),
    headers: z.record(z.string(), z.string()).optional(),
    json: z.unknown().optional(),
    body: z.string().optional(),
  })
  .strict()
  .refine((r) => r.json === undefined || r.body === undefined, { message: 'set at most one of `json` or `body`' });

/** The seeded vectord workloads of src/daemons/vectord/workload.ts; omitted fields take its defaults. */
const VectordWorkloadSchema = z
  .object({
    kind: z.literal('vectord'),
    seed: z.number().int(),
    collection: z.string().optional().describe('Default: the scenario name'),
    dimension: z.number().int().optional(),
    metric: z.enum(['cosine', 'dot', 'l2']).optional(),
    points: z.number().int().optional(),
    batchSize: z.number().int().optional(),
    upsertRatio: z.number().optional(),
    filterRatio: z.number().optional(),
    k: z.number().int().optional(),
    withPayload: z.boolean().optional(),
  })
  .strict();

/** Any HTTP service: iteration i sends requests[i mod n]. */
const HttpWorkloadSchema = z.object({ kind: z.literal('http'), requests: z.array(RequestSchema).min(1) }).strict();

export const WorkloadSchema = z.discriminatedUnion('kind', [VectordWorkloadSchema, HttpWorkloadSchema], {
  error: 'workload.kind must be vectord or http',
});

const common = {
  workload: WorkloadSchema,
  startTime: DurationSchema.default(0).describe('k6 startTime: gauntlet runs scenarios one after another (each in its own A/B blocks), in startTime order'),
  tags: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'tag names are [A-Za-z_][A-Za-z0-9_.]*'), z.string()).default({}).describe('k6 scenario tags: put on every metric point of the scenario as gauntlet.load.tag.NAME'),
  exec: z.string().optional().describe('k6 exec (a JavaScript function) is not supported: say what an iteration sends in workload'),
  thresholds: ThresholdsSchema.default({}),
  gracefulStop: DurationSchema.default(30_000).describe('How long in-flight iterations may finish after the scenario (or a block) ends'),
  iterations: z.number().int().positive().optional().describe('Upper bound on iterations per runtime'),
};

const openModel = {
  timeUnit: positiveDuration.default(1000),
  preAllocatedVUs: z.number().int().min(1),
  maxVUs: z.number().int().min(1).optional().describe('Default: preAllocatedVUs'),
};

const ConstantArrivalRate = z
  .object({ executor: z.literal('constant-arrival-rate'), rate: z.number().positive(), duration: positiveDuration, ...openModel, ...common })
  .strict();
const RampingArrivalRate = z
  .object({ executor: z.literal('ramping-arrival-rate'), startRate: z.number().min(0).default(0), stages: z.array(StageSchema).min(1), ...openModel, ...common })
  .strict();
const ConstantVus = z.object({ executor: z.literal('constant-vus'), vus: z.number().int().min(1).default(1), duration: positiveDuration, ...common }).strict();
const RampingVus = z
  .object({
    executor: z.literal('ramping-vus'),
    startVUs: z.number().int().min(0).default(1),
    stages: z.array(StageSchema).min(1),
    gracefulRampDown: DurationSchema.default(30_000),
    ...common,
  })
  .strict();

const iterationBased = {
  vus: z.number().int().min(1).default(1),
  maxDuration: positiveDuration.default(600_000).describe('k6 maxDuration: the scenario stops here even if iterations remain'),
};
const SharedIterations = z
  .object({ executor: z.literal('shared-iterations'), ...common, ...iterationBased, iterations: z.number().int().positive().default(1).describe('Iterations per runtime, shared by the VUs') })
  .strict();
const PerVuIterations = z
  .object({ executor: z.literal('per-vu-iterations'), ...common, ...iterationBased, iterations: z.number().int().positive().default(1).describe('Iterations of each VU, per runtime') })
  .strict();

export const EXECUTORS = ['constant-arrival-rate', 'ramping-arrival-rate', 'constant-vus', 'ramping-vus', 'shared-iterations', 'per-vu-iterations'] as const;

export const ScenarioSchema = z.discriminatedUnion('executor', [ConstantArrivalRate, RampingArrivalRate, ConstantVus, RampingVus, SharedIterations, PerVuIterations], {
  error: `executor must be one of ${EXECUTORS.join(', ')}`,
});

export const ScenarioFileSchema = z
  .object({
    service: z.string().min(1).describe('A service of the config stack; its two runtimes are compared'),
    runtimes: z.array(z.string().min(1)).length(2).optional().describe('[A, B] to compare; default [primary, candidate]'),
    ab: z
      .object({
        block: positiveDuration.optional().describe('Length of one A/B block (default: config load.blockMs)'),
        warmup: DurationSchema.optional().describe('Unmeasured load per runtime before the first block (default: config load.warmupMs)'),
      })
      .strict()
      .default({}),
    scenarios: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'scenario names are [A-Za-z0-9._-]+'), ScenarioSchema).refine((s) => Object.keys(s).length > 0, 'at least one scenario'),
    thresholds: GlobalThresholdsSchema.default({}),
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const key of Object.keys(f.thresholds)) {
      const { scenario } = splitScenarioSelector(key);
      if (scenario !== undefined && !(scenario in f.scenarios)) {
        ctx.addIssue({ code: 'custom', path: ['thresholds', key], message: `no scenario "${scenario}" (have: ${Object.keys(f.scenarios).join(', ')})` });
      }
    }
  });

export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;
export type Scenario = z.infer<typeof ScenarioSchema>;
export type Workload = z.infer<typeof WorkloadSchema>;
export type Stage = z.infer<typeof StageSchema>;
