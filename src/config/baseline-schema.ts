import { z } from 'zod';

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
        })
        .strict(),
    ),
    divergences: z.array(
      z.object({ id: z.string(), service: z.string(), method: z.string(), route: z.string(), class: z.string(), path: z.string(), count: z.number().int().min(0) }).strict(),
    ),
  })
  .strict();

export type Baseline = z.infer<typeof BaselineSchema>;
