import { serdeF64, serdeString, serdeValue } from '../common/json-serde.ts';
import type { ValidationIssue } from './validate.ts';
import type { ValidatordWire } from './wire.ts';

/**
 * validatord as the Rust build (axum + serde_json) writes it. The emulated types:
 *
 * ```rust
 * #[derive(Serialize)]
 * struct ValidateResponse { valid: bool, errors: Vec<ValidationError> }
 *
 * #[derive(Serialize)]           // no #[serde(tag = ...)]: serde's default, externally tagged
 * enum ValidationError {
 *     Required { field: String, reason: String },
 *     Type { field: String, reason: String, expected: String, found: String },
 *     Range { field: String, reason: String, min: Option<f64>, max: Option<f64>, value: f64 },
 *     Enum { field: String, reason: String, allowed: Vec<serde_json::Value> },
 *     Schema { field: String, reason: String },
 * }
 * ```
 *
 * so an error is `{"Range":{"field":"qty","reason":"out of range","min":1.0,"max":100.0,"value":500.0}}`:
 * variant name as the only key, snake_case fields, f64 always with a fraction, an absent bound `null`.
 */
export const rustWire: ValidatordWire = {
  runtime: 'rust',
  encodeResult: (issues) => `{"valid":${issues.length === 0},"errors":[${issues.map(encodeIssue).join(',')}]}`,
  encodeError: (message) => `{"error":${serdeString(message)}}`,
  encodeHealth: () => '{"status":"ok"}',
};

function encodeIssue(issue: ValidationIssue): string {
  const fields: Array<[string, string]> = [
    ['field', serdeString(issue.field)],
    ['reason', serdeString(issue.reason)],
  ];
  switch (issue.kind) {
    case 'required':
      return variant('Required', fields);
    case 'type':
      return variant('Type', [...fields, ['expected', serdeString(issue.expected)], ['found', serdeString(issue.found)]]);
    case 'range':
      return variant('Range', [...fields, ['min', optionF64(issue.min)], ['max', optionF64(issue.max)], ['value', serdeF64(issue.value)]]);
    case 'enum':
      return variant('Enum', [...fields, ['allowed', serdeValue(issue.allowed)]]);
    case 'schema':
      return variant('Schema', fields);
  }
}

function variant(name: string, fields: Array<[string, string]>): string {
  return `{"${name}":{${fields.map(([key, value]) => `"${key}":${value}`).join(',')}}}`;
}

function optionF64(value: number | undefined): string {
  return value === undefined ? 'null' : serdeF64(value);
}
