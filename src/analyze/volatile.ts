/**
 * Detectors for values that legitimately differ on every request (Keploy-style): two values of the
 * same volatile *format* are compared by format, not by value. A timestamp on one side and a UUID
 * on the other is still a finding.
 */
export type VolatileFormat =
  | 'rfc3339'
  | 'epoch-s'
  | 'epoch-ms'
  | 'epoch-ns'
  | 'uuid'
  | 'ulid'
  | 'ksuid'
  | 'hex-id'
  | 'base64-id'
  | 'duration'
  | 'counter-id'
  | 'snowflake';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;
// Segment's KSUID: 27 base62 characters (a 4-byte timestamp and 16 random bytes).
const KSUID = /^[0-9A-Za-z]{27}$/;
const HEX_ID = /^(0x)?[0-9a-f]{16,}$|^(0x)?[0-9A-F]{16,}$/;
const BASE64_ID = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
// Go's time.Duration String() (1h2m3.5s, 150ms, 2µs), bare "12.5ms"-style, and ISO 8601 (PT1.5S).
const GO_DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|μs|ms|s|m|h))+$/;
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
/** `req-0000001a`, `req_42`, `txn:00af`: a word prefix, a separator, a decimal or hex counter. */
const COUNTER_ID = /^([A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z][A-Za-z0-9]*)*[-_:.#/])([0-9A-Fa-f]+)$/;
// Prefixes that name a per-request/per-process id. An unpadded `item-7` is data, not a counter.
const ID_WORD = /(^|[-_.])(req|request|rid|reqid|trace|span|txn|tx|trx|corr|correlation|cid|msg|message|evt|event|job|task|op|operation|call|rpc|conn|connection|sess|session|id|uid|seq|run|worker|instance|inst)[-_:.#/]$/i;

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
  if (KSUID.test(value) && /\d/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value)) return 'ksuid';
  if (counterId(value)) return 'counter-id';
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

interface CounterId {
  prefix: string;
  /** Digits of a zero-padded or hex counter (fixed width); undefined for an unpadded decimal that grows. */
  width: number | undefined;
  letters: 'lower' | 'upper' | 'none';
}

/**
 * A per-process request counter: an id-word prefix with any counter, or any word prefix with a
 * fixed-width (zero-padded or hex) counter of at least 6 digits. Mixed-case hex is not a counter.
 */
export function counterId(value: string): CounterId | undefined {
  const m = COUNTER_ID.exec(value);
  if (!m) return undefined;
  const [, prefix, body] = m as unknown as [string, string, string];
  const lower = /[a-f]/.test(body);
  const upper = /[A-F]/.test(body);
  if (lower && upper) return undefined;
  const letters = lower ? 'lower' : upper ? 'upper' : 'none';
  const fixed = letters !== 'none' || (body.length > 1 && body.startsWith('0'));
  if (fixed && body.length >= 6) return { prefix, width: body.length, letters };
  if (!ID_WORD.test(prefix)) return undefined;
  return { prefix, width: fixed ? body.length : undefined, letters };
}

/** Both counters from one generator: same prefix, same width when fixed, compatible hex case. */
function sameCounter(a: CounterId, b: CounterId): boolean {
  if (a.prefix !== b.prefix || a.width !== b.width) return false;
  return a.letters === b.letters || a.letters === 'none' || b.letters === 'none';
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

// Snowflake epochs: Unix, Twitter, Discord (milliseconds); the id's top 42 bits are a timestamp.
const SNOWFLAKE_EPOCHS = [0n, 1288834974657n, 1420070400000n];
const Y2010 = 1262304000000n;
const Y2100 = 4102444800000n;
const HOUR = 3_600_000n;

/**
 * Two 64-bit snowflake ids (number or digit string) minted within an hour of each other under one
 * of the common epochs. A plain large number that merely changed is not enough: the timestamp bits
 * must agree, which a real value change (a byte count, a balance) practically never does.
 */
function sameSnowflake(l: string, r: string): boolean {
  const digits = /^"?(\d{15,19})"?$/;
  const a = digits.exec(l)?.[1];
  const b = digits.exec(r)?.[1];
  if (!a || !b || a.length !== b.length || l.startsWith('"') !== r.startsWith('"')) return false;
  const x = BigInt(a);
  const y = BigInt(b);
  if (x >= 1n << 63n || y >= 1n << 63n) return false;
  return SNOWFLAKE_EPOCHS.some((epoch) => {
    const tx = (x >> 22n) + epoch;
    const ty = (y >> 22n) + epoch;
    const gap = tx > ty ? tx - ty : ty - tx;
    return tx >= Y2010 && tx <= Y2100 && ty >= Y2010 && ty <= Y2100 && gap <= HOUR;
  });
}

// `id`, `user_id`, `orderId`, `ID`: a field named as an identifier.
const ID_FIELD = /(^|_|-)id$|[a-z]Id$|^ID$|[a-z]ID$/;

/**
 * Same volatile format on both sides → the format, else undefined. `path` (the JSON Pointer) only
 * names the format: today's 19-digit snowflakes fall in the epoch-ns window too, and in a field
 * named as an id they are reported as snowflakes.
 */
export function sameVolatileFormat(left: string | undefined, right: string | undefined, path = ''): VolatileFormat | undefined {
  const l = snippetValue(left);
  const r = snippetValue(right);
  if (!l.ok || !r.ok) return undefined;
  const fl = volatileFormat(l.value);
  if (fl !== undefined && fl === volatileFormat(r.value)) {
    if (fl === 'epoch-ns' && ID_FIELD.test(path.slice(path.lastIndexOf('/') + 1)) && sameSnowflake(left!, right!)) return 'snowflake';
    if (fl !== 'counter-id') return fl;
    return sameCounter(counterId(l.value as string)!, counterId(r.value as string)!) ? fl : undefined;
  }
  // Numbers beyond 2^53 lose digits in JSON.parse: snowflakes are judged on the snippet text.
  if (fl === undefined && sameSnowflake(left!, right!)) return 'snowflake';
  return undefined;
}

/**
 * The representation class of a snippet: JSON type, number lexeme kind, and the volatile format (or
 * counter pattern) of a string. Two values of one field differ only "at value level" when these
 * agree; an epoch-ms number vs an RFC 3339 string, or `1` vs `1.5`, differ in representation.
 */
export function representationOf(snippet: string | undefined): string | undefined {
  if (snippet === undefined) return undefined;
  const parsed = snippetValue(snippet);
  if (!parsed.ok) return snippet.startsWith('"') ? 'string' : undefined;
  const v = parsed.value;
  if (v === null) return 'null';
  if (typeof v === 'number') {
    const kind = /[eE]/.test(snippet) ? 'exponent' : /\./.test(snippet) ? 'decimal' : 'integer';
    return `number:${kind}:${epochFormat(v) ?? ''}`;
  }
  if (typeof v === 'string') {
    const format = volatileFormat(v);
    if (format === 'counter-id') {
      const c = counterId(v)!;
      return `string:counter-id:${c.prefix}:${c.width ?? ''}`;
    }
    return `string:${format ?? ''}`;
  }
  return Array.isArray(v) ? 'array' : typeof v;
}
