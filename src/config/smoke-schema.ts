import { z } from 'zod';
import { CaseRequestSchema } from './schema.ts';

/**
 * Smoke suite files (`harness/smoke/*.yaml`): per service, checks that are a request plus
 * expectations on the response and on the spans of the check's trace (Tracetest-style selectors,
 * written as explicit YAML rather than a string DSL so the schema can validate every part).
 *
 * The same schemas validate the check spec the driver stores on the check's span, which is how
 * the judge works from the store alone.
 */

const compiles = (p: string) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
};

/** `{ lt: 50 }`, `{ gte: 1 }`, or a bare number meaning `equals`. */
const ComparisonObject = z
  .object({
    equals: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'give at least one of equals, lt, lte, gt, gte');

export const ComparisonSchema = z.preprocess((v) => (typeof v === 'number' ? { equals: v } : v), ComparisonObject);
export type Comparison = z.infer<typeof ComparisonObject>;

export const VALUE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

const MatcherObject = z
  .object({
    equals: z.unknown().optional().describe('Deep JSON equality (1 and 1.0 are equal)'),
    oneOf: z.array(z.unknown()).min(1).optional(),
    exists: z.boolean().optional(),
    absent: z.literal(true).optional().describe('Same as exists: false'),
    matches: z.string().refine(compiles, 'not a valid regular expression').optional().describe('Regular expression tested against the value as text'),
    contains: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Substring of a string, or element of an array'),
    type: z.enum(VALUE_TYPES).optional(),
    length: ComparisonSchema.optional().describe('Length of a string or array'),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
  })
  .strict()
  .refine((m) => Object.keys(m).length > 0, 'an empty matcher asserts nothing: give at least one of equals, exists, matches, type, length, lt, …');

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A value matcher. A scalar, array or null is shorthand for `{ equals: … }`; an object is always a
 * matcher (unknown keys are errors), so comparing against an object literal needs `equals:` —
 * explicit beats guessing which of the two a user meant.
 */
export const MatcherSchema = z.preprocess((v) => (isPlainObject(v) ? v : { equals: v }), MatcherObject);
export type Matcher = z.infer<typeof MatcherObject>;

/** RFC 6901 JSON Pointer (`/errors/0/field`) or the JSONPath subset `$.a.b[0]['c-d']`. */
const JSON_PATH = /^\$(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[-?\d+\]|\['(?:[^'\\]|\\.)*'\]|\["(?:[^"\\]|\\.)*"\])*$/;
export function isBodyPath(key: string): boolean {
  if (key.startsWith('/')) return !/~[^01]|~$/.test(key);
  return JSON_PATH.test(key);
}

/** `{ "/valid": true, "$.errors[0]": { exists: true } }` — keys checked with a message naming the key. */
const BodyAssertionsSchema = z.record(z.string(), MatcherSchema).superRefine((rec, ctx) => {
  for (const key of Object.keys(rec)) {
    if (!isBodyPath(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `"${key}" is neither a JSON Pointer (/a/0/b, ~0 and ~1 escapes) nor a supported JSONPath ($.a.b[0]['c-d'])`,
      });
    }
  }
});

const AttributeMatchersSchema = z.record(z.string().min(1), MatcherSchema);

export const SPAN_KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'UNSPECIFIED'] as const;

/** Which spans of the check's trace an assertion is about. Every field given must match. */
export const SpanSelectorSchema = z
  .object({
    kind: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(SPAN_KIND_NAMES)).optional(),
    service: MatcherSchema.optional().describe('Resource attribute service.name'),
    name: MatcherSchema.optional().describe('Span name, e.g. "POST /v1/validate"'),
    attributes: AttributeMatchersSchema.optional().describe('Span attributes (falling back to resource attributes)'),
  })
  .strict();
export type SpanSelector = z.infer<typeof SpanSelectorSchema>;

export const SpanAssertionSchema = z
  .object({
    select: SpanSelectorSchema,
    count: ComparisonSchema.optional().describe('How many spans must match (default: at least one)'),
    durationMs: ComparisonSchema.optional().describe('Every matched span’s duration in milliseconds'),
    attributes: AttributeMatchersSchema.optional().describe('Checked on every matched span'),
  })
  .strict();
export type SpanAssertion = z.infer<typeof SpanAssertionSchema>;

export const ResponseExpectSchema = z
  .object({
    status: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
      .optional()
      .describe('Expected status code, or a list of acceptable ones'),
    latencyMs: z.number().positive().optional().describe('Budget: the SERVER span’s duration when the runtime is instrumented, else the client’s'),
    contentType: MatcherSchema.optional(),
    body: MatcherSchema.optional().describe('Matched against the raw body text'),
    json: BodyAssertionsSchema.optional().describe('JSON Pointer / JSONPath → value or matcher'),
  })
  .strict();
export type ResponseExpect = z.infer<typeof ResponseExpectSchema>;

export const SmokeCheckSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'check ids are [A-Za-z0-9._-]+'),
    description: z.string().optional(),
    request: CaseRequestSchema,
    expect: ResponseExpectSchema.default({}),
    spans: z.array(SpanAssertionSchema).default([]).describe('Trace assertions, evaluated from the store after the run'),
  })
  .strict();
export type SmokeCheck = z.infer<typeof SmokeCheckSchema>;

export const SmokeSuiteSchema = z
  .object({
    service: z.string().min(1),
    name: z.string().regex(/^[A-Za-z0-9._-]+$/).optional().describe('Prefix of check ids in reports (default: the service)'),
    checks: z.array(SmokeCheckSchema).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.checks.forEach((c, i) => {
      const prev = seen.get(c.id);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['checks', i, 'id'], message: `duplicate check id "${c.id}" (first at checks[${prev}])` });
      seen.set(c.id, i);
    });
  });
export type SmokeSuite = z.infer<typeof SmokeSuiteSchema>;

/** What the driver puts on a check's root span (`gauntlet.check`), and the judge reads back. */
export const CheckSpecSchema = z
  .object({
    suite: z.string(),
    service: z.string(),
    id: z.string(),
    index: z.number().int().min(0),
    expect: ResponseExpectSchema,
    spans: z.array(SpanAssertionSchema),
  })
  .strict();
export type CheckSpec = z.infer<typeof CheckSpecSchema>;
