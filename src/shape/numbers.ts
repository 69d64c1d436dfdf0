import { compareNumber } from 'lossless-json';

export type NumberVerdict =
  | { same: true }
  | { same: false; class: 'number-repr'; why: NumberReprWhy }
  | { same: false; class: 'value-change'; why: 'float32' | 'value' };

export type NumberReprWhy = 'trailing-zero' | 'exponent' | 'lexeme' | 'truncated' | 'integer-vs-fraction';

export interface Tolerance {
  abs: number;
  rel: number;
}

const INTEGER = /^-?\d+$/;
const SAME: NumberVerdict = { same: true };

/**
 * Compare two number lexemes. Exact equality of value is decided on the text (via lossless-json's
 * digit/exponent split), so 64-bit ids and big decimals never go through a lossy double.
 */
export function compareNumbers(a: string, b: string, tolerance: Tolerance | undefined): NumberVerdict {
  if (a === b) return SAME;
  // Two different integer lexemes are never equal in value: JSON has no leading zeros, and "-0" is
  // the one exception worth the slow path.
  const plain = INTEGER.test(a) && INTEGER.test(b) && a !== '-0' && b !== '-0';
  if (!plain && compareNumber(a, b) === 0) return { same: false, class: 'number-repr', why: reprWhy(a, b) };
  const x = Number(a);
  const y = Number(b);
  if (tolerance && withinTolerance(x, y, tolerance)) return SAME;
  // One difference, one class: an integer lexeme against a fraction is a representation difference
  // whatever the values. Judged on the value, `1795790620` vs `1795790620.067` would flip between
  // number-repr and a volatile value-change depending on whether a second boundary fell between
  // the two requests.
  if (INTEGER.test(a) !== INTEGER.test(b)) {
    const oneUnit = Math.min(Math.abs(x), Math.abs(y)) >= 1 && Math.abs(x - y) < 1;
    return { same: false, class: 'number-repr', why: oneUnit || agreeWhenTruncated(a, b) ? 'truncated' : 'integer-vs-fraction' };
  }
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y && Math.fround(x) === Math.fround(y)) {
    return { same: false, class: 'value-change', why: 'float32' };
  }
  return { same: false, class: 'value-change', why: 'value' };
}

function withinTolerance(x: number, y: number, t: Tolerance): boolean {
  const d = Math.abs(x - y);
  return d <= t.abs || d <= t.rel * Math.max(Math.abs(x), Math.abs(y));
}

function reprWhy(a: string, b: string): NumberReprWhy {
  const ea = /[eE]/.test(a);
  const eb = /[eE]/.test(b);
  if (ea !== eb || (ea && eb)) return 'exponent';
  const ia = INTEGER.test(a);
  const ib = INTEGER.test(b);
  if (ia !== ib) return 'trailing-zero';
  return 'lexeme';
}

/**
 * An integer on one side and a fraction on the other that truncates to it: epoch seconds vs float
 * seconds, `as_millis()` vs float milliseconds. The fractional side must be at least 1 in
 * magnitude, because `0` vs `0.3` carries no evidence of a unit match and is more likely a real
 * change.
 */
function agreeWhenTruncated(a: string, b: string): boolean {
  const ia = INTEGER.test(a);
  if (ia === INTEGER.test(b)) return false;
  const int = ia ? a : b;
  const frac = ia ? b : a;
  if (!/[eE]/.test(frac)) {
    const whole = frac.slice(0, frac.indexOf('.'));
    if (whole === '0' || whole === '-0') return false;
    return compareNumber(whole, int) === 0;
  }
  const f = Number(frac);
  return Math.abs(f) >= 1 && Number.isSafeInteger(Math.trunc(f)) && Math.trunc(f) === Number(int);
}
