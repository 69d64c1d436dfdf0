/**
 * Detectors for values that legitimately differ on every request (Keploy-style): two values of the
 * same volatile *format* are compared by format, not by value. A timestamp on one side and a UUID
 * on the other is still a finding.
 */
export type VolatileFormat = 'rfc3339' | 'epoch-s' | 'epoch-ms' | 'epoch-ns' | 'uuid' | 'ulid' | 'hex-id' | 'base64-id' | 'duration';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;
const HEX_ID = /^(0x)?[0-9a-f]{16,}$|^(0x)?[0-9A-F]{16,}$/;
const BASE64_ID = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
// Go's time.Duration String() (1h2m3.5s, 150ms, 2µs), bare "12.5ms"-style, and ISO 8601 (PT1.5S).
const GO_DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|μs|ms|s|m|h))+$/;
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

// Epoch values are only recognised inside a plausible window (2001-09-09 .. 2286-11-20 in seconds),
// so an ordinary count or price is never mistaken for a clock.
const S_MIN = 1e9;
const S_MAX = 1e10;

export function volatileFormat(value: unknown): VolatileFormat | undefined {
  if (typeof value === 'number') {
    return epochFormat(Number(value));
  }
  if (typeof value !== 'string') return undefined;
  if (RFC3339.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')))) return 'rfc3339';
  if (UUID.test(value)) return 'uuid';
  if (ULID.test(value)) return 'ulid';
  if (GO_DURATION.test(value) || ISO_DURATION.test(value)) return 'duration';
  if (HEX_ID.test(value)) return 'hex-id';
  // Require a digit and a letter so ordinary words are never "ids".
  if (BASE64_ID.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value)) return 'base64-id';
  return undefined;
}

function epochFormat(n: number): VolatileFormat | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n >= S_MIN && n < S_MAX) return 'epoch-s';
  if (n >= S_MIN * 1e3 && n < S_MAX * 1e3) return 'epoch-ms';
  if (n >= S_MIN * 1e9 && n < S_MAX * 1e9) return 'epoch-ns';
  return undefined;
}

/** Parse a diff snippet back into a value; truncated snippets (ending in …) are not judged. */
export function snippetValue(snippet: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (snippet === undefined || snippet.endsWith('…')) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(snippet) };
  } catch {
    return { ok: false };
  }
}

/** Same volatile format on both sides → the format, else undefined. */
export function sameVolatileFormat(left: string | undefined, right: string | undefined): VolatileFormat | undefined {
  const l = snippetValue(left);
  const r = snippetValue(right);
  if (!l.ok || !r.ok) return undefined;
  const fl = volatileFormat(l.value);
  return fl !== undefined && fl === volatileFormat(r.value) ? fl : undefined;
}
