import { z } from 'zod';
import { GateSchema } from './gate-schema.ts';
import { MirrorConfigSchema } from './mirror-schema.ts';
import { ReviewConfigSchema } from './review-schema.ts';
import { isLoopbackHost } from '../util/loopback.ts';

/**
 * The single source of truth for gauntlet's file formats. Types come from `z.infer`; the JSON
 * Schema printed by `gauntlet schema` is generated from these same objects.
 */


/**
 * Structural fault switches of the reference daemons (what a runtime does inside a request):
 * `n-plus-one` one downstream call per field instead of one · `extra-call` an additional
 * downstream call · `hidden-error` an inner span errors under an unchanged answer · `retry` the first
 * downstream attempt fails and is retried · `broken-propagation` outgoing calls carry no traceparent.
 */
export const TRACE_FAULTS = ['n-plus-one', 'extra-call', 'hidden-error', 'retry', 'broken-propagation'] as const;
export type TraceFault = (typeof TRACE_FAULTS)[number];

/** A runtime gauntlet talks to over HTTP: either a URL you run yourself, or a reference twin it starts. */
export const RuntimeSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Base URL of a runtime you started yourself, e.g. http://127.0.0.1:3100'),
    reference: z
      .object({
        flavour: z.enum(['rust', 'go']).describe('Wire-format flavour of the reference daemon'),
        faultLatencyMs: z.number().min(0).max(60_000).optional().describe('Fault injection: fixed extra latency on the fault route'),
        faultLatencyPct: z.number().min(0).max(10_000).optional().describe('Fault injection: slow the fault route by this percentage'),
        faultRoute: z.string().startsWith('/').optional().describe('Route template the fault applies to (default: the main route)'),
        faults: z.array(z.enum(TRACE_FAULTS)).optional().describe('Structural fault switches (trace-derived regressions), e.g. [n-plus-one]'),
        faultOp: z.string().min(1).optional().describe('Inner operation (span name) slowed by faultOpLatencyMs, e.g. "validate record" or "search shard"'),
        faultOpLatencyMs: z.number().min(0).max(60_000).optional().describe('Fault injection: extra milliseconds spent inside the inner operation faultOp'),
        volatileFields: z
          .boolean()
          .optional()
          .describe('validatord: answers carry a per-request `meta` (request id, ULID, span id, timestamps, duration) — an A/A test bed for the noise model'),
      })
      .strict()
      .optional()
      .describe('Start the built-in reference daemon for this service on 127.0.0.1, port 0'),
    headers: z.record(z.string(), z.string()).optional().describe('Extra request headers for this runtime'),
  })
  .strict()
  .refine((r) => (r.url === undefined) !== (r.reference === undefined), {
    message: 'set exactly one of `url` or `reference`',
  });

export const ServiceSchema = z
  .object({
    primary: z.string().min(1).describe('Runtime whose behaviour is the reference (left side of every diff)'),
    candidate: z.string().min(1).describe('Runtime compared against the primary (right side)'),
    runtimes: z.record(z.string().min(1), RuntimeSchema),
    routes: z
      .array(z.string().startsWith('/', 'route templates start with /'))
      .optional()
      .describe('Route templates for grouping replayed traffic, e.g. /v1/items/{id}; first match wins'),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const role of ['primary', 'candidate'] as const) {
      if (!(s[role] in s.runtimes)) {
        ctx.addIssue({
          code: 'custom',
          path: [role],
          message: `${role} runtime "${s[role]}" is not defined under runtimes (have: ${Object.keys(s.runtimes).join(', ') || 'none'})`,
        });
      }
    }
    if (s.primary === s.candidate) {
      ctx.addIssue({ code: 'custom', path: ['candidate'], message: 'candidate must differ from primary' });
    }
  });

export const StackSchema = z
  .object({
    services: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'service names are lower-case identifiers'), ServiceSchema),
    persistent: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A persistent stack file (relative to this config) kept up by `gauntlet stack up`: runtimes with `reference` use its running twin of the same service and flavour instead of starting one',
      ),
  })
  .strict();

export const CollectorSchema = z
  .object({
    host: z
      .string()
      .default('127.0.0.1')
      .refine((h) => isLoopbackHost(h), 'the embedded receiver binds to loopback only (127.0.0.1 or ::1)'),
    port: z.number().int().min(0).max(65535).default(0).describe('0 = ephemeral'),
    maxBodyBytes: z.number().int().positive().default(16 * 1024 * 1024),
  })
  .strict();

