import { z } from 'zod';

const FINDING_CLASSES = [
  'transport', 'status', 'content-type', 'enum-encoding', 'key-case', 'null-vs-missing', 'null-vs-empty', 'type-change',
  'missing-field', 'extra-field', 'array-shape', 'number-repr', 'value-change', 'array-order', 'text-change', 'latency', 'header',
  // kind `trace` (the path is the operation: `/storaged/GET /v1/schemas/{id}`; `/storaged/**` matches all of storaged's)
  'call-count', 'new-operation', 'missing-operation', 'hidden-error', 'broken', 'self-time',
] as const;

/** A class glob: `*` matches any run of characters (classes have no separators). */
export function classGlob(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** One known divergence: a decision, not a suppression — it stays visible in every report. */
export const LedgerEntrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'ledger ids are [A-Za-z0-9._-]+'),
    service: z.string().min(1),
    route: z.string().default('*').describe('Route template or glob (`*` = any route)'),
    method: z.string().default('*'),
    class: z
      .string()
      .refine((c) => (c.includes('*') ? FINDING_CLASSES.some((k) => classGlob(c).test(k)) : (FINDING_CLASSES as readonly string[]).includes(c)), {
        message: `a finding class (${FINDING_CLASSES.join(', ')}) or a glob matching at least one, e.g. null-vs-* or *`,
      })
      .describe('Finding class, or a glob over classes (`*` any, `null-vs-*`)'),
    path: z.string().default('/**').describe('JSON Pointer glob: `*` one token, `**` any'),
    status: z.enum(['open', 'accepted', 'fixed']),
    note: z.string().min(1, 'say why this gap is known'),
    link: z.url().optional(),
    expires: z.iso.date().optional().describe('After this date (YYYY-MM-DD) an open/accepted entry stops covering its findings'),
  })
  .strict();

export const LedgerSchema = z
  .object({
    version: z.literal(1),
    entries: z.array(LedgerEntrySchema).default([]),
  })
  .strict()
  .superRefine((l, ctx) => {
    const seen = new Set<string>();
    l.entries.forEach((e, i) => {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['entries', i, 'id'], message: `duplicate ledger id "${e.id}"` });
      seen.add(e.id);
    });
  });

export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
export type Ledger = z.infer<typeof LedgerSchema>;
export { FINDING_CLASSES };
