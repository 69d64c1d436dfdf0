import type { NoiseRules } from '../config/schema.ts';
import type { PairFinding } from './compare.ts';
import { snippetValue } from './volatile.ts';

type Tolerance = NonNullable<NoiseRules['numericTolerance']>;

// A JSON number as a string ("0.30000000000000004", "1e-9"): Prometheus sample values, Go `,string`.
const NUMERIC_STRING = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number a snippet holds: a JSON number, or (when allowed) a numeric JSON string. */
function numberOf(snippet: string | undefined, strings: boolean): { n: number; quoted: boolean } | undefined {
  const v = snippetValue(snippet);
  if (!v.ok) return undefined;
  if (typeof v.value === 'number') return { n: v.value, quoted: false };
  if (strings && typeof v.value === 'string' && NUMERIC_STRING.test(v.value)) return { n: Number(v.value), quoted: true };
  return undefined;
}

/**
 * The noise reason for a value difference within `numericTolerance`, or undefined. Both sides must
 * be of the same kind (two numbers, or two numeric strings when `numericStrings` is on): `1` vs
 * `"1"` is a type change, never a tolerance matter. Equal values in different lexemes (`1` vs
 * `1.0`) stay `number-repr` findings — tolerance is about values, not representation.
 */
export function toleranceReason(f: PairFinding, tol: Tolerance, strings: boolean): string | undefined {
  if (f.class !== 'value-change' && f.class !== 'number-repr') return undefined;
  const l = numberOf(f.left, strings);
  const r = numberOf(f.right, strings);
  if (!l || !r || l.quoted !== r.quoted || !Number.isFinite(l.n) || !Number.isFinite(r.n)) return undefined;
  const d = Math.abs(l.n - r.n);
  if (d === 0 && !l.quoted) return undefined;
  if (d > tol.abs && d > tol.rel * Math.max(Math.abs(l.n), Math.abs(r.n))) return undefined;
  return `numeric tolerance${l.quoted ? ' (numeric strings)' : ''}: within abs ${tol.abs} / rel ${tol.rel}`;
}
