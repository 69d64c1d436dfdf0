import { z } from 'zod';
import { parseThreshold } from './thresholds.ts';

/** The trace classes of the divergence taxonomy (kind `trace`): what a runtime does inside a request. */
export const TRACE_CLASSES = ['call-count', 'new-operation', 'missing-operation', 'hidden-error', 'broken', 'self-time'] as const;
export type TraceClass = (typeof TRACE_CLASSES)[number];

const TRACE_DEFAULTS = {
  enabled: true,
  callCountRatio: 1.5,
  minCallChange: 0.1,
  minPresence: 0.1,
  minRequests: 3,
  failOn: [...TRACE_CLASSES],
  selfTime: { enabled: true, tolerance: 0.2, toleranceMs: 0.5, minSamples: 20 },
  critical: true,
};

/** Trace-derived rules: structure (call counts, operations, errors, propagation) and per-operation self time. */
export const TraceGateSchema = z
  .object({
    enabled: z.boolean().default(true),
    callCountRatio: z.number().min(1).default(1.5).describe('trace/call-count fails when an operation is called more than this many times as often per request (N+1, retries)'),
    minCallChange: z.number().min(0).default(0.1).describe('Call-count changes within ±this share are not reported at all'),
    minPresence: z.number().min(0).max(1).default(0.1).describe('An operation in fewer than this share of requests is neither new nor missing'),
    minRequests: z.number().int().min(1).default(3).describe('Fewer traced requests on a side: no trace conclusion for the route'),
    failOn: z.array(z.enum(TRACE_CLASSES)).default([...TRACE_CLASSES]).describe('Trace classes that fail the gate when new or regressed (call-count only above callCountRatio)'),
    selfTime: z
      .object({
        enabled: z.boolean().default(true),
        tolerance: z.number().min(0).max(10).default(0.2).describe("Self-time shifts within ±this × the reference's median are immaterial"),
        toleranceMs: z.number().min(0).max(60_000).default(0.5).describe('…and so are shifts within ±this many ms'),
        minSamples: z
          .number()
          .int()
          .min(2)
          .default(20)
          .describe('Fewer calls a side: no self-time conclusion. Unlike route latency, a decisive difference is not called below it — self time attributes a slowdown, and on a busy host a dozen calls of one process share its scheduling luck'),
      })
      .strict()
      .default(TRACE_DEFAULTS.selfTime),
    critical: z.boolean().default(true),
  })
  .strict();

/** Gate rules: what makes a run fail CI. Kayenta-like scoring; critical rules fail on their own. */
export const GateSchema = z
  .object({
    ledger: z.string().default('harness/ledger.yaml').describe('Known-divergence ledger, relative to the config file'),
    divergences: z
      .object({
        failOn: z.array(z.enum(['new', 'regressed'])).default(['new', 'regressed']).describe('Ledger labels that fail the gate'),
        critical: z.boolean().default(true),
      })
      .strict()
      .default({ failOn: ['new', 'regressed'], critical: true }),
    latency: z
      .object({
        enabled: z.boolean().default(true),
        alpha: z.number().gt(0).lt(1).default(0.05),
        confLevel: z.number().gt(0.5).lt(1).default(0.98),
        tolerance: z.number().min(0).max(10).default(0.05).describe('Shifts within ±this × primary median are immaterial'),
        toleranceMs: z
          .number()
          .min(0)
          .max(60_000)
          .default(0.1)
          .describe('…and so are shifts within ±this many ms: tens of microseconds on a sub-millisecond route are real but immaterial, and on a shared host they come and go'),
        quantileTolerance: z.number().min(0).max(10).default(0.1).describe('e.g. 0.1: candidate p95 may be up to +10% over primary'),
        minSamples: z
          .number()
          .int()
          .min(2)
          .default(20)
          .describe('Fewer a side: a decisive difference is still called (the exact test decides from 5 a side at the defaults), but no route passes — it is not judged'),
        correction: z.enum(['holm', 'bh', 'none']).default('holm'),
        // A significant, material slowdown is a reason not to ship on its own, not a score deduction.
        critical: z.boolean().default(true),
        failOnFaster: z.boolean().default(false).describe('A candidate significantly faster is reported; fail only if set'),
        unjudged: z
          .enum(['warn', 'fail'])
          .default('warn')
          .describe('A route whose latency could not be judged (too few samples, or the mirror without SERVER spans): warn names it among the reasons and in the assessment; fail makes it a failing rule'),
      })
      .strict()
      .default({ enabled: true, alpha: 0.05, confLevel: 0.98, tolerance: 0.05, toleranceMs: 0.1, quantileTolerance: 0.1, minSamples: 20, correction: 'holm', critical: true, failOnFaster: false, unjudged: 'warn' }),
    errorRate: z
      .object({ max: z.number().min(0).max(1).default(0.01), critical: z.boolean().default(true) })
      .strict()
      .default({ max: 0.01, critical: true }),
    thresholds: z
      .array(
        z
          .object({
            service: z.string(),
            route: z.string().default('*'),
            runtime: z.string().default('*'),
            expr: z
              .array(
                z.string().superRefine((e, ctx) => {
                  try {
                    parseThreshold(e);
                  } catch (err) {
                    ctx.addIssue({ code: 'custom', message: `${(err as Error).message} — k6 syntax: p(95)<200, avg<50, med<=20, max<1000, rate<0.01` });
                  }
                }),
              )
              .min(1)
              .describe('k6 syntax: p(95)<200, avg<50, max<=1000, rate<0.01 (error rate)'),
            // As in k6: a crossed threshold fails the run.
            critical: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    baseline: z
      .object({
        tolerance: z.number().min(0).max(10).default(0.1),
        quantileTolerance: z.number().min(0).max(10).default(0.15),
        critical: z.boolean().default(true),
      })
      .strict()
      .default({ tolerance: 0.1, quantileTolerance: 0.15, critical: true }),
    trace: TraceGateSchema.default(TRACE_DEFAULTS),
    score: z
      .object({ pass: z.number().min(0).max(100).default(95), marginal: z.number().min(0).max(100).default(75) })
      .strict()
      .default({ pass: 95, marginal: 75 }),
  })
  .strict();

export type GateRules = z.infer<typeof GateSchema>;
