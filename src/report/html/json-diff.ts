import { isLosslessNumber, parse, type LosslessNumber } from 'lossless-json';

/**
 * Side-by-side highlighting of a finding's two snippets for the HTML report. This is a reading aid,
 * not the judgement (that is `src/shape`): it re-walks both snippets and marks what a reviewer's
 * eye should land on. Snippets are pretty-printed; numbers stay lossless so `1.0` vs `1` shows.
 */
export type Mark = 'only' | 'case' | 'chg' | 'tag';
/** A run of text; `m` says how it differs from the other side (absent = same). */
export interface Seg {
  t: string;
  m?: Mark;
}
export interface SideBySide {
  left: Seg[] | null;
  right: Seg[] | null;
}

type Json = null | boolean | string | LosslessNumber | Json[] | { [k: string]: Json };
/** `spans`: for a changed scalar, the [start, end) of its printed text that differs (the rest is shared). */
type Marks = { keys: Map<string, Mark>; values: Map<string, Mark>; spans: Map<string, [number, number]> };

const TAG_KEYS = new Set(['kind', 'type', 'tag', 'variant', 't']);
const INDENT = '  ';
const fold = (name: string) => name.replace(/[_-]/g, '').toLowerCase();
const isObj = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v) && !isLosslessNumber(v);
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
// Paths are joined with NUL so no key needs escaping.
const child = (path: string, key: string | number) => `${path}\u0000${key}`;

function tryParse(text: string): { ok: true; value: Json } | { ok: false } {
  try {
    return { ok: true, value: parse(text) as Json };
  } catch {
    return { ok: false };
  }
}

const scalarText = (v: Json): string => (isLosslessNumber(v) ? v.value : JSON.stringify(v));

function kindOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isLosslessNumber(v)) return 'number';
  return typeof v;
}

/** `{"Required":{..}}` vs `{"Kind":"required",..}`: the tag key on the flat side, if the variant matches. */
function flatTagFor(external: { [k: string]: Json }, flat: { [k: string]: Json }): string | undefined {
  const keys = Object.keys(external);
  if (keys.length !== 1 || hasOwn(flat, keys[0]!)) return undefined;
  const variant = fold(keys[0]!);
  return Object.keys(flat).find((k) => TAG_KEYS.has(k.toLowerCase()) && typeof flat[k] === 'string' && fold(flat[k] as string) === variant);
}

class Annotator {
  readonly left: Marks = { keys: new Map(), values: new Map(), spans: new Map() };
  readonly right: Marks = { keys: new Map(), values: new Map(), spans: new Map() };

  compare(l: Json, r: Json, lp: string, rp: string): void {
    if (isObj(l) && isObj(r)) return this.objects(l, r, lp, rp);
    if (Array.isArray(l) && Array.isArray(r)) {
      for (let i = 0; i < Math.max(l.length, r.length); i++) {
        if (i >= r.length) this.left.values.set(child(lp, i), 'only');
        else if (i >= l.length) this.right.values.set(child(rp, i), 'only');
        else this.compare(l[i]!, r[i]!, child(lp, i), child(rp, i));
      }
      return;
    }
    if (typeof l === 'string' && isObj(r) && this.unitVsFlat(l, r, lp, rp, this.left, this.right)) return;
    if (typeof r === 'string' && isObj(l) && this.unitVsFlat(r, l, rp, lp, this.right, this.left)) return;
    const same = kindOf(l) === kindOf(r) && (isLosslessNumber(l) ? l.value === (r as LosslessNumber).value : l === r);
    if (!same) {
      this.left.values.set(lp, 'chg');
      this.right.values.set(rp, 'chg');
      if (kindOf(l) === kindOf(r) && (typeof l === 'string' || isLosslessNumber(l))) this.spanScalars(scalarText(l), scalarText(r), lp, rp);
    }
  }

  /** Two strings (or numbers) of one kind: mark only the middle that differs, e.g. one trailing space. */
  private spanScalars(a: string, b: string, lp: string, rp: string): void {
    let pre = 0;
    while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
    let suf = 0;
    while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
    // A side whose middle is empty (`1.0` vs `1`) keeps the whole value marked: nothing to point at.
    if (a.length - suf > pre) this.left.spans.set(lp, [pre, a.length - suf]);
    if (b.length - suf > pre) this.right.spans.set(rp, [pre, b.length - suf]);
  }

