import type { FieldSpec, RecordSchema } from './schema.ts';

/**
 * One validation problem, runtime-neutral. The encoders decide how it looks on the wire; both
 * flavours find exactly the same issues in the same order, so any divergence a parity run reports
 * is an encoding difference — which is the lakehouse finding this daemon reproduces.
 */
export type ValidationIssue =
  | { kind: 'required'; field: string; reason: string }
  | { kind: 'type'; field: string; reason: string; expected: string; found: string }
  | { kind: 'range'; field: string; reason: string; min: number | undefined; max: number | undefined; value: number }
  | { kind: 'enum'; field: string; reason: string; allowed: unknown[] }
  | { kind: 'schema'; field: string; reason: string };

export type IssueKind = ValidationIssue['kind'];

/** What a JSON value is, in schema terms; `integer` wins over `number` for whole numbers. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value; // string, boolean, object
}

/**
 * Validates a record against a schema and returns every issue in a deterministic order: schema
 * field order, depth first (a nested object's issues come right after its own position).
 * Unknown record fields are allowed.
 *
 * Issues below the top level (`customer.email`, `tags[1]`) are reported as `schema` issues whose
 * reason carries the inner problem: the real service validates nested objects with a sub-validator
 * whose error type is a message, so the structured detail (bounds, allowed values) is lost there.
 */
export function validateRecord(schema: RecordSchema, record: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  checkFields(schema.fields, record, '', false, issues);
  return issues;
}

function checkFields(
  fields: Record<string, FieldSpec>,
  object: Record<string, unknown>,
  prefix: string,
  nested: boolean,
  issues: ValidationIssue[],
): void {
  for (const [name, spec] of Object.entries(fields)) {
    const field = prefix ? `${prefix}.${name}` : name;
    const value = Object.hasOwn(object, name) ? object[name] : undefined;
    if (value === undefined) {
      if (spec.required) report(issues, nested, { kind: 'required', field, reason: 'missing required field' });
      continue;
    }
    checkValue(spec, value, field, nested, issues);
  }
}

function checkValue(spec: FieldSpec, value: unknown, field: string, nested: boolean, issues: ValidationIssue[]): void {
  const found = jsonTypeOf(value);
  if (!typeMatches(spec.type, found)) {
    report(issues, nested, { kind: 'type', field, reason: `expected ${spec.type}`, expected: spec.type, found });
    return; // range/enum/nested checks on a value of the wrong type would only repeat the problem
  }
  if (typeof value === 'number' && ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))) {
    report(issues, nested, { kind: 'range', field, reason: 'out of range', min: spec.min, max: spec.max, value });
  }
  if (spec.enum && !spec.enum.some((allowed) => jsonEquals(allowed, value))) {
    report(issues, nested, { kind: 'enum', field, reason: 'not an allowed value', allowed: spec.enum });
  }
  if (spec.type === 'object' && spec.fields) {
    checkFields(spec.fields, value as Record<string, unknown>, field, true, issues);
  }
  if (spec.type === 'array' && spec.items && Array.isArray(value)) {
    const items = spec.items;
    value.forEach((element, index) => checkValue(items, element, `${field}[${index}]`, true, issues));
  }
}

/** Pushes an issue, folding anything below the top level into a `schema` issue. */
function report(issues: ValidationIssue[], nested: boolean, issue: ValidationIssue): void {
  issues.push(nested ? { kind: 'schema', field: issue.field, reason: nestedReason(issue) } : issue);
}

function nestedReason(issue: ValidationIssue): string {
  return issue.kind === 'type' ? `expected ${issue.expected}, found ${issue.found}` : issue.reason;
}

function typeMatches(expected: string, found: string): boolean {
  return expected === found || (expected === 'number' && found === 'integer');
}

function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
