import { LosslessNumber } from 'lossless-json';
import { alignOrdered, alignUnordered, type Alignment } from './align.ts';
import { matchEnum, type EnumMatch } from './enum.ts';
import { dialectOf, explain, type Dialect, type Reason } from './explain.ts';
import { canonicalJson, deepEqual, hasOwn, snippet } from './json.ts';
import { foldName, pairKeys } from './names.ts';
import { compareNumbers, type Tolerance } from './numbers.ts';
import { childPath, compileGlobs, comparePaths, type PathMatcher } from './pointer.ts';
import {
  DIFF_CLASSES,
  KIND_OF_CLASS,
  kindOf,
  resolveMaxDifferences,
  type DiffClass,
  type DiffOptions,
  type Difference,
  type JsonObject,
  type JsonValue,
} from './types.ts';

interface Context {
  unordered: PathMatcher | undefined;
  tolerance: Tolerance | undefined;
  max: number;
  /** Array paths calibration saw reordered between identical requests to one runtime. */
  unstableOrder: PathMatcher | undefined;
  /** Which ecosystem's vocabulary causes and hints may use. */
  dialect: Dialect;
  /** The context for enum payload sub-diffs (itself, for a sub-context). */
  sub?: Context;
}

/** Raw finding: snippets and prose are only produced for the ones that survive the cut. */
interface Finding {
  cls: DiffClass;
  path: string;
  left: JsonValue | undefined;
  right: JsonValue | undefined;
  reason?: Reason;
  detail?: string;
  match?: EnumMatch;
  sub?: Difference[];
}

/**
 * The walk collects everything, sorts, then keeps the first `max`: "the first N" is then a
 * property of the output order, not of object key order. Past this many raw findings the walk
 * stops anyway, so one absurd pair cannot exhaust memory.
 */
const WALK_LIMIT = 100_000;
/** An enum payload rarely has more fields than this; more sub-findings would only bloat a report. */
const SUB_LIMIT = 50;

/**
 * Structural and value diff of two JSON documents, classified in the terms of the divergence
 * taxonomy. Paths are JSON Pointers; when keys are paired across naming conventions, children are
 * reported under the left side's key.
 */
export function diffJson(left: JsonValue, right: JsonValue, opts: DiffOptions = {}): Difference[] {
  const tol = opts.numericTolerance;
  const ctx: Context = {
    unordered: compileGlobs(opts.unorderedPaths),
    tolerance: tol && (tol.abs !== undefined || tol.rel !== undefined) ? { abs: tol.abs ?? 0, rel: tol.rel ?? 0 } : undefined,
    max: resolveMaxDifferences(opts),
    unstableOrder: compileGlobs(opts.unstableOrderPaths),
    dialect: dialectOf(opts.runtimes),
  };
  ctx.sub = { ...ctx, max: Math.min(ctx.max, SUB_LIMIT) };
  ctx.sub.sub = ctx.sub;
  return run(left, right, '', ctx);
}

function run(left: JsonValue, right: JsonValue, base: string, ctx: Context): Difference[] {
  const walker = new Walker(ctx);
  walker.walk(left, right, base);
  const found = walker.found;
  found.sort(compareFindings);
  if (found.length > ctx.max) found.length = ctx.max;
  return found.map((f) => materialise(f, ctx.dialect));
}

const CLASS_RANK = new Map(DIFF_CLASSES.map((c, i) => [c, i]));

function compareFindings(a: { path: string; cls: DiffClass }, b: { path: string; cls: DiffClass }): number {
  return comparePaths(a.path, b.path) || (CLASS_RANK.get(a.cls) as number) - (CLASS_RANK.get(b.cls) as number);
}

export function compareDifferences(a: Difference, b: Difference): number {
  return compareFindings({ path: a.path, cls: a.class }, { path: b.path, cls: b.class });
}

function materialise(f: Finding, dialect: Dialect): Difference {
  const why = f.match ?? explain(f.reason ?? ({ class: f.cls } as Reason), f.left, f.right, dialect);
  const detail = f.match?.detail ?? f.detail;
  // Assigned one by one (not spread) for speed; the insertion order is the reading order.
  const d = { kind: KIND_OF_CLASS[f.cls], class: f.cls, path: f.path } as Difference;
  if (f.left !== undefined) d.left = snippet(f.left);
  if (f.right !== undefined) d.right = snippet(f.right);
  if (detail !== undefined) d.detail = detail;
  d.cause = why.cause;
  d.hint = why.hint;
  const sub = f.match?.sub ?? f.sub;
  if (sub && sub.length > 0) d.sub = sub;
  return d;
}

