import { LosslessNumber } from 'lossless-json';
import { deepEqual, isObject, quote } from './json.ts';
import { foldName } from './names.ts';
import type { JsonObject, JsonValue } from './types.ts';

/**
 * Array alignment for the diff: which elements of two arrays are "the same element" (perhaps
 * re-encoded), which moved, and which exist on one side only. Indices are absolute in the arrays.
 */
export interface Alignment {
  /** Elements to diff: paired in order (a common subsequence, plus pairs made inside a changed stretch); exactly equal ones are left out. */
  pairs: Array<[number, number]>;
  /** Equal elements (modulo encoding) found at positions the order does not explain. */
  moved: Array<[number, number]>;
  onlyLeft: number[];
  onlyRight: number[];
  /** Set when the edit bound was exceeded and a cheaper, approximate alignment was used. */
  approximate?: boolean;
}

/**
 * Myers' O((N+M)·D) diff is exact and fast when the arrays mostly agree (D small), which is the
 * case worth reporting precisely. Past this many edits, or this much work, the pairing falls back
 * to multiset matching in order: linear, approximate, and said so in the finding.
 */
const MAX_EDITS = 1000;
const MAX_WORK = 4_000_000;
/** Pairing by structural similarity is quadratic in the size of one changed stretch. */
const MAX_SIMILARITY_WORK = 10_000;
const SIMILAR = 0.5;

/**
 * A key equal for elements that differ only in encoding: numbers by value (`1.0` = `1`), object
 * keys folded across naming conventions (`first_name` = `firstName`), key order ignored.
 */
export function looseKey(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof LosslessNumber) {
    const n = Number(value.value);
    return Number.isFinite(n) ? String(n) : value.value;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + looseKey(value[i] as JsonValue);
    return out + ']';
  }
  const entries = Object.keys(value).map((k) => `${quote(foldName(k))}:${looseKey(value[k] as JsonValue)}`);
  return `{${entries.sort().join(',')}}`;
}

/** Elements differ / are equal as they stand / are equal modulo encoding (looseKey equal). */
export const enum Likeness {
  Different = 0,
  Exact = 1,
  Loose = 2,
}

/** looseKey(a) === looseKey(b), and whether they are even exactly equal, decided in place with an early exit. */
export function compareLoosely(a: JsonValue, b: JsonValue): Likeness {
  if (a === b) return Likeness.Exact;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Likeness.Different;
  if (a instanceof LosslessNumber) {
    if (!(b instanceof LosslessNumber)) return Likeness.Different;
    return a.value === b.value ? Likeness.Exact : looseKey(a) === looseKey(b) ? Likeness.Loose : Likeness.Different;
  }
  let out = Likeness.Exact;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return Likeness.Different;
    for (let i = 0; i < a.length; i++) {
      const c = compareLoosely(a[i] as JsonValue, b[i] as JsonValue);
      if (c === Likeness.Different) return c;
      if (c === Likeness.Loose) out = c;
    }
    return out;
  }
  if (Array.isArray(b) || b instanceof LosslessNumber) return Likeness.Different;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return Likeness.Different;
  for (const k of keys) {
    // Keys differ in spelling: fall back to the folded form (rare, so building the key is fine).
    if (!Object.hasOwn(b, k)) return sameFoldedKeys(a, b) && looseKey(a) === looseKey(b) ? Likeness.Loose : Likeness.Different;
    const c = compareLoosely(a[k] as JsonValue, b[k] as JsonValue);
    if (c === Likeness.Different) return c;
    if (c === Likeness.Loose) out = c;
  }
  return out;
}

function sameFoldedKeys(a: JsonObject, b: JsonObject): boolean {
  const folded = new Set(Object.keys(b).map(foldName));
  for (const k of Object.keys(a)) if (!folded.has(foldName(k))) return false;
  return true;
}

/** Interns keys as small integers so the diff loop compares numbers, not strings. */
function intern(left: readonly string[], right: readonly string[]): [Int32Array, Int32Array] {
  const ids = new Map<string, number>();
  const id = (k: string) => {
    let v = ids.get(k);
    if (v === undefined) ids.set(k, (v = ids.size));
    return v;
  };
  return [Int32Array.from(left, id), Int32Array.from(right, id)];
}