  /** A unit variant `"Required"` against a flat `{"Kind":"required",…}`. */
  private unitVsFlat(unit: string, flat: { [k: string]: Json }, up: string, fp: string, um: Marks, fm: Marks): boolean {
    const tag = Object.keys(flat).find((k) => TAG_KEYS.has(k.toLowerCase()) && typeof flat[k] === 'string' && fold(flat[k] as string) === fold(unit));
    if (tag === undefined) return false;
    um.values.set(up, 'tag');
    fm.keys.set(child(fp, tag), 'tag');
    fm.values.set(child(fp, tag), 'tag');
    return true;
  }

  private objects(l: { [k: string]: Json }, r: { [k: string]: Json }, lp: string, rp: string): void {
    const lt = flatTagFor(l, r);
    if (lt !== undefined) return this.externalVsFlat(l, r, lp, rp, lt, this.left, this.right, false);
    const rt = flatTagFor(r, l);
    if (rt !== undefined) return this.externalVsFlat(r, l, rp, lp, rt, this.right, this.left, true);
    this.members(l, r, lp, rp, new Set(), new Set());
  }

  private externalVsFlat(ext: { [k: string]: Json }, flat: { [k: string]: Json }, ep: string, fp: string, tag: string, em: Marks, fm: Marks, swapped: boolean): void {
    const variant = Object.keys(ext)[0]!;
    em.keys.set(child(ep, variant), 'tag');
    fm.keys.set(child(fp, tag), 'tag');
    fm.values.set(child(fp, tag), 'tag');
    const payload = ext[variant]!;
    const payloadPath = child(ep, variant);
    if (!isObj(payload)) {
      em.values.set(payloadPath, 'chg');
      for (const k of Object.keys(flat)) if (k !== tag) fm.values.set(child(fp, k), 'only');
      return;
    }
    if (swapped) this.members(flat, payload, fp, payloadPath, new Set([tag]), new Set());
    else this.members(payload, flat, payloadPath, fp, new Set(), new Set([tag]));
  }

  private members(l: { [k: string]: Json }, r: { [k: string]: Json }, lp: string, rp: string, skipL: Set<string>, skipR: Set<string>): void {
    const unmatched = new Set(Object.keys(r).filter((k) => !skipR.has(k) && !hasOwn(l, k)));
    for (const k of Object.keys(l)) {
      if (skipL.has(k)) continue;
      if (hasOwn(r, k) && !skipR.has(k)) {
        this.compare(l[k]!, r[k]!, child(lp, k), child(rp, k));
        continue;
      }
      const twins = [...unmatched].filter((o) => fold(o) === fold(k));
      if (twins.length === 1) {
        const o = twins[0]!;
        unmatched.delete(o);
        this.left.keys.set(child(lp, k), 'case');
        this.right.keys.set(child(rp, o), 'case');
        this.compare(l[k]!, r[o]!, child(lp, k), child(rp, o));
      } else {
        this.left.values.set(child(lp, k), 'only');
        this.left.keys.set(child(lp, k), 'only');
      }
    }
    for (const o of unmatched) {
      this.right.values.set(child(rp, o), 'only');
      this.right.keys.set(child(rp, o), 'only');
    }
  }
}

class Printer {
  readonly segs: Seg[] = [];
  constructor(private readonly marks: Marks) {}

  emit(t: string, m: Mark | undefined): void {
    const last = this.segs[this.segs.length - 1];
    if (last && last.m === m) last.t += t;
    else this.segs.push(m ? { t, m } : { t });
  }