class Walker {
  readonly found: Finding[] = [];

  constructor(private readonly ctx: Context) {}

  private add(finding: Finding): void {
    this.found.push(finding);
  }

  walk(l: JsonValue, r: JsonValue, path: string): void {
    if (l === r || this.found.length >= WALK_LIMIT) return;
    const lk = kindOf(l);
    const rk = kindOf(r);
    if (lk === rk) {
      switch (lk) {
        case 'object':
          return this.objects(l as JsonObject, r as JsonObject, path);
        case 'array':
          return this.arrays(l as JsonValue[], r as JsonValue[], path);
        case 'number':
          return this.numbers(l as LosslessNumber, r as LosslessNumber, path);
        case 'string':
          return this.strings(l as string, r as string, path);
        default:
          return this.add({ cls: 'value-change', path, left: l, right: r, reason: { class: 'value-change', why: 'value' } });
      }
    }
    if ((lk === 'object' && rk === 'string') || (lk === 'string' && rk === 'object')) {
      if (this.tryEnum(l, r, path)) return;
    }
    if ((lk === 'null' && isEmptyContainer(r)) || (rk === 'null' && isEmptyContainer(l))) {
      return this.add({ cls: 'null-vs-empty', path, left: l, right: r });
    }
    this.add({ cls: 'type-change', path, left: l, right: r, detail: `${lk} vs ${rk}` });
  }

  private tryEnum(l: JsonValue, r: JsonValue, path: string): boolean {
    const match = matchEnum(l, r, path, (lp, rp, base) => run(lp, rp, base, this.ctx.sub ?? this.ctx), this.ctx.dialect);
    if (!match) return false;
    this.add({ cls: 'enum-encoding', path, left: l, right: r, match });
    return true;
  }

  private objects(l: JsonObject, r: JsonObject, path: string): void {
    const lkeys = Object.keys(l);
    const rkeys = Object.keys(r);
    let onlyLeft: string[] | undefined;
    let common = 0;
    for (const k of lkeys) {
      if (hasOwn(r, k)) common++;
      else (onlyLeft ??= []).push(k);
    }
    const onlyRight = common < rkeys.length ? rkeys.filter((k) => !hasOwn(l, k)) : undefined;
    if ((onlyLeft || onlyRight) && this.tryEnum(l, r, path)) return;
    for (const k of lkeys) {
      if (!hasOwn(r, k)) continue;
      const lv = l[k] as JsonValue;
      const rv = r[k] as JsonValue;
      if (!sameLeaf(lv, rv)) this.walk(lv, rv, childPath(path, k));
    }
    if (onlyLeft || onlyRight) this.unmatchedKeys(l, r, path, onlyLeft ?? [], onlyRight ?? []);
  }

  private unmatchedKeys(l: JsonObject, r: JsonObject, path: string, onlyLeft: string[], onlyRight: string[]): void {
    const { pairs, left, right } = pairKeys(onlyLeft, onlyRight);
    if (pairs.length > 0) {
      const detail = pairs.map(([a, b]) => `${a}→${b}`).join(', ');
      this.add({ cls: 'key-case', path, left: l, right: r, detail, reason: { class: 'key-case', pairs } });
      for (const [a, b] of pairs) this.walk(l[a] as JsonValue, r[b] as JsonValue, childPath(path, a));
    }
    for (const k of left) {
      const v = l[k] as JsonValue;
      this.add({ cls: v === null ? 'null-vs-missing' : 'missing-field', path: childPath(path, k), left: v, right: undefined });
    }
    for (const k of right) {
      const v = r[k] as JsonValue;
      this.add({ cls: v === null ? 'null-vs-missing' : 'extra-field', path: childPath(path, k), left: undefined, right: v });
    }
  }