/**
 * The pairs of a shortest edit script between sequences of length `n` and `m` whose elements are
 * compared by `eq` (Myers 1986, forward greedy with a trace for backtracking), or undefined when more
 * than `maxD` edits are needed. Comparing in place (no key per element) keeps the mostly-equal case
 * about as cheap as one deepEqual per element: failed comparisons usually stop at the first field.
 */
export function myersPairs(n: number, m: number, eq: (i: number, j: number) => boolean, maxD: number): Array<[number, number]> | undefined {
  const off = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= maxD; d++) {
    trace.push(v.slice(off - d, off + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[off + k - 1] as number) < (v[off + k + 1] as number)) ? (v[off + k + 1] as number) : (v[off + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && eq(x, y)) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], dEnd: number, n: number, m: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const prev = trace[d] as Int32Array; // v as it stood after round d - 1, indexed k + d
    const at = (k: number) => prev[k + d] as number;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) pairs.push([--x, --y]);
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) pairs.push([--x, --y]);
  return pairs.reverse();
}

/** Occurrence-order multiset pairing kept where it is increasing: a common subsequence in linear time. */
function greedyPairs(l: readonly JsonValue[], r: readonly JsonValue[], from: number, toL: number, toR: number): Array<[number, number]> {
  const [a, b] = intern(l.slice(from, toL).map(looseKey), r.slice(from, toR).map(looseKey));
  const positions = new Map<number, number[]>();
  for (let j = 0; j < b.length; j++) {
    const list = positions.get(b[j] as number);
    if (list) list.push(j);
    else positions.set(b[j] as number, [j]);
  }
  const pairs: Array<[number, number]> = [];
  const next = new Map<number, number>();
  let last = -1;
  for (let i = 0; i < a.length; i++) {
    const list = positions.get(a[i] as number);
    if (!list) continue;
    let p = next.get(a[i] as number) ?? 0;
    while (p < list.length && (list[p] as number) <= last) p++;
    next.set(a[i] as number, p + 1);
    if (p < list.length) pairs.push([i, (last = list[p] as number)]);
  }
  return pairs;
}

/** Share of `a`'s fields that `b` has with an equal value (0 unless both are objects). */
export function similarity(a: JsonValue, b: JsonValue): number {
  if (!isObject(a) || !isObject(b)) return 0;
  const keys = Object.keys(a);
  const size = Math.max(keys.length, Object.keys(b).length);
  if (size === 0) return 1;
  let same = 0;
  for (const k of keys) if (Object.hasOwn(b, k) && deepEqual(a[k] as JsonValue, b[k] as JsonValue)) same++;
  return same / size;
}

/** Best-first pairing of objects that share most of their fields; `ordered` keeps pairs monotonic. */
function pairBySimilarity(l: readonly JsonValue[], r: readonly JsonValue[], ls: number[], rs: number[], ordered: boolean): Array<[number, number]> {
  if (ls.length === 0 || rs.length === 0 || ls.length * rs.length > MAX_SIMILARITY_WORK) return [];
  const candidates: Array<[number, number, number]> = [];
  for (let x = 0; x < ls.length; x++) {
    for (let y = 0; y < rs.length; y++) {
      const s = similarity(l[ls[x] as number] as JsonValue, r[rs[y] as number] as JsonValue);
      if (s >= SIMILAR) candidates.push([s, x, y]);
    }
  }
  candidates.sort((p, q) => q[0] - p[0] || p[1] - q[1] || p[2] - q[2]);
  const usedL = new Set<number>();
  const usedR = new Set<number>();
  const chosen: Array<[number, number]> = [];
  for (const [, x, y] of candidates) {
    if (usedL.has(x) || usedR.has(y)) continue;
    if (ordered && chosen.some(([cx, cy]) => (cx < x) !== (cy < y))) continue;
    usedL.add(x);
    usedR.add(y);
    chosen.push([x, y]);
  }
  return chosen.map(([x, y]) => [ls[x] as number, rs[y] as number] as [number, number]).sort((p, q) => p[0] - q[0]);
}

