import { goFloat64, goSprint, goString, goStringSlice } from '../common/json-go.ts';
import type { ValidationIssue } from './validate.ts';
import type { ValidatordWire } from './wire.ts';

/**
 * validatord as the Go build (net/http + encoding/json, `json.Marshal` then `w.Write`, so no
 * trailing newline) writes it. The emulated types:
 *
 * ```go
 * type ValidateResponse struct {
 *     Valid  bool              `json:"valid"`
 *     Errors []ValidationError `json:"errors"` // initialised to []ValidationError{}: never null
 * }
 *
 * // No json tags: encoding/json uses the exported Go names, and zero values are written out.
 * type ValidationError struct {
 *     Kind, Field, Reason string
 *     Expected, Found     string
 *     Min, Max, Value     float64
 *     Allowed             []string // nil unless Kind == "enum"; values via fmt.Sprint
 * }
 * ```
 *
 * so an error is `{"Kind":"range","Field":"qty","Reason":"out of range","Expected":"","Found":"",
 * "Min":1,"Max":100,"Value":500,"Allowed":null}`. The envelope has json tags, so a valid answer is
 * byte-identical to the Rust build's.
 */
export const goWire: ValidatordWire = {
  runtime: 'go',
  encodeResult: (issues) => `{"valid":${issues.length === 0},"errors":[${issues.map(encodeIssue).join(',')}]}`,
  encodeError: (message) => `{"error":${goString(message)}}`,
  encodeHealth: () => '{"status":"ok"}',
};

function encodeIssue(issue: ValidationIssue): string {
  const range = issue.kind === 'range' ? issue : undefined;
  const type = issue.kind === 'type' ? issue : undefined;
  const allowed = issue.kind === 'enum' ? issue.allowed.map(goSprint) : null;
  return (
    `{"Kind":${goString(issue.kind)},"Field":${goString(issue.field)},"Reason":${goString(issue.reason)},` +
    `"Expected":${goString(type?.expected ?? '')},"Found":${goString(type?.found ?? '')},` +
    `"Min":${goFloat64(range?.min ?? 0)},"Max":${goFloat64(range?.max ?? 0)},"Value":${goFloat64(range?.value ?? 0)},` +
    `"Allowed":${goStringSlice(allowed)}}`
  );
}
