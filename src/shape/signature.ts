import { createHash } from 'node:crypto';
import { LosslessNumber } from 'lossless-json';
import { canonicalJson } from './json.ts';
import { parseBody, type ParseResult } from './parse.ts';
import type { JsonValue } from './types.ts';

/**
 * Accumulated shape of every value seen at one position. Arrays merge their elements into one
 * shape, and objects seen there merge key by key (a key absent from some of them becomes
 * optional), so a 10,000-element list of records has the signature of one record, not a union of
 * every combination of present fields.
 */
interface Shape {
  scalars: number;
  elements?: Shape;
  fields?: Map<string, { shape: Shape; seen: number }>;
  objects: number;
}

const NULL = 1;
const BOOL = 2;
const NUM = 4;
const STR = 8;

function emptyShape(): Shape {
  return { scalars: 0, objects: 0 };
}

function absorb(shape: Shape, value: JsonValue): void {
  if (value === null) shape.scalars |= NULL;
  else if (typeof value === 'string') shape.scalars |= STR;
  else if (typeof value === 'boolean') shape.scalars |= BOOL;
  else if (value instanceof LosslessNumber) shape.scalars |= NUM;
  else if (Array.isArray(value)) {
    const elements = (shape.elements ??= emptyShape());
    for (const v of value) absorb(elements, v);
  } else {
    shape.objects++;
    const fields = (shape.fields ??= new Map());
    for (const key of Object.keys(value)) {
      let field = fields.get(key);
      if (!field) {
        field = { shape: emptyShape(), seen: 0 };
        fields.set(key, field);
      }
      field.seen++;
      absorb(field.shape, value[key] as JsonValue);
    }
  }
}

const BARE_KEY = /^[A-Za-z0-9_$@.-]+$/;

function render(shape: Shape): string {
  const alternatives: string[] = [];
  if (shape.scalars & NULL) alternatives.push('null');
  if (shape.scalars & BOOL) alternatives.push('bool');
  if (shape.scalars & NUM) alternatives.push('num');
  if (shape.scalars & STR) alternatives.push('str');
  if (shape.elements) alternatives.push(`[${render(shape.elements)}]`);
  if (shape.fields) {
    const keys = [...shape.fields.keys()].sort();
    const parts = keys.map((key) => {
      const field = shape.fields?.get(key) as { shape: Shape; seen: number };
      const name = BARE_KEY.test(key) ? key : JSON.stringify(key);
      return `${name}${field.seen < shape.objects ? '?' : ''}:${render(field.shape)}`;
    });
    alternatives.push(`{${parts.join(',')}}`);
  }
  return alternatives.join('|');
}

/** The probe asks for the signature and then the hash of the same parsed body: walk it once. */
const signatures = new WeakMap<object, string>();

/**
 * Canonical structural signature: `{"a":[1,2],"b":"x"}` → `{a:[num],b:str}`. Keys sorted, array
 * elements summarised as one merged shape (`[num|str]`, `[{id:num,note?:str}]`), keys quoted only
 * when they contain signature punctuation. Types only: `1` and `1.0` are both `num`.
 */
export function shapeSignature(value: JsonValue): string {
  const container = typeof value === 'object' && value !== null && !(value instanceof LosslessNumber);
  const cached = container ? signatures.get(value) : undefined;
  if (cached !== undefined) return cached;
  const shape = emptyShape();
  absorb(shape, value);
  const signature = render(shape);
  if (container) signatures.set(value, signature);
  return signature;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** First 16 hex digits of the SHA-256 of the signature: a compact, low-cardinality span attribute. */
export function shapeHash(value: JsonValue): string {
  return shortHash(shapeSignature(value));
}

/**
 * Hash of the normalised body: canonical JSON (sorted keys, no whitespace, number text kept) when
 * the text is JSON, the raw text otherwise. Equal hashes let the analyser skip a pair's diff.
 * `parsed`: the text's parse when the caller has it already (the probe parses every body once).
 */
export function bodyHash(text: string, parsed: ParseResult = parseBody(text)): string {
  return shortHash(parsed.ok ? canonicalJson(parsed.value) : text);
}