/**
 * Aligns two ordered arrays on `[from, toL)` × `[from, toR)` (the caller has trimmed the equal
 * prefix and suffix). Stretches between matched elements that have the same length on both sides
 * are paired by position (a changed element); unequal stretches pair only objects that share most
 * fields; what stays unpaired but has an equal element on the other side moved.
 */
export function alignOrdered(l: readonly JsonValue[], r: readonly JsonValue[], from: number, toL: number, toR: number): Alignment {
  const n = toL - from;
  const m = toR - from;
  const cap = Math.min(MAX_EDITS, n + m, Math.floor(MAX_WORK / Math.max(1, n + m)));
  // Exactly equal anchors need no walking afterwards: remember them while Myers compares anyway.
  const exactWith = new Int32Array(n).fill(-1);
  const compare = (i: number, j: number) => {
    const c = compareLoosely(l[i + from] as JsonValue, r[j + from] as JsonValue);
    if (c === Likeness.Exact) exactWith[i] = j;
    return c;
  };
  let eq = (i: number, j: number) => compare(i, j) !== Likeness.Different;
  let maxD = cap;
  let inPlaceOptimal = false;
  if (n === m) {
    // Same length: one positional pass first. Changing d elements in place is a 2d-edit script, so
    // Myers only has to look for a shorter one; the main diagonal is then free (already compared).
    const at = new Uint8Array(n);
    let changed = 0;
    for (let i = 0; i < n; i++) if ((at[i] = compare(i, i)) === Likeness.Different) changed++;
    if (changed === 0) return { pairs: inPlace(at, from, (c) => c === Likeness.Loose), moved: [], onlyLeft: [], onlyRight: [] };
    eq = (i, j) => (i === j ? at[i] !== Likeness.Different : compare(i, j) !== Likeness.Different);
    inPlaceOptimal = 2 * changed - 1 <= cap;
    maxD = Math.min(cap, 2 * changed - 1);
    const anchors = myersPairs(n, m, eq, maxD);
    if (!anchors && inPlaceOptimal) return { pairs: inPlace(at, from, (c) => c !== Likeness.Exact), moved: [], onlyLeft: [], onlyRight: [] };
    return finish(l, r, from, n, m, anchors, exactWith);
  }
  return finish(l, r, from, n, m, myersPairs(n, m, eq, maxD), exactWith);
}

function inPlace(at: Uint8Array, from: number, walk: (c: Likeness) => boolean): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < at.length; i++) if (walk(at[i] as Likeness)) pairs.push([i + from, i + from]);
  return pairs;
}

function finish(
  l: readonly JsonValue[],
  r: readonly JsonValue[],
  from: number,
  n: number,
  m: number,
  exact: Array<[number, number]> | undefined,
  exactWith: Int32Array,
): Alignment {
  const approximate = exact === undefined;
  const anchors = exact ?? greedyPairs(l, r, from, from + n, from + m);
  // Moves first: an element that only changed position must not be paired with a neighbour.
  const anchoredL = new Set<number>();
  const anchoredR = new Set<number>();
  for (const [i, j] of anchors) {
    anchoredL.add(i);
    anchoredR.add(j);
  }
  const freeL = range(0, n, from).filter((i) => !anchoredL.has(i - from));
  const freeR = range(0, m, from).filter((j) => !anchoredR.has(j - from));
  // Keys only for the few elements left over, not for every element of a long list.
  const moved = extractMoved(freeL, freeR, (i) => looseKey(l[i] as JsonValue), (j) => looseKey(r[j] as JsonValue));
  const stillL = new Set(freeL);
  const stillR = new Set(freeR);
  const pairs: Array<[number, number]> = [];
  const stretches: Array<[number[], number[]]> = [];
  let pi = 0;
  let pj = 0;
  for (const [i, j] of [...anchors, [n, m] as [number, number]]) {
    stretches.push([range(pi, i, from).filter((x) => stillL.has(x)), range(pj, j, from).filter((y) => stillR.has(y))]);
    if (i < n && exactWith[i] !== j) pairs.push([i + from, j + from]);
    pi = i + 1;
    pj = j + 1;
  }
  // Pairing by position is only safe when every changed stretch has the same length on both sides
  // (elements changed in place). Once elements were inserted or dropped, positions say nothing —
  // and which of several equally long alignments Myers picked must not decide what gets paired.
  // With moves, the common elements are not all in the Myers alignment, so the stretches are not unique.
  const inPlace = moved.length === 0 && stretches.every(([ls, rs]) => ls.length === rs.length);
  const onlyLeft: number[] = [];
  const onlyRight: number[] = [];
  for (const [ls, rs] of stretches) {
    if (inPlace) {
      for (let t = 0; t < ls.length; t++) pairs.push([ls[t] as number, rs[t] as number]);
      continue;
    }
    const paired = pairBySimilarity(l, r, ls, rs, true);
    const pl = new Set(paired.map((p) => p[0]));
    const pr = new Set(paired.map((p) => p[1]));
    pairs.push(...paired);
    for (const i of ls) if (!pl.has(i)) onlyLeft.push(i);
    for (const j of rs) if (!pr.has(j)) onlyRight.push(j);
  }
  pairs.sort((p, q) => p[0] - q[0]);
  return { pairs, moved, onlyLeft, onlyRight, ...(approximate ? { approximate } : {}) };
}

