import type { Dialect } from './explain.ts';
import { isObject } from './json.ts';
import { foldName, serdeRenameAllFor } from './names.ts';
import { childPath } from './pointer.ts';
import { DIFF_CLASSES, type Difference, type JsonObject, type JsonValue } from './types.ts';

/**
 * Recognises one enum value written in two serde/Go encodings. The shapes involved:
 *   external  {"Schema":{"field":"x"}}            serde's default
 *   internal  {"kind":"schema","field":"x"}       #[serde(tag = "kind")], or a flat Go struct
 *   adjacent  {"t":"Schema","c":{"field":"x"}}    #[serde(tag = "t", content = "c")]
 *   unit      "Schema"                            a unit variant, or a Go string constant
 */
export type EnumStyle = 'external' | 'internal' | 'adjacent' | 'unit';

export interface EnumReading {
  style: EnumStyle;
  variant: string;
  /** The variant key (external) or the discriminator key (internal, adjacent). */
  tagKey?: string;
  contentKey?: string;
  /** undefined for a unit variant. */
  payload: JsonValue | undefined;
  /** Where the payload lives on this side, so sub-findings point at real locations. */
  payloadPath: string;
}

export interface EnumMatch {
  left: EnumReading;
  right: EnumReading;
  sub: Difference[];
  detail: string;
  cause: string;
  hint: string;
}

const TAG_KEYS = new Set(['kind', 'type', 'tag', 'variant', 't']);
const CONTENT_KEYS = new Set(['content', 'data', 'value', 'c', 'payload']);
const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Every way `value` could be read as an enum value; usually zero or one. */
export function readEnum(value: JsonValue, path: string): EnumReading[] {
  if (typeof value === 'string') return IDENT.test(value) ? [{ style: 'unit', variant: value, payload: undefined, payloadPath: path }] : [];
  if (!isObject(value)) return [];
  const keys = Object.keys(value);
  const out: EnumReading[] = [];
  const only = keys.length === 1 ? (keys[0] as string) : undefined;
  if (only !== undefined && IDENT.test(only)) {
    out.push({ style: 'external', variant: only, tagKey: only, payload: value[only], payloadPath: childPath(path, only) });
  }
  for (const key of keys) {
    const tag = value[key];
    if (!TAG_KEYS.has(key.toLowerCase()) || typeof tag !== 'string' || !IDENT.test(tag)) continue;
    const other = keys.length === 2 ? (keys[0] === key ? keys[1] : keys[0]) : undefined;
    if (other !== undefined && CONTENT_KEYS.has(other.toLowerCase())) {
      out.push({ style: 'adjacent', variant: tag, tagKey: key, contentKey: other, payload: value[other], payloadPath: childPath(path, other) });
    }
    out.push({ style: 'internal', variant: tag, tagKey: key, payload: without(value, key), payloadPath: path });
  }
  return out;
}

function without(obj: JsonObject, drop: string): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) {
    if (key === drop) continue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: obj[key], writable: true, enumerable: true, configurable: true });
    else out[key] = obj[key] as JsonValue;
  }
  return out;
}

export type PayloadDiff = (left: JsonValue, right: JsonValue, base: string) => Difference[];

/**
 * The best reading of `left` and `right` as one variant in two different encodings, or undefined.
 * Same-style pairs are left to the ordinary diff: they are key-case or value findings, not an
 * encoding mismatch. Among candidates the one that explains the most (fewest sub-findings) wins.
 */
export function matchEnum(left: JsonValue, right: JsonValue, path: string, diffPayload: PayloadDiff, dialect: Dialect = 'rust-go'): EnumMatch | undefined {
  const ls = readEnum(left, path);
  if (ls.length === 0) return undefined;
  const rs = readEnum(right, path);
  let best: { l: EnumReading; r: EnumReading; sub: Difference[] } | undefined;
  for (const l of ls) {
    for (const r of rs) {
      if (l.style === r.style || foldName(l.variant) !== foldName(r.variant)) continue;
      const sub = comparePayloads(l, r, diffPayload);
      if (!best || sub.length < best.sub.length || (sub.length === best.sub.length && readingKey(l, r) < readingKey(best.l, best.r))) {
        best = { l, r, sub };
      }
    }
  }
  if (!best) return undefined;
  const { l, r, sub } = best;
  const why = dialect === 'rust-go' ? explainEnum(l, r, sub, path) : explainEnumNeutral(l, r);
  return { left: l, right: r, sub, detail: describeMatch(l, r, sub), ...why };
}

/** Tie-break between equally good readings that does not depend on the order keys arrived in. */
function readingKey(l: EnumReading, r: EnumReading): string {
  return `${l.style}\u0000${l.tagKey ?? ''}\u0000${r.style}\u0000${r.tagKey ?? ''}`;
}

function comparePayloads(l: EnumReading, r: EnumReading, diffPayload: PayloadDiff): Difference[] {
  // A unit variant carries nothing: compare it as an empty struct, or as null against a scalar.
  const lp = l.payload ?? (isObject(r.payload) ? {} : null);
  const rp = r.payload ?? (isObject(l.payload) ? {} : null);
  const base = l.payload !== undefined ? l.payloadPath : r.payloadPath;
  return diffPayload(lp, rp, base);
}

function form(reading: EnumReading): string {
  switch (reading.style) {
    case 'external':
      return `{"${reading.variant}":…}`;
    case 'internal':
      return `{"${reading.tagKey}":"${reading.variant}",…}`;
    case 'adjacent':
      return `{"${reading.tagKey}":"${reading.variant}","${reading.contentKey}":…}`;
    case 'unit':
      return `"${reading.variant}"`;
  }
}