  private arrays(l: JsonValue[], r: JsonValue[], path: string): void {
    if (this.ctx.unordered?.(path)) return this.unorderedArrays(l, r, path);
    // The agreeing case stays a plain element-by-element walk: trim the equal prefix and suffix.
    const n = Math.min(l.length, r.length);
    let first = 0;
    while (first < n && deepEqual(l[first] as JsonValue, r[first] as JsonValue)) first++;
    if (first === l.length && first === r.length) return;
    let tail = 0;
    while (tail < n - first && deepEqual(l[l.length - 1 - tail] as JsonValue, r[r.length - 1 - tail] as JsonValue)) tail++;
    const toL = l.length - tail;
    const toR = r.length - tail;
    if (l.length === r.length && toL - first > 1 && sameMultiset(l, r, first, toL)) {
      return this.addOrder(l, r, path, `same ${n} elements, different order`);
    }
    const before = this.found.length;
    const a = alignOrdered(l, r, first, toL, toR);
    this.walkPairs(l, r, path, a.pairs);
    this.walkPairs(l, r, path, a.moved);
    if (a.moved.length > 0) this.addOrder(l, r, path, `${a.moved.length} element${a.moved.length === 1 ? '' : 's'} in a different position`);
    // Element types only summarise when elements really changed type. Elements that are one enum in
    // two encodings change JSON type too, but enum-encoding already says so.
    const lk = elementKinds(l);
    const rk = elementKinds(r);
    if (a.onlyLeft.length > 0 || a.onlyRight.length > 0) this.addArrayShape(l, r, path, lk, rk, a);
    else if (lk !== rk && this.retypedElement(path, before)) this.addArrayShape(l, r, path, lk, rk);
  }

  /** Paired elements are reported under the left (primary) index: there is no common one. */
  private walkPairs(l: JsonValue[], r: JsonValue[], path: string, pairs: ReadonlyArray<[number, number]>): void {
    for (const [i, j] of pairs) {
      const lv = l[i] as JsonValue;
      const rv = r[j] as JsonValue;
      if (!sameLeaf(lv, rv)) this.walk(lv, rv, childPath(path, i));
    }
  }

  /** One finding for an order difference; moved elements are diffed like any other pair. */
  private addOrder(l: JsonValue[], r: JsonValue[], path: string, what: string): void {
    const unstable = this.ctx.unstableOrder?.(path) === true;
    const detail = unstable ? `${what}; unstable between identical requests (calibration)` : what;
    this.add({ cls: 'array-order', path, left: l, right: r, detail, reason: { class: 'array-order', unstable } });
  }

  private retypedElement(path: string, since: number): boolean {
    const depth = path.length + 1;
    for (let i = since; i < this.found.length; i++) {
      const f = this.found[i] as Finding;
      if ((f.cls === 'type-change' || f.cls === 'null-vs-empty') && f.path.indexOf('/', depth) === -1) return true;
    }
    return false;
  }

  private addArrayShape(l: JsonValue[], r: JsonValue[], path: string, lk: string, rk: string, a?: Alignment): void {
    const elements: [string, string] | undefined = lk !== rk && lk !== '' && rk !== '' ? [lk, rk] : undefined;
    const parts = l.length !== r.length ? [`length ${l.length} vs ${r.length}`] : [];
    if (elements) parts.push(`elements ${lk} vs ${rk}`);
    const sub: Difference[] = [];
    if (a) {
      if (a.onlyLeft.length) parts.push(`missing ${listElements(l, path, a.onlyLeft)}`);
      if (a.onlyRight.length) parts.push(`extra ${listElements(r, path, a.onlyRight)}`);
      if (a.approximate) parts.push('approximate alignment (too many edits to align exactly)');
      for (const i of a.onlyLeft.slice(0, SUB_LIMIT)) sub.push(elementDifference('missing-element', childPath(path, i), l[i] as JsonValue, this.ctx.dialect));
      for (const j of a.onlyRight.slice(0, SUB_LIMIT)) sub.push(elementDifference('extra-element', childPath(path, j), r[j] as JsonValue, this.ctx.dialect));
    }
    const counts: [number, number] | undefined = a ? [a.onlyLeft.length, a.onlyRight.length] : undefined;
    this.add({
      cls: 'array-shape',
      path,
      left: l,
      right: r,
      detail: parts.join('; '),
      reason: { class: 'array-shape', lengths: [l.length, r.length], ...(elements ? { elements } : {}), ...(counts ? { members: counts } : {}) },
      ...(sub.length ? { sub } : {}),
    });
  }

  /**
   * Multiset compare (alignUnordered): exact matches cancel out; elements equal modulo encoding, or
   * objects sharing most fields, are diffed under the left index (the primary's element, since there
   * is no common index); the rest is reported as missing/extra elements.
   */
  private unorderedArrays(l: JsonValue[], r: JsonValue[], path: string): void {
    const a = alignUnordered(l, r, canonicalJson);
    if (a.pairs.length === 0 && a.onlyLeft.length === 0 && a.onlyRight.length === 0) return;
    this.walkPairs(l, r, path, a.pairs);
    if (a.onlyLeft.length > 0 || a.onlyRight.length > 0) this.addArrayShape(l, r, path, elementKinds(l), elementKinds(r), a);
  }