export const ProbeSchema = z
  .object({
    timeoutMs: z.number().int().positive().max(600_000).default(10_000),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe('Bytes of a response body read and compared; the rest is drained and marked truncated'),
    maxEventBodyBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024)
      .describe('Bytes of a body kept in the span event'),
    concurrency: z.number().int().min(1).max(256).default(4),
  })
  .strict();

const compiles = (p: string) => {
  try {
    new RegExp(p, 'g');
    return true;
  } catch {
    return false;
  }
};

/** What is replaced by [REDACTED] before a recording, span or report is written (defaults always apply too). */
export const RedactConfigSchema = z
  .object({
    headers: z.array(z.string().min(1)).default([]).describe('Extra header names whose values are redacted'),
    queryParams: z.array(z.string().min(1)).default([]).describe('Extra query parameter names whose values are redacted'),
    bodyPointers: z.array(z.string()).default([]).describe('JSON Pointer globs in request/response bodies, e.g. /password, /**/token'),
    bodyPatterns: z.array(z.string().refine(compiles, 'not a valid regular expression')).default([]).describe('Regular expressions redacted in bodies and header values'),
  })
  .strict();

export const ReplayConfigSchema = z
  .object({
    safeRoutes: z
      .array(
        z
          .object({
            method: z.string().regex(/^([A-Z]+|\*)$/, 'an upper-case method or *'),
            route: z.string().startsWith('/').describe('Route template or path glob: * = one segment, ** = any'),
          })
          .strict(),
      )
      .default([])
      .describe('Unsafe-method routes (POST/PUT/PATCH/DELETE) that replay may send; others need --allow-unsafe'),
    maxExchanges: z.number().int().positive().default(1_000_000).describe('Upper bound on entries replayed per run'),
    maxDurationMs: z.number().int().positive().default(3_600_000).describe('Upper bound on the time a replay sends for'),
  })
  .strict();

/** Headers whose differences change what a client does: where it goes, what it caches, what it may call. */
export const DEFAULT_COMPARED_HEADERS = ['content-type', 'location', 'cache-control', 'vary', 'allow', 'www-authenticate', 'access-control-*'] as const;

/** Headers that differ between any two servers or any two seconds: compared, but reported as noise. */
export const DEFAULT_VOLATILE_HEADERS: Readonly<Record<string, string>> = {
  date: 'the clock at answer time',
  server: 'names the server software',
  etag: 'validator format is server-specific',
  'last-modified': 'file or build timestamps differ between deployments',
};

/** The noise model: how gauntlet keeps from crying wolf. Every suppression is reported with its reason. */
export const NoiseSchema = z
  .object({
    volatile: z.boolean().default(true).describe('Compare timestamps, UUID/ULID, hex/base64 ids and durations by format, not value'),
    ignore: z
      .array(
        z
          .object({
            service: z.string().default('*'),
            route: z.string().default('*').describe('Route template glob'),
            path: z.string().describe('JSON Pointer glob (`*` one token, `**` any)'),
            reason: z.string().default('ignored by rule'),
          })
          .strict(),
      )
      .default([]),
    numericTolerance: z
      .object({ abs: z.number().min(0).default(0), rel: z.number().min(0).default(0) })
      .strict()
      .optional()
      .describe('Numbers within |Δ| ≤ abs or ≤ rel × max(|a|,|b|) are reported as noise, not findings'),
    numericStrings: z
      .boolean()
      .default(false)
      .describe('Apply numericTolerance to numbers sent as JSON strings too (Prometheus sample values: "0.30000000000000004")'),
    headers: z
      .object({
        compare: z
          .array(z.string().min(1))
          .default([...DEFAULT_COMPARED_HEADERS])
          .describe('Response headers compared between runtimes (case-insensitive; `*` globs, e.g. `access-control-*`)'),
        volatile: z
          .record(z.string().min(1), z.string().min(1))
          .default({ ...DEFAULT_VOLATILE_HEADERS })
          .describe('Response headers whose differences are reported as noise, header name → reason'),
      })
      .strict()
      .default({ compare: [...DEFAULT_COMPARED_HEADERS], volatile: { ...DEFAULT_VOLATILE_HEADERS } }),
    unordered: z
      .array(z.object({ service: z.string().default('*'), route: z.string().default('*'), paths: z.array(z.string()).min(1) }).strict())
      .default([])
      .describe('Arrays compared as multisets'),
    calibration: z
      .object({ sample: z.number().min(0).max(1).default(0).describe('Fraction of pairs also sent twice to the primary; fields that change are volatile') })
      .strict()
      .default({ sample: 0 }),
    aa: z
      .object({
        relative: z.number().min(0).default(0.2).describe('Diffy relative threshold: (raw − noise) / noise must exceed this'),
        absolute: z.number().min(0).default(0.0003).describe('Diffy absolute threshold: raw − noise rate must exceed this'),
      })
      .strict()
      .default({ relative: 0.2, absolute: 0.0003 }),
  })
  .strict();