const STYLE_LABEL: Record<EnumStyle, string> = {
  external: 'externally tagged',
  internal: 'flat',
  adjacent: 'adjacently tagged',
  unit: 'unit variant',
};

function describeMatch(l: EnumReading, r: EnumReading, sub: Difference[]): string {
  const head = `${STYLE_LABEL[l.style]} ${form(l)} vs ${STYLE_LABEL[r.style]} ${form(r)}`;
  const base = l.payload !== undefined ? l.payloadPath : r.payloadPath;
  const parts = summarise(sub, base);
  return parts.length ? `${head}; ${parts.join('; ')}` : head;
}

/** 'key-case: field→Field, reason→Reason; number-repr: min 0.0→0' */
export function summarise(sub: Difference[], base: string): string[] {
  const byClass = new Map<string, string[]>();
  for (const d of sub) {
    const rel = d.path.startsWith(`${base}/`) ? d.path.slice(base.length + 1) || '""' : d.path === base ? '(payload)' : d.path;
    let text: string;
    if (d.class === 'key-case') text = d.detail ?? rel;
    else if (d.class === 'missing-field' || d.class === 'extra-field' || d.class === 'null-vs-missing') text = rel;
    else text = `${rel} ${short(d.left)}→${short(d.right)}`;
    const list = byClass.get(d.class) ?? [];
    list.push(text);
    byClass.set(d.class, list);
  }
  return DIFF_CLASSES.filter((c) => byClass.has(c)).map((c) => `${c}: ${(byClass.get(c) as string[]).join(', ')}`);
}

function short(text: string | undefined): string {
  if (text === undefined) return '(absent)';
  return text.length <= 40 ? text : `${text.slice(0, 39)}…`;
}

function sideCause(reading: EnumReading): string {
  switch (reading.style) {
    case 'external':
      return 'Rust serde externally tagged enum (the serde default)';
    case 'adjacent':
      return `Rust serde adjacently tagged enum (#[serde(tag = "${reading.tagKey}", content = "${reading.contentKey}")])`;
    case 'unit':
      return 'a bare variant string (serde unit variant or a Go string constant)';
    case 'internal':
      return /^[A-Z]/.test(reading.tagKey ?? '')
        ? `Go struct with exported fields and a ${reading.tagKey} discriminator (no json tags)`
        : `flat object with a "${reading.tagKey}" discriminator (serde #[serde(tag = "${reading.tagKey}")] or a tagged Go struct)`;
  }
}

function isSerdeOnly(reading: EnumReading): boolean {
  return reading.style === 'external' || reading.style === 'adjacent';
}

function explainEnum(l: EnumReading, r: EnumReading, sub: Difference[], path: string): { cause: string; hint: string } {
  // The serde-only encodings tell which side is Rust; otherwise follow the left = Rust convention.
  const rustIsRight = isSerdeOnly(r) && !isSerdeOnly(l);
  const rust = rustIsRight ? r : l;
  const go = rustIsRight ? l : r;
  const cause = `${sideCause(l)} vs ${sideCause(r)}`;
  const where = path === '' ? 'the Go response type' : `the Go type at ${path}`;
  const goFix =
    rust.style === 'internal'
      ? `emit the discriminator as "${rust.tagKey}":"${rust.variant}" (json tags on ${where})`
      : `add a custom MarshalJSON on ${where} that emits ${form(rust)}`;
  return { cause, hint: `Go: ${goFix}; or Rust: ${rustFix(go, sub, rustIsRight)}` };
}

function rustFix(target: EnumReading, sub: Difference[], rustIsRight: boolean): string {
  const rename = serdeRenameAllFor(target.variant);
  const renameAll = rename && rename !== 'PascalCase' ? `, rename_all = "${rename}"` : '';
  const keyCase = sub.find((d) => d.class === 'key-case' && d.path === target.payloadPath) ?? sub.find((d) => d.class === 'key-case');
  const goKey = keyCase?.detail?.match(/→([^,]+)/)?.[1];
  const leftKey = keyCase?.detail?.match(/^([^→]+)→/)?.[1];
  const fieldKey = rustIsRight ? leftKey : goKey;
  const fieldRename = fieldKey ? serdeRenameAllFor(fieldKey) : undefined;
  const fields = fieldRename ? `, plus #[serde(rename_all = "${fieldRename}")] on each struct variant` : '';
  switch (target.style) {
    case 'internal':
      return `#[serde(tag = "${target.tagKey}"${renameAll})] on the enum${fields}`;
    case 'adjacent':
      return `#[serde(tag = "${target.tagKey}", content = "${target.contentKey}"${renameAll})] on the enum${fields}`;
    case 'external':
      return `drop #[serde(tag …)] from the enum to get the default externally tagged form${fields}`;
    case 'unit':
      return `make it a unit variant${renameAll ? ` with #[serde(${renameAll.slice(2)})] on the enum` : ''} (serialises as a bare string)`;
  }
}

/** The same evidence without serde/Go vocabulary, for runtimes not declared Rust and Go. */
function explainEnumNeutral(l: EnumReading, r: EnumReading): { cause: string; hint: string } {
  return {
    cause: `one variant written in two encodings: ${STYLE_LABEL[l.style]} ${form(l)} on the left, ${STYLE_LABEL[r.style]} ${form(r)} on the right`,
    hint: "encode this variant the same way in both implementations (the tagged form each serialiser is configured to write)",
  };
}
