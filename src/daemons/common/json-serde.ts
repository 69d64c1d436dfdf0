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
  // toExponential() without an argument yields the shortest round-trip digits, which is what
  // ryu computes too; only the layout differs.
  const [mantissa = '', exponent = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  return `${value < 0 ? '-' : ''}${layoutRyu(digits, Number(exponent) + 1, RYU_F64_LAYOUT)}`;
}

/**
 * An f32 as serde_json (ryu `format32`) prints it: the shortest digits that read back as the same
 * f32 (`0.81234567`, not the f64 expansion `0.8123456716537476`), laid out with f32's own
 * thresholds (plain up to 1e13, `0.000001` before switching to `1e-7`). The value is rounded to
 * f32 first, as storing it in an `f32` field would.
 */
export function serdeF32(value: number): string {
  const x = Math.fround(value);
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const { digits, kk } = shortestF32Digits(Math.abs(x));
  return `${x < 0 ? '-' : ''}${layoutRyu(digits, kk, RYU_F32_LAYOUT)}`;
}

/** ryu's `pretty` layout switches: plain while kk <= maxPlain, `0.00ddd` while kk > minFraction. */
interface RyuLayout {
  maxPlain: number;
  minFraction: number;
}
const RYU_F64_LAYOUT: RyuLayout = { maxPlain: 16, minFraction: -5 };
const RYU_F32_LAYOUT: RyuLayout = { maxPlain: 13, minFraction: -6 };

/** `digits` (no trailing zeros) × 10^(kk - digits.length), i.e. 10^(kk-1) <= value < 10^kk. */
function layoutRyu(digits: string, kk: number, layout: RyuLayout): string {
  const length = digits.length;
  const k = kk - length;
  if (k >= 0 && kk <= layout.maxPlain) return `${digits}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= layout.maxPlain) return `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > layout.minFraction && kk <= 0) return `0.${'0'.repeat(-kk)}${digits}`;
  if (length === 1) return `${digits}e${kk - 1}`;
  return `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
}

/**
 * Shortest decimal that rounds back to the f32 `x` (> 0), the digits ryu's f2s finds. At each
 * precision the correctly rounded candidate and its two neighbours are tried, because near a power
 * of two the round-trip interval is lopsided and the nearest candidate can miss while a neighbour
 * fits. Nine digits always round-trip an f32. (Reading a candidate back through f64 could
 * double-round only if the f64 landed exactly on an f32 midpoint — vanishingly rare at <= 9 digits.)
 */
function shortestF32Digits(x: number): { digits: string; kk: number } {
  for (let precision = 1; precision <= 9; precision++) {
    const [mantissa = '', exponentText = '0'] = x.toExponential(precision - 1).split('e');
    const scale = Number(exponentText) - (precision - 1); // value = m × 10^scale
    const m = Number(mantissa.replace('.', ''));
    let best: number | undefined;
    for (const candidate of [m, m - 1, m + 1]) {
      if (candidate <= 0 || Math.fround(Number(`${candidate}e${scale}`)) !== x) continue;
      if (best === undefined || Math.abs(Number(`${candidate}e${scale}`) - x) < Math.abs(Number(`${best}e${scale}`) - x)) best = candidate;
    }
    if (best !== undefined) {
      const digits = String(best).replace(/0+$/, '');
      return { digits, kk: String(best).length + scale };
    }
  }
  throw new Error(`unreachable: ${x} has no 9-digit f32 representation`);
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