export type NoiseRules = z.infer<typeof NoiseSchema>;

/** Prometheus duration syntax (`500ms`, `15s`, `1m30s`): the same strings PromQL range selectors take. */
export const PROM_DURATION_RE = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** `gauntlet watch`: the long-running probe daemon (blackbox-exporter style). */
export const WatchSchema = z
  .object({
    interval: z.string().regex(PROM_DURATION_RE, 'a duration such as 500ms, 15s or 1m').default('15s').describe('Time between the starts of two probe cycles'),
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
      .default('127.0.0.1:9464')
      .describe('Where /metrics and /healthz are served (9464: the OTel Prometheus exporter port)'),
    repeat: z.number().int().min(1).max(10_000).default(1).describe('Send each parity case this many times per cycle'),
    spanmetrics: z
      .boolean()
      .default(false)
      .describe('Also serve traces_span_metrics_* series computed from each cycle\'s stored spans (for users without an OTel Collector)'),
  })
  .strict();

/**
 * Retention of the store in long-running modes (watch, mirror): whole runs older than `maxAgeDays`
 * are deleted, then the oldest until the store uses at most `maxSizeMb`. Batch commands never prune.
 */
export const RetentionSchema = z
  .object({
    maxAgeDays: z.number().positive().max(3650).default(7).describe('Delete runs whose last span is older than this many days'),
    maxSizeMb: z.number().int().positive().default(2048).describe('Then delete the oldest runs until the store uses at most this many MiB'),
    everySeconds: z.number().int().min(1).default(60).describe('How often a long-running mode applies retention'),
  })
  .strict();

/** Prometheus metrics of batch runs. */
export const MetricsSchema = z
  .object({
    pushgateway: z.url({ protocol: /^https?$/ }).optional().describe('Pushgateway base URL: `run` and `gate` push their metrics here (or --pushgateway URL)'),
    job: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/).default('gauntlet').describe('Pushgateway job name'),
    groupings: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a Prometheus label name'), z.string())
      .default({})
      .describe('Extra grouping labels of the push, e.g. { pipeline: main } — never a run id (one group per run grows forever)'),
  })
  .strict();

/** The built-in load engine (`gauntlet load`): bounds every run must stay inside, and A/B defaults. */
export const LoadConfigSchema = z
  .object({
    workers: z.number().int().min(0).max(64).default(0).describe('Worker threads generating load; 0 = one per core beyond the first (at least 1, at most 8)'),
    blockMs: z.number().int().min(200).max(600_000).default(2000).describe('Length of one A/B block: runtimes alternate ABBA… in blocks this long'),
    warmupMs: z.number().int().min(0).max(600_000).default(1000).describe('Unmeasured load per runtime before its first block'),
    maxDurationMs: z.number().int().positive().max(86_400_000).default(600_000).describe('Upper bound on a scenario\'s duration (per runtime)'),
    maxIterations: z.number().int().positive().default(10_000_000).describe('Upper bound on iterations per scenario and runtime'),
    maxVUs: z.number().int().positive().max(100_000).default(5000).describe('Upper bound on the VUs a scenario may ask for'),
    requestTimeoutMs: z.number().int().positive().max(600_000).default(10_000),
    spanSampleRatio: z.number().min(0).max(1).default(0.01).describe('Fraction of iterations that also emit a CLIENT span (the same iterations on both runtimes)'),
    histogramScale: z.number().int().min(0).max(10).default(8).describe('Scale of the exported exponential histograms (8: buckets 0.27% wide)'),
    allowRemote: z.boolean().default(false).describe('Let the built-in engine load non-loopback targets (a staging service); same as --allow-remote on load/run'),
  })
  .strict();

export const PHASES = ['smoke', 'parity', 'replay', 'load'] as const;
export type Phase = (typeof PHASES)[number];

/** `gauntlet run`: which phases, and what the replay and load phases use. */
export const RunSchema = z
  .object({
    phases: z.array(z.enum(PHASES)).default([...PHASES]).describe('Phases in order; select with --phase / --skip'),
    replay: z
      .object({
        recordings: z.array(z.string().min(1)).default([]).describe('Recordings replayed by the replay phase, relative to the config file'),
        speed: z.number().positive().max(10_000).optional().describe('Pace as recorded, scaled (2 = twice as fast); default: as fast as concurrency allows'),
        concurrency: z.number().int().min(1).max(1024).default(8),
        limit: z.number().int().positive().optional(),
      })
      .strict()
      .default({ recordings: [], concurrency: 8 }),
    load: z
      .object({ scenarios: z.string().optional().describe('Scenario file for the load phase; absent = the phase is skipped with a note') })
      .strict()
      .default({}),
  })
  .strict();

