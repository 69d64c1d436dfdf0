import type { Comparison, Matcher } from '../config/smoke-schema.ts';

/**
 * Value matchers shared by response assertions (JSON Pointer / JSONPath into a body) and trace
 * assertions (span attributes). A failure says what was expected and what was observed, so a
 * report line can name the path, the expectation and the value without re-deriving anything.
 */
export interface MatchFailure {
  expected: string;
  observed: string;
}

/** Marker for "the path/attribute is not there" (distinct from a JSON null). */
export const ABSENT: unique symbol = Symbol('absent');
export type Observed = unknown | typeof ABSENT;

const MAX_SHOWN = 120;

export function show(v: Observed): string {
  if (v === ABSENT) return '(absent)';
  const text = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'undefined' : JSON.stringify(v);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Store round-trips can turn a large int64 into its decimal string: compare numbers as numbers. */
function asNumber(v: Observed): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const OPS: ReadonlyArray<[keyof Comparison, string, (a: number, b: number) => boolean]> = [
  ['equals', '=', (a, b) => a === b],
  ['lt', '<', (a, b) => a < b],
  ['lte', '<=', (a, b) => a <= b],
  ['gt', '>', (a, b) => a > b],
  ['gte', '>=', (a, b) => a >= b],
];

export function describeComparison(c: Comparison, unit = ''): string {
  return OPS.filter(([k]) => c[k] !== undefined)
    .map(([k, sym]) => `${sym} ${c[k]}${unit}`)
    .join(' and ');
}

/** The first bound a number breaks, as "expected < 50 ms"-style text; undefined when all hold. */
export function compare(c: Comparison, n: number): string | undefined {
  for (const [k, sym, ok] of OPS) {
    const bound = c[k];
    if (bound !== undefined && !ok(n, bound)) return `${sym} ${bound}`;
  }
  return undefined;
}

/** Short text for a matcher, as used inside a selector (`=validatord`, `=~^/v1/`, ` exists`). */
export function describeMatcher(m: Matcher): string {
  const keys = Object.keys(m);
  if (keys.length === 1 && 'equals' in m) return `=${typeof m.equals === 'string' ? m.equals : JSON.stringify(m.equals)}`;
  if (keys.length === 1 && m.matches !== undefined) return `=~${m.matches}`;
  if (keys.length === 1 && m.exists === true) return ' exists';
  if (keys.length === 1 && (m.exists === false || m.absent)) return ' absent';
  return ` ${JSON.stringify(m)}`;
}

/**
 * Check every operator of a matcher against an observed value; returns the first that fails.
 * Anything but `exists: false`/`absent` fails on an absent value.
 */
export function matchValue(m: Matcher, v: Observed): MatchFailure | undefined {
  const present = v !== ABSENT;
  const fail = (expected: string, observed = show(v)): MatchFailure => ({ expected, observed });
  if (m.exists !== undefined && m.exists !== present) return fail(m.exists ? 'present' : 'absent');
  if (m.absent && present) return fail('absent');
  if (!present) {
    const wanted = Object.keys(m).filter((k) => k !== 'exists' && k !== 'absent');
    return wanted.length ? fail(describeExpectation(m)) : undefined;
  }
  if ('equals' in m && !deepEqual(v, m.equals)) return fail(show(m.equals));
  if (m.oneOf && !m.oneOf.some((x) => deepEqual(v, x))) return fail(`one of ${show(m.oneOf)}`);
  if (m.type !== undefined) {
    const t = typeOf(v);
    const ok = m.type === t || (m.type === 'number' && t === 'integer');
    if (!ok) return fail(`type ${m.type}`, `${show(v)} (type ${t})`);
  }
  if (m.matches !== undefined && !new RegExp(m.matches).test(asText(v))) return fail(`matching /${m.matches}/`);
  if (m.contains !== undefined) {
    const ok = Array.isArray(v) ? v.some((x) => deepEqual(x, m.contains)) : typeof v === 'string' && v.includes(String(m.contains));
    if (!ok) return fail(`containing ${show(m.contains)}`);
  }
  if (m.length !== undefined) {
    if (typeof v !== 'string' && !Array.isArray(v)) return fail(`length ${describeComparison(m.length)}`, `${show(v)} (type ${typeOf(v)}, no length)`);
    const broken = compare(m.length, v.length);
    if (broken) return fail(`length ${broken}`, `length ${v.length}`);
  }
  const bounds: Comparison = { ...(m.lt !== undefined ? { lt: m.lt } : {}), ...(m.lte !== undefined ? { lte: m.lte } : {}), ...(m.gt !== undefined ? { gt: m.gt } : {}), ...(m.gte !== undefined ? { gte: m.gte } : {}) };
  if (Object.keys(bounds).length > 0) {
    const n = asNumber(v);
    if (n === undefined) return fail(describeComparison(bounds), `${show(v)} (not a number)`);
    const broken = compare(bounds, n);
    if (broken) return fail(broken);
  }
  return undefined;
}

function describeExpectation(m: Matcher): string {
  if ('equals' in m) return show(m.equals);
  if (m.oneOf) return `one of ${show(m.oneOf)}`;
  if (m.type) return `type ${m.type}`;
  if (m.matches !== undefined) return `matching /${m.matches}/`;
  if (m.contains !== undefined) return `containing ${show(m.contains)}`;
  if (m.length) return `length ${describeComparison(m.length)}`;
  return describeComparison(m as Comparison);
}

type Token = string | number;

/** RFC 6901: `/a/0/b~1c` → ['a', '0', 'b/c']; '' is the whole document. */
function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The supported JSONPath subset: `$`, `.name`, `['name']`, `["name"]`, `[n]` (negative from the end). */
function jsonPathTokens(path: string): Token[] {
  const out: Token[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/gy;
  re.lastIndex = 1;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path))) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

/** Resolve a JSON Pointer or JSONPath (the schema has checked its syntax) in a parsed body. */
export function resolveBodyPath(doc: unknown, path: string): Observed {
  const tokens: Token[] = path.startsWith('$') ? jsonPathTokens(path) : pointerTokens(path);
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      // A pointer token indexes an array only when it is a canonical non-negative integer.
      const i = typeof t === 'number' ? (t < 0 ? cur.length + t : t) : /^(0|[1-9]\d*)$/.test(t) ? Number(t) : NaN;
      if (!(i >= 0 && i < cur.length)) return ABSENT;
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, String(t))) {
      cur = (cur as Record<string, unknown>)[String(t)];
    } else {
      return ABSENT;
    }
  }
  return cur;
}
