/**
 * The bytes Rust's serde_json writes. JSON.stringify gets strings right (same escapes, lowercase
 * `\u00xx`) but not numbers: serde_json prints every f64 through ryu, so `1.0` stays `1.0` and large
 * or tiny values switch to `1e16` / `1e-7` at thresholds JavaScript does not share. A Rust twin that
 * printed `1` where the real service prints `1.0` would hide the `number-repr` divergence.
 */

/** A string literal exactly as serde_json escapes it. */
export function serdeString(value: string): string {
  return JSON.stringify(value);
}

/**
 * An f64 as serde_json (ryu `format64`) prints it. Non-finite values become `null`, as serde_json
 * does for f64 fields.
 */
export function serdeF64(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  // toExponential() without an argument yields the shortest round-trip digits, which is what
  // ryu computes too; only the layout differs.
  const [mantissa = '', exponent = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const kk = Number(exponent) + 1; // 10^(kk-1) <= |value| < 10^kk
  const k = kk - length; // value = digits × 10^k
  if (k >= 0 && kk <= 16) return `${sign}${digits}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  if (length === 1) return `${sign}${digits}e${kk - 1}`;
  return `${sign}${digits[0]}.${digits.slice(1)}e${kk - 1}`;
}

/**
 * A `serde_json::Value` echoed back (e.g. a schema's enum list). JSON.parse has already lost the
 * difference between `1` and `1.0`, so integral numbers print as integers (serde_json's u64/i64)
 * and the rest through ryu. Object keys come out sorted: serde_json's default Map is a BTreeMap.
 */
export function serdeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return serdeString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : serdeF64(value);
  }
  if (Array.isArray(value)) return `[${value.map(serdeValue).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${serdeString(key)}:${serdeValue(item)}`).join(',')}}`;
  }
  return 'null';
}