export const ConfigSchema = z
  .object({
    stack: StackSchema,
    parity: z
      .object({
        cases: z.array(z.string().min(1)).default([]).describe('Parity case files, relative to the config file'),
        repeat: z.number().int().min(1).max(100_000).default(1).describe('Send each case this many times (latency needs samples)'),
      })
      .strict()
      .default({ cases: [], repeat: 1 }),
    smoke: z
      .object({
        suites: z.array(z.string().min(1)).default([]).describe('Smoke suite files, relative to the config file; suites for services not in the stack are skipped with a note'),
      })
      .strict()
      .default({ suites: [] }),
    collector: CollectorSchema.default(CollectorSchema.parse({})),
    store: z
      .object({
        path: z.string().min(1).default('.gauntlet/store.duckdb'),
        retention: RetentionSchema.default(RetentionSchema.parse({})),
        memoryLimitMb: z
          .number()
          .int()
          .min(16)
          .max(1_048_576)
          .optional()
          .describe("DuckDB's buffer-pool limit (memory_limit) in MiB for the process writing the store. Unset: DuckDB's default (80% of RAM) for batch commands, 256 for watch and mirror, whose cache must not grow with the host"),
      })
      .strict()
      .default({ path: '.gauntlet/store.duckdb', retention: RetentionSchema.parse({}) }),
    probe: ProbeSchema.default(ProbeSchema.parse({})),
    noise: NoiseSchema.default(NoiseSchema.parse({})),
    gate: GateSchema.default(GateSchema.parse({})),
    redact: RedactConfigSchema.default({ headers: [], queryParams: [], bodyPointers: [], bodyPatterns: [] }),
    replay: ReplayConfigSchema.default(ReplayConfigSchema.parse({})),
    load: LoadConfigSchema.default(LoadConfigSchema.parse({})),
    watch: WatchSchema.default(WatchSchema.parse({})),
    mirror: MirrorConfigSchema.default(MirrorConfigSchema.parse({})),
    review: ReviewConfigSchema.default(ReviewConfigSchema.parse({})).describe('gauntlet review RANGE: components, reviewers, size guard'),
    run: RunSchema.default(RunSchema.parse({})),
    metrics: MetricsSchema.default(MetricsSchema.parse({})),
    reports: z
      .object({ dir: z.string().min(1).default('.gauntlet/reports') })
      .strict()
      .default({ dir: '.gauntlet/reports' }),
  })
  .strict();

const HeadersSchema = z.record(z.string(), z.string());

export const CaseRequestSchema = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().startsWith('/', 'path must start with /'),
    route: z.string().startsWith('/').optional().describe('Route template for grouping, e.g. /v1/items/{id}; defaults to path'),
    headers: HeadersSchema.optional(),
    query: z.record(z.string(), z.string()).optional(),
    json: z.unknown().optional().describe('Sent as a JSON body with content-type application/json'),
    body: z.string().optional().describe('Sent as-is'),
  })
  .strict()
  .refine((r) => r.json === undefined || r.body === undefined, { message: 'set at most one of `json` or `body`' });

export const CaseSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'case ids are [A-Za-z0-9._-]+'),
    description: z.string().optional(),
    request: CaseRequestSchema,
  })
  .strict();

export const CaseFileSchema = z
  .object({
    service: z.string().min(1),
    cases: z.array(CaseSchema).min(1),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.cases.forEach((c, i) => {
      const prev = seen.get(c.id);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['cases', i, 'id'], message: `duplicate case id "${c.id}" (first at cases[${prev}])` });
      }
      seen.set(c.id, i);
    });
  });

export type MetricsConfig = z.infer<typeof MetricsSchema>;
export type RuntimeConfig = z.infer<typeof RuntimeSchema>;
export type ServiceConfig = z.infer<typeof ServiceSchema>;
export type GauntletConfig = z.infer<typeof ConfigSchema>;
export type GauntletConfigInput = z.input<typeof ConfigSchema>;
export type ParityCase = z.infer<typeof CaseSchema>;
export type CaseFile = z.infer<typeof CaseFileSchema>;

export const SCHEMAS = { config: ConfigSchema, cases: CaseFileSchema } as const;
