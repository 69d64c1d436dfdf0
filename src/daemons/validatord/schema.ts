import { z } from 'zod';

/** The value types a validatord schema can ask for. `integer` is a number without a fraction. */
export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'object', 'array'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldSpec {
  type: FieldType;
  required?: boolean | undefined;
  min?: number | undefined;
  max?: number | undefined;
  enum?: unknown[] | undefined;
  /** Nested fields, for `object`. */
  fields?: Record<string, FieldSpec> | undefined;
  /** The spec every element must meet, for `array`. */
  items?: FieldSpec | undefined;
}

export const FieldSpecSchema: z.ZodType<FieldSpec> = z.lazy(() =>
  z.object({
    type: z.enum(FIELD_TYPES),
    required: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    enum: z.array(z.unknown()).optional(),
    fields: z.record(z.string(), FieldSpecSchema).optional(),
    items: FieldSpecSchema.optional(),
  }),
);

export const RecordSchemaSchema = z.object({ fields: z.record(z.string(), FieldSpecSchema) });
export type RecordSchema = z.infer<typeof RecordSchemaSchema>;

/** `POST /v1/validate` body. Unknown top-level keys are ignored, as serde and encoding/json do. */
export const ValidateRequestSchema = z.object({
  schema: RecordSchemaSchema,
  record: z.record(z.string(), z.unknown()),
});
export type ValidateRequest = z.infer<typeof ValidateRequestSchema>;

/**
 * Parses a decoded body into a request, or returns the 400 message. Both flavours send the same
 * message text: the parity cases are about error *encoding*, and a 400 with a different wording
 * per runtime would add noise to every malformed-input case.
 */
export function parseValidateRequest(body: unknown): { ok: true; request: ValidateRequest } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'request body must be a JSON object' };
  }
  for (const key of ['schema', 'record'] as const) {
    if (!(key in body)) return { ok: false, message: `missing field \`${key}\`` };
  }
  const parsed = ValidateRequestSchema.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.map(String).join('.') : 'body';
  return { ok: false, message: `invalid ${where}: ${issue?.message ?? 'unexpected value'}` };
}