  value(v: Json, path: string, depth: number, inherited: Mark | undefined): void {
    const m = inherited ?? this.marks.values.get(path);
    const pad = INDENT.repeat(depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return this.emit('[]', m);
      this.emit('[\n', m);
      v.forEach((item, i) => {
        this.emit(pad + INDENT, m);
        this.value(item, child(path, i), depth + 1, m);
        this.emit(i < v.length - 1 ? ',\n' : '\n', m);
      });
      return this.emit(`${pad}]`, m);
    }
    if (isObj(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) return this.emit('{}', m);
      this.emit('{\n', m);
      keys.forEach((k, i) => {
        const p = child(path, k);
        const member = m ?? (this.marks.values.get(p) === 'only' ? 'only' : undefined);
        this.emit(pad + INDENT, m);
        this.emit(JSON.stringify(k), member ?? this.marks.keys.get(p));
        this.emit(': ', member);
        this.value(v[k]!, p, depth + 1, member);
        this.emit(i < keys.length - 1 ? ',\n' : '\n', m);
      });
      return this.emit(`${pad}}`, m);
    }
    const text = scalarText(v);
    const span = inherited === undefined && m === 'chg' ? this.marks.spans.get(path) : undefined;
    if (!span) return this.emit(text, m);
    this.emit(text.slice(0, span[0]), undefined);
    this.emit(text.slice(span[0], span[1]), 'chg');
    this.emit(text.slice(span[1]), undefined);
  }
}

// JSON-ish tokens: strings (a cut one may lack its closing quote), numbers, words, spaces, punctuation.
const TOKEN = /"(?:[^"\\]|\\.)*"?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][\w-]*|\s+|[^]/gu;
const MAX_LCS_CELLS = 250_000;

/**
 * Text that does not parse — a snippet cut at the cap with '…', or a text body: a token-level
 * longest common subsequence, so only the tokens that differ are marked, not everything after
 * the first difference. Beyond a size bound, common prefix and suffix only.
 */
function textDiff(left: string, right: string): SideBySide {
  const a = left.match(TOKEN) ?? [];
  const b = right.match(TOKEN) ?? [];
  const keepA = new Array<boolean>(a.length).fill(false);
  const keepB = new Array<boolean>(b.length).fill(false);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) {
    keepA[pre] = keepB[pre] = true;
    pre++;
  }
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) {
    keepA[a.length - 1 - suf] = keepB[b.length - 1 - suf] = true;
    suf++;
  }
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  if (n > 0 && m > 0 && n * m <= MAX_LCS_CELLS) {
    const w = m + 1;
    const dp = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) dp[i * w + j] = a[pre + i] === b[pre + j] ? dp[(i + 1) * w + j + 1]! + 1 : Math.max(dp[(i + 1) * w + j]!, dp[i * w + j + 1]!);
    for (let i = 0, j = 0; i < n && j < m; ) {
      if (a[pre + i] === b[pre + j]) {
        keepA[pre + i++] = true;
        keepB[pre + j++] = true;
      } else if (dp[(i + 1) * w + j]! >= dp[i * w + j + 1]!) i++;
      else j++;
    }
  }
  const side = (tokens: string[], keep: boolean[]): Seg[] => {
    const out: Seg[] = [];
    tokens.forEach((t, i) => {
      // Whitespace between two changed tokens belongs to the change; elsewhere it is just space.
      const m: Mark | undefined = keep[i] && !(/^\s+$/.test(t) && keep[i - 1] === false && keep[i + 1] === false) ? undefined : 'chg';
      const last = out[out.length - 1];
      if (last && last.m === m) last.t += t;
      else out.push(m ? { t, m } : { t });
    });
    return out;
  };
  return { left: side(a, keepA), right: side(b, keepB) };
}

/** Highlight two snippets (either may be absent: a field only one side has). */
export function highlightPair(left: string | undefined, right: string | undefined): SideBySide {
  if (left === undefined || right === undefined) {
    const one = (s: string | undefined): Seg[] | null => (s === undefined ? null : [{ t: s, m: 'only' }]);
    return { left: one(left), right: one(right) };
  }
  const l = tryParse(left);
  const r = tryParse(right);
  if (!l.ok || !r.ok) return textDiff(left, right);
  const a = new Annotator();
  a.compare(l.value, r.value, '', '');
  const lp = new Printer(a.left);
  lp.value(l.value, '', 0, undefined);
  const rp = new Printer(a.right);
  rp.value(r.value, '', 0, undefined);
  return { left: lp.segs, right: rp.segs };
}
