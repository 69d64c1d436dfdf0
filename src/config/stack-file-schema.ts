import { z } from 'zod';

/**
 * The persistent stack file (`gauntlet stack up -f FILE`): long-running daemons a supervisor keeps
 * up, in TOML (as the lakehouse's `lakehouse-persistent.toml`), YAML or JSON. One schema for all
 * three; `gauntlet schema stack` prints it.
 */

/** Services a reference twin exists for (src/daemons). */
export const REFERENCE_TWINS = ['validatord', 'vectord', 'storaged'] as const;
export type ReferenceTwin = (typeof REFERENCE_TWINS)[number];

export const RESTART_POLICIES = ['always', 'on-failure', 'no'] as const;

const HealthSchema = z
  .object({
    http: z.string().startsWith('/', 'an HTTP health path starts with /').optional().describe('GET this path; any 2xx is healthy (default for reference twins: /healthz)'),
    tcp: z.boolean().optional().describe('healthy when the port accepts a connection (default for commands)'),
    intervalMs: z.number().int().min(50).max(3_600_000).default(2_000).describe('time between two checks'),
    timeoutMs: z.number().int().min(10).max(60_000).default(1_000).describe('a check slower than this fails'),
    startTimeoutMs: z.number().int().min(100).max(600_000).default(20_000).describe('`stack up` waits this long for the first healthy check'),
  })
  .strict()
  .refine((h) => !(h.http !== undefined && h.tcp), { message: 'set at most one of `http` or `tcp`' });

const RestartSchema = z
  .object({
    policy: z.enum(RESTART_POLICIES).default('always').describe('always: restart whenever it exits · on-failure: only after a non-zero exit or a signal · no: never'),
    backoffMs: z.number().int().min(0).max(600_000).default(500).describe('delay before the first restart; doubles on each consecutive crash'),
    maxBackoffMs: z.number().int().min(0).max(3_600_000).default(30_000).describe('the delay never grows past this'),
    maxRestarts: z.number().int().min(0).max(1_000_000).optional().describe('give up (status failed) after this many restarts; absent = never give up'),
  })
  .strict();

export const StackDaemonSchema = z
  .object({
    reference: z
      .object({
        service: z.enum(REFERENCE_TWINS).describe('which reference twin'),
        flavour: z.enum(['rust', 'go']).describe('its wire-format flavour'),
        args: z.array(z.string()).default([]).describe('extra daemon flags, e.g. ["--fault-latency-ms", "50"]'),
      })
      .strict()
      .optional()
      .describe('run a built-in reference twin (src/daemons)'),
    command: z.array(z.string().min(1)).min(1).optional().describe('argv of your own daemon (no shell); `{port}` and `{host}` in an argument are replaced; PORT is set in its environment'),
    cwd: z.string().min(1).optional().describe('working directory of a command, relative to the stack file'),
    host: z.string().min(1).default('127.0.0.1').describe('address it listens on and is checked at'),
    port: z.number().int().min(0).max(65_535).default(0).describe('fixed port; 0 = a free port picked once and kept across restarts'),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are [A-Za-z_][A-Za-z0-9_]*'), z.string()).default({}).describe('added to its environment'),
    otlpEndpoint: z.url({ protocol: /^https?$/ }).optional().describe('OTLP/HTTP base URL its spans go to (default: otlpEndpoint of the stack)'),
    health: HealthSchema.default(HealthSchema.parse({})),
    restart: RestartSchema.default(RestartSchema.parse({})),
    stopGraceMs: z.number().int().min(0).max(600_000).default(5_000).describe('after SIGTERM, SIGKILL follows this long later'),
  })
  .strict()
  .refine((d) => (d.reference === undefined) !== (d.command === undefined), { message: 'set exactly one of `reference` or `command`' });

export const StackFileSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'stack names are [A-Za-z0-9._-]+').optional().describe('label on the supervisor’s metrics and spans (default: the file name)'),
    stateDir: z.string().min(1).optional().describe('pid files, logs and state, relative to the stack file (default: .gauntlet/stack/NAME beside it)'),
    otlpEndpoint: z.url({ protocol: /^https?$/ }).optional().describe('OTLP/HTTP base URL for the daemons’ and the supervisor’s spans'),
    supervisor: z
      .object({
        metricsListen: z
          .string()
          .regex(/^[^\s:]+:\d{1,5}$/, 'HOST:PORT')
          .default('127.0.0.1:0')
          .describe('where the supervisor serves /metrics (restarts, health); port 0 picks one, shown by `stack status`'),
      })
      .strict()
      .default({ metricsListen: '127.0.0.1:0' }),
    daemons: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'daemon names are lower-case identifiers'), StackDaemonSchema),
  })
  .strict();

export type StackFile = z.infer<typeof StackFileSchema>;
export type StackDaemon = z.infer<typeof StackDaemonSchema>;
