/**
 * The bytes Go's encoding/json (`json.Marshal`) and fmt write. Differences from JSON.stringify
 * that a real Go service shows and a parity tool must see:
 * - strings: `<`, `>`, `&`, U+2028 and U+2029 are escaped (`\u003c`…) because Marshal escapes HTML
 *   by default; invalid UTF-16 (lone surrogates) becomes U+FFFD as Go's decoder would have made it;
 * - float64: shortest digits, exponent form below 1e-6 and from 1e21 (`1e-7`, `1e+21`), so `1` not
 *   `1.0`; negative zero stays `-0`.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/** A string literal exactly as encoding/json escapes it (Go ≥ 1.22: `\b` and `\f` short forms). */
export function goString(value: string): string {
  // JSON.stringify never escapes these characters, so rewriting them in its output is safe.
  return JSON.stringify(value.replace(LONE_SURROGATE, '\uFFFD')).replace(
    HTML_UNSAFE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A float64 as encoding/json prints it: JavaScript's Number→string rules happen to match, bar -0. */
export function goFloat64(value: number): string {
  if (Object.is(value, -0)) return '-0';
  // Marshal fails with UnsupportedValueError on NaN/Inf; callers only pass finite numbers.
  return String(value);
}

/** A `[]string`: a nil slice marshals to `null`, an empty non-nil one to `[]`. */
export function goStringSlice(values: readonly string[] | null): string {
  return values === null ? 'null' : `[${values.map(goString).join(',')}]`;
}

/**
 * A value decoded into `any` (e.g. a `map[string]any` payload) marshalled back: numbers are float64
 * (`goFloat64`), strings get Go's escaping, and map keys come out sorted, as encoding/json sorts them.
 */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return goFloat64(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${goString(key)}:${goValue(item)}`).join(',')}}`;
  }
  return 'null';
}

/**
 * `fmt.Sprint(v)` of a value decoded into `any` — how Go code typically turns a schema's enum
 * values into the `[]string` of an error struct. Unlike encoding/json, fmt's `%v` for float64 is
 * `%g` with shortest digits, which switches to exponent form when exp < -4 or exp >= 6
 * (`fmt.Sprint(1e6)` is `1e+06`) and pads the exponent to two digits.
 */
export function goSprint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return sprintFloat64(value);
  if (Array.isArray(value)) return `[${value.map(goSprint).join(' ')}]`;
  if (typeof value === 'object') {
    // fmt prints maps with sorted keys.
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goSprint(item)}`).join(' ')}]`;
  }
  return String(value);
}

function sprintFloat64(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const abs = Math.abs(exponent);
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(value);
}
