import { LosslessNumber } from 'lossless-json';
import type { JsonObject, JsonValue } from './types.ts';

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON string literal; skips JSON.stringify for the common case of nothing to escape (~2× faster). */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

export const hasOwn = Object.hasOwn as (obj: object, key: string) => boolean;

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber);
}

/** Lexical equality: `1` and `1.0` differ, key order does not matter. */
export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof LosslessNumber) return b instanceof LosslessNumber && a.value === b.value;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i] as JsonValue, b[i] as JsonValue)) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof LosslessNumber) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!hasOwn(b, key) || !deepEqual(a[key] as JsonValue, b[key] as JsonValue)) return false;
  }
  return true;
}

/** The values Go's `omitempty` drops: a side that omits one of these is probably using it. */
export function isZeroValue(value: JsonValue): boolean {
  if (value === null || value === false || value === '') return true;
  if (value instanceof LosslessNumber) return /^-?0(?:\.0+)?(?:[eE][+-]?\d+)?$/.test(value.value);
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Compact JSON with sorted keys and number lexemes kept: equal bodies hash equal regardless of key order. */
export function canonicalJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof LosslessNumber) return value.value;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i] as JsonValue);
    return out + ']';
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += (i ? ',' : '') + quote(key) + ':' + canonicalJson(value[key] as JsonValue);
  }
  return out + '}';
}

export const SNIPPET_CAP = 200;

/**
 * Compact JSON in the order the service sent it (bar JavaScript listing integer-like keys first), cut
 * at `cap` characters with '…'. Serialisation stops once the cap is passed, so a snippet of a 10 MB
 * array costs no more than a small one.
 */
export function snippet(value: JsonValue, cap = SNIPPET_CAP): string {
  const w = { out: '', cap };
  writeCapped(w, value);
  return w.out.length <= cap ? w.out : cutAt(w.out, cap - 1) + '…';
}

/** Cut without leaving half of a surrogate pair behind. */
export function cutAt(text: string, end: number): string {
  const c = text.charCodeAt(end - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? end - 1 : end);
}

function writeCapped(w: { out: string; cap: number }, value: JsonValue): boolean {
  if (value === null) w.out += 'null';
  else if (typeof value === 'string') w.out += quote(value.length > w.cap ? value.slice(0, w.cap + 1) : value);
  else if (typeof value === 'boolean') w.out += value ? 'true' : 'false';
  else if (value instanceof LosslessNumber) w.out += value.value;
  else if (Array.isArray(value)) {
    w.out += '[';
    for (let i = 0; i < value.length; i++) {
      if (i) w.out += ',';
      if (!writeCapped(w, value[i] as JsonValue)) return false;
    }
    w.out += ']';
  } else {
    w.out += '{';
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      w.out += (i ? ',' : '') + quote(key) + ':';
      if (!writeCapped(w, value[key] as JsonValue)) return false;
    }
    w.out += '}';
  }
  return w.out.length <= w.cap;
}
