import { z } from 'zod';

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/**
 * `gauntlet mirror`: the live shadow-traffic proxy. Every bound is here: the copy path queues at most
 * `queue` requests (and `maxQueueBytes` of bodies), sends at most `concurrency` at once, and waits at
 * most `timeoutMs` for the candidate — beyond that requests are dropped and counted, never waited for.
 */
export const MirrorConfigSchema = z
  .object({
    listen: z.string().regex(HOST_PORT, 'host:port, e.g. 127.0.0.1:8480').optional().describe('Where clients connect (or --listen); loopback unless --allow-remote'),
    metricsListen: z
      .string()
      .regex(HOST_PORT, 'host:port, e.g. 127.0.0.1:9465')
      .default('127.0.0.1:9465')
      .describe('Where /metrics and /healthz are served (or --metrics-listen)'),
    service: z.string().optional().describe('The stack service mirrored (or --service); default: the only one'),
    queue: z.number().int().min(1).max(1_000_000).default(1000).describe('Requests waiting to be mirrored; beyond this they are dropped and counted'),
    maxQueueBytes: z.number().int().positive().default(64 * 1024 * 1024).describe('Bytes of bodies held by waiting mirror jobs; beyond this they are dropped and counted'),
    concurrency: z.number().int().min(1).max(1024).default(16).describe('Mirror jobs in flight at once (each sends to the candidate and every secondary)'),
    timeoutMs: z.number().int().positive().max(600_000).default(5_000).describe('How long a copy waits for the candidate or a secondary'),
    upstreamTimeoutMs: z.number().int().positive().max(3_600_000).default(60_000).describe('How long a client request waits for the primary'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe('Request bodies up to this size are mirrored (larger ones are forwarded, not mirrored); response bytes compared'),
    maxRequestBytes: z.number().int().positive().default(16 * 1024 * 1024).describe('Request bodies over this are refused with 413'),
    sample: z.number().gt(0).max(1).default(1).describe('Fraction of requests copied (chosen at random); the rest are answered and counted as sampled_out (or --sample)'),
    unsafe: z.boolean().default(false).describe('Mirror every method; otherwise POST/PUT/PATCH/DELETE only to replay.safeRoutes (or --unsafe)'),
    summaryIntervalMs: z.number().int().min(0).default(10_000).describe('A summary line this often (0 = only at the end)'),
    judgeIntervalMs: z.number().int().min(100).default(2_000).describe('Re-judge the mirrored run from the store this often (stretched as the run grows, so judging stays under ~10% of the time)'),
    copyNice: z
      .number()
      .int()
      .min(0)
      .max(19)
      .default(19)
      .describe('Linux CPU niceness of the copy side (store, receiver, comparison): 19 = it takes what the client path leaves, and drops copies (counted) when that is not enough; lower it on a host with spare cores, or where a saturated machine would starve the comparison (or --copy-nice)'),
    drainMs: z.number().int().min(0).max(600_000).default(5_000).describe('On SIGINT/SIGTERM, how long queued copies may still run'),
  })
  .strict();

export type MirrorConfig = z.infer<typeof MirrorConfigSchema>;
