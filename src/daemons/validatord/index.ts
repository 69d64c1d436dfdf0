// Front door of the validatord reference twin (the process entry is main.ts).
export { createValidatordRoutes, VALIDATE_ROUTE } from './handler.ts';
export { FIELD_TYPES, parseValidateRequest, type FieldSpec, type RecordSchema, type ValidateRequest } from './schema.ts';
export { jsonTypeOf, validateRecord, type IssueKind, type ValidationIssue } from './validate.ts';
export { WIRES, type ValidatordWire } from './wire.ts';
