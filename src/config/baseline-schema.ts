import { z } from 'zod';

/** One operation of a route's aggregated span tree (see README "Trace-derived regressions"). */
export const OperationSummarySchema = z
  .object({
    key: z.string(),
    service: z.string(),
    name: z.string(),
    kind: z.string(),
    parent: z.string().optional(),
    depth: z.number().int().min(0),
    requests: z.number().int().min(0),
    callsPerRequest: z.number().min(0),
    callsMin: z.number().min(0),
    callsMax: z.number().min(0),
    sizeCorrelation: z.number().optional(),
    hiddenErrorRequests: z.number().int().min(0),
    unjoinedRequests: z.number().int().min(0),
    joinedRequests: z.number().int().min(0),
    /** Self time per call (ms): duration minus the union of its children. */
    selfMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).strict(),
    criticalShare: z.number().min(0).max(1),
    exampleTraceId: z.string(),
    exampleErrorTraceId: z.string().optional(),
    firstError: z.string().optional(),
  })
  .strict();

/** A route's trace structure on one runtime: operations, calls per request, errors, self time. */
export const RouteTraceSummarySchema = z
  .object({
    service: z.string(),
    method: z.string(),
    route: z.string(),
    runtime: z.string(),
    requests: z.number().int().min(0),
    withoutServerSpan: z.number().int().min(0),
    rootOp: z.string(),
    spansPerRequest: z.number().min(0),
    maxDepth: z.number().int().min(0),
    signatures: z.array(z.object({ hash: z.string(), count: z.number().int().min(0) }).strict()),
    ops: z.array(OperationSummarySchema),
    exampleTraceId: z.string(),
  })
  .strict();
export type OperationSummary = z.infer<typeof OperationSummarySchema>;
export type RouteTraceSummary = z.infer<typeof RouteTraceSummarySchema>;

/** A compact, versioned record of a run on main: what CI compares each runtime's present against. */
export const BaselineSchema = z
  .object({
    format: z.literal('gauntlet-baseline'),
    version: z.literal(1),
    createdAt: z.string(),
    runId: z.string(),
    latency: z.array(
      z
        .object({
          service: z.string(),
          method: z.string(),
          route: z.string(),
          runtime: z.string(),
          source: z.enum(['server', 'client']),
          total: z.number().int().min(0),
          errors: z.number().int().min(0),
          /** OTel base-2 exponential histogram of latency in ms. */
          histogram: z
            .object({ scale: z.number().int().min(-10).max(20), zeroCount: z.number().int().min(0), offset: z.number().int(), counts: z.array(z.number().int().min(0)) })
            .strict(),
          /** The route's trace structure on this runtime; absent in baselines saved before trace summaries existed. */
          trace: RouteTraceSummarySchema.optional(),
        })
        .strict(),
    ),
    divergences: z.array(
      z.object({ id: z.string(), service: z.string(), method: z.string(), route: z.string(), class: z.string(), path: z.string(), count: z.number().int().min(0) }).strict(),
    ),
  })
  .strict();

export type Baseline = z.infer<typeof BaselineSchema>;