function range(start: number, end: number, base: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i + base);
  return out;
}

/** Removes from `onlyLeft`/`onlyRight` the elements equal (modulo encoding) to one on the other side. */
function extractMoved(onlyLeft: number[], onlyRight: number[], keyL: (i: number) => string, keyR: (j: number) => string): Array<[number, number]> {
  if (onlyLeft.length === 0 || onlyRight.length === 0) return [];
  const byKey = new Map<string, number[]>();
  for (const j of onlyRight) {
    const list = byKey.get(keyR(j));
    if (list) list.push(j);
    else byKey.set(keyR(j), [j]);
  }
  const moved: Array<[number, number]> = [];
  const gone = new Set<number>();
  for (const i of onlyLeft) {
    const j = byKey.get(keyL(i))?.shift();
    if (j !== undefined) {
      moved.push([i, j]);
      gone.add(j);
    }
  }
  const movedLeft = new Set(moved.map((p) => p[0]));
  filterInPlace(onlyLeft, (i) => !movedLeft.has(i));
  filterInPlace(onlyRight, (j) => !gone.has(j));
  return moved;
}

function filterInPlace(xs: number[], keep: (x: number) => boolean): void {
  let w = 0;
  for (const x of xs) if (keep(x)) xs[w++] = x;
  xs.length = w;
}

/**
 * Multiset matching for `unordered` paths: exact-equal elements cancel, then elements equal modulo
 * encoding are paired (so their encoding differences are reported), then objects sharing most
 * fields; whatever is left exists on one side only. Pairs are never made between arbitrary elements.
 */
export function alignUnordered(l: readonly JsonValue[], r: readonly JsonValue[], exactKey: (v: JsonValue) => string): Alignment {
  const pairs: Array<[number, number]> = [];
  let restL = l.map((_, i) => i);
  let restR = r.map((_, j) => j);
  for (const key of [exactKey, looseKey]) {
    const byKey = new Map<string, number[]>();
    for (const j of restR) {
      const k = key(r[j] as JsonValue);
      const list = byKey.get(k);
      if (list) list.push(j);
      else byKey.set(k, [j]);
    }
    const usedR = new Set<number>();
    const nextL: number[] = [];
    for (const i of restL) {
      const j = byKey.get(key(l[i] as JsonValue))?.shift();
      if (j === undefined) nextL.push(i);
      else {
        usedR.add(j);
        if (key !== exactKey) pairs.push([i, j]);
      }
    }
    restL = nextL;
    restR = restR.filter((j) => !usedR.has(j));
    if (restL.length === 0 || restR.length === 0) break;
  }
  const similar = pairBySimilarity(l, r, restL, restR, false);
  const pl = new Set(similar.map((p) => p[0]));
  const pr = new Set(similar.map((p) => p[1]));
  pairs.push(...similar);
  pairs.sort((p, q) => p[0] - q[0]);
  return { pairs, moved: [], onlyLeft: restL.filter((i) => !pl.has(i)), onlyRight: restR.filter((j) => !pr.has(j)) };
}