  private numbers(l: LosslessNumber, r: LosslessNumber, path: string): void {
    const verdict = compareNumbers(l.value, r.value, this.ctx.tolerance);
    if (verdict.same) return;
    const detail = `${l.value} vs ${r.value}`;
    this.add({ cls: verdict.class, path, left: l, right: r, detail, reason: { class: verdict.class, why: verdict.why } as Reason });
  }

  private strings(l: string, r: string, path: string): void {
    const why = sameInstant(l, r) ? 'timestamp-format' : isRenamedWord(l, r) ? 'name-case' : 'value';
    this.add({ cls: 'value-change', path, left: l, right: r, reason: { class: 'value-change', why } });
  }
}

const LISTED = 5;

/** '/items/4 "x", /items/9 "y" (+3 more)': the elements one side has, with short snippets. */
function listElements(arr: JsonValue[], path: string, indices: readonly number[]): string {
  const shown = indices.slice(0, LISTED).map((i) => `${childPath(path, i)} ${snippet(arr[i] as JsonValue, 40)}`);
  return indices.length > LISTED ? `${shown.join(', ')} (+${indices.length - LISTED} more)` : shown.join(', ');
}

function elementDifference(cls: 'missing-element' | 'extra-element', path: string, value: JsonValue, dialect: Dialect): Difference {
  const why = explain({ class: cls }, cls === 'missing-element' ? value : undefined, cls === 'extra-element' ? value : undefined, dialect);
  const d = { kind: KIND_OF_CLASS[cls], class: cls, path } as Difference;
  if (cls === 'missing-element') d.left = snippet(value);
  else d.right = snippet(value);
  d.cause = why.cause;
  d.hint = why.hint;
  return d;
}

/** Equal scalars, checked before a child path string is built for them. */
function sameLeaf(a: JsonValue, b: JsonValue): boolean {
  return a === b || (a instanceof LosslessNumber && b instanceof LosslessNumber && a.value === b.value);
}

function isEmptyContainer(v: JsonValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && !(v instanceof LosslessNumber) && Object.keys(v).length === 0;
}

/** 'number' or 'null|object': the top-level kinds present, '' for an empty array. */
function elementKinds(arr: JsonValue[]): string {
  const kinds = new Set<string>();
  for (const v of arr) kinds.add(kindOf(v));
  return [...kinds].sort().join('|');
}

function sameMultiset(l: JsonValue[], r: JsonValue[], from: number, to: number): boolean {
  // Cheap refutation first: the first mismatching left element must occur later on the right.
  const probe = l[from] as JsonValue;
  let found = false;
  for (let j = from + 1; j < to && !found; j++) found = deepEqual(probe, r[j] as JsonValue);
  if (!found) return false;
  const a = l.slice(from, to).map(canonicalJson).sort();
  const b = r.slice(from, to).map(canonicalJson).sort();
  return a.every((x, i) => x === b[i]);
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Equal instants written differently (fraction digits, Z vs +00:00), compared beyond millisecond precision. */
function sameInstant(a: string, b: string): boolean {
  if (a.length < 20 || b.length < 20 || a.charCodeAt(4) !== 45 || b.charCodeAt(4) !== 45) return false;
  const ma = RFC3339.exec(a);
  const mb = ma && RFC3339.exec(b);
  if (!ma || !mb) return false;
  const sa = wholeSeconds(ma);
  return !Number.isNaN(sa) && sa === wholeSeconds(mb) && significantFraction(ma) === significantFraction(mb);
}

function wholeSeconds(m: RegExpExecArray): number {
  return Date.parse(`${m[1]}T${m[2]}${m[4] === 'z' ? 'Z' : m[4]}`);
}

function significantFraction(m: RegExpExecArray): string {
  return (m[3] ?? '').replace(/0+$/, '');
}

function isRenamedWord(a: string, b: string): boolean {
  return a.length <= 64 && /^[A-Za-z][A-Za-z0-9_-]*$/.test(a) && /^[A-Za-z][A-Za-z0-9_-]*$/.test(b) && foldName(a) === foldName(b);
}
