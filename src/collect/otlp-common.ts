/**
 * Normalisation shared by the protobuf and JSON OTLP decoders, so both encodings produce
 * byte-for-byte the same StoredSpan.
 */
import { GauntletError } from '../util/errors.ts';
import { ATTR_GAUNTLET_RUN_ID } from '../contract/attributes.ts';
import {
  SPAN_KINDS,
  STATUS_CODES,
  type AttrValue,
  type Attributes,
  type SpanKindName,
  type StatusCodeName,
} from './types.ts';

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

/**
 * How deeply AnyValues may nest (arrays and kvlists inside each other). Real attributes stay within
 * a few levels; a limit turns a 10,000-deep body into a 400 instead of a stack overflow.
 */
export const MAX_ANY_VALUE_DEPTH = 32;

export function tooDeep(path?: string): GauntletError {
  return invalidOtlp(`AnyValue nested more than ${MAX_ANY_VALUE_DEPTH} levels deep`, path);
}

/** OTLP: a trace or span id with no non-zero byte is invalid. */
export function isAllZeroHex(hex: string): boolean {
  return /^0*$/.test(hex);
}

export function invalidOtlp(reason: string, path?: string): GauntletError {
  return new GauntletError('GAUNTLET_OTLP_INVALID', path ? `${path}: ${reason}` : reason, {
    ...(path ? { path } : {}),
    hint: 'send OTLP/HTTP ExportTraceServiceRequest bodies as an OpenTelemetry exporter does',
  });
}

/**
 * Assigns an attribute without letting a sender-chosen key like `__proto__` reach the object's
 * prototype (a plain `out[key] = v` would silently swallow that attribute).
 */
export function setAttr(out: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** Enums are open in proto3: a value from a newer spec maps to the "unknown" member, not an error. */
export function kindFromNumber(n: number): SpanKindName {
  return SPAN_KINDS[n] ?? 'UNSPECIFIED';
}

export function statusFromNumber(n: number): StatusCodeName {
  return STATUS_CODES[n] ?? 'UNSET';
}

/** Doubles the store's JSON columns can't hold are kept as their proto3-JSON spelling. */
export function jsonSafeDouble(d: number): number | string {
  if (Number.isFinite(d)) return d;
  return Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity';
}

export function runIdOf(attributes: Attributes, resource: Attributes): string | null {
  return stringish(attributes[ATTR_GAUNTLET_RUN_ID]) ?? stringish(resource[ATTR_GAUNTLET_RUN_ID]);
}

export function serviceNameOf(resource: Attributes): string | null {
  const v = resource['service.name'];
  return typeof v === 'string' ? v : null;
}

function stringish(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}
