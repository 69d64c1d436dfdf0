/**
 * OTLP/JSON bodies → StoredSpan. OTLP/JSON is proto3 JSON with two OTLP rules: trace/span ids are
 * hex (not base64) and enums may be integers. int64s arrive as strings or numbers; a number past
 * 2^53 has already been rounded by JSON.parse, so such a body is re-parsed with those literals
 * quoted (rare: the OTel SDKs and the Collector send int64 as strings).
 */
import {
  SPAN_ID_BYTES,
  TRACE_ID_BYTES,
  MAX_ANY_VALUE_DEPTH,
  invalidOtlp,
  isAllZeroHex,
  jsonSafeDouble,
  kindFromNumber,
  runIdOf,
  serviceNameOf,
  setAttr,
  statusFromNumber,
  tooDeep,
} from './otlp-common.ts';
import { SPAN_KINDS, STATUS_CODES, type AttrValue, type Attributes, type StoredSpan } from './types.ts';

type Obj = Record<string, unknown>;

/** Thrown while walking when an int64 number was rounded by JSON.parse. */
class RoundedInt64 extends Error {}

export function decodeJsonTraces(body: Uint8Array): StoredSpan[] {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return walkRequest(parse(text));
  } catch (err) {
    if (!(err instanceof RoundedInt64)) throw err;
  }
  try {
    return walkRequest(parse(quoteLongIntegers(text)));
  } catch (err) {
    // Still rounded after quoting long digit runs: the number was written in exponent form.
    if (err instanceof RoundedInt64) throw invalidOtlp('an int64 field holds a number too large to be exact (write int64 values as decimal strings)');
    throw err;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidOtlp(`malformed JSON (${(err as Error).message})`);
  }
}

function walkRequest(doc: unknown): StoredSpan[] {
  const out: StoredSpan[] = [];
  const root = obj(doc, '$');
  array(root.resourceSpans, 'resourceSpans').forEach((rsv, r) => {
    const rsPath = `resourceSpans[${r}]`;
    const rs = obj(rsv, rsPath);
    const resource = attrs(rs.resource === undefined ? undefined : obj(rs.resource, `${rsPath}.resource`).attributes, `${rsPath}.resource.attributes`);
    const serviceName = serviceNameOf(resource);
    array(rs.scopeSpans, `${rsPath}.scopeSpans`).forEach((ssv, s) => {
      const ssPath = `${rsPath}.scopeSpans[${s}]`;
      const ss = obj(ssv, ssPath);
      const scope = ss.scope === undefined || ss.scope === null ? {} : obj(ss.scope, `${ssPath}.scope`);
      const scopeName = string(scope.name, `${ssPath}.scope.name`) || null;
      array(ss.spans, `${ssPath}.spans`).forEach((sv, i) => {
        out.push(toSpan(obj(sv, `${ssPath}.spans[${i}]`), `${ssPath}.spans[${i}]`, resource, serviceName, scopeName));
      });
    });
  });
  return out;
}

function toSpan(s: Obj, path: string, resource: Attributes, serviceName: string | null, scopeName: string | null): StoredSpan {
  const attributes = attrs(s.attributes, `${path}.attributes`);
  const status = s.status === undefined || s.status === null ? {} : obj(s.status, `${path}.status`);
  const parent = string(s.parentSpanId, `${path}.parentSpanId`);
  return {
    traceId: validId(s.traceId, TRACE_ID_BYTES, `${path}.traceId`),
    spanId: validId(s.spanId, SPAN_ID_BYTES, `${path}.spanId`),
    // An all-zero parent is the invalid span context: a root, as an empty one is.
    parentSpanId: parent === '' || isAllZeroHex(parent) ? null : hexId(parent, SPAN_ID_BYTES, `${path}.parentSpanId`),
    name: string(s.name, `${path}.name`),
    kind: kindFromNumber(enumValue(s.kind, SPAN_KINDS, 'SPAN_KIND_', `${path}.kind`)),
    startNs: uint64(s.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endNs: uint64(s.endTimeUnixNano, `${path}.endTimeUnixNano`),
    statusCode: statusFromNumber(enumValue(status.code, STATUS_CODES, 'STATUS_CODE_', `${path}.status.code`)),
    statusMessage: string(status.message, `${path}.status.message`) || null,
    serviceName,
    scopeName,
    resource,
    attributes,
    events: array(s.events, `${path}.events`).map((ev, i) => {
      const e = obj(ev, `${path}.events[${i}]`);
      return {
        name: string(e.name, `${path}.events[${i}].name`),
        timeNs: uint64(e.timeUnixNano, `${path}.events[${i}].timeUnixNano`),
        attributes: attrs(e.attributes, `${path}.events[${i}].attributes`),
      };
    }),
    links: array(s.links, `${path}.links`).map((lv, i) => {
      const l = obj(lv, `${path}.links[${i}]`);
      return {
        traceId: hexId(l.traceId, TRACE_ID_BYTES, `${path}.links[${i}].traceId`),
        spanId: hexId(l.spanId, SPAN_ID_BYTES, `${path}.links[${i}].spanId`),
        attributes: attrs(l.attributes, `${path}.links[${i}].attributes`),
      };
    }),
    runId: runIdOf(attributes, resource),
    ...droppedCount(s.droppedAttributesCount, `${path}.droppedAttributesCount`),
  };
}

/** The sender's own droppedAttributesCount (uint32), kept only when non-zero. */
function droppedCount(v: unknown, path: string): { droppedAttributesCount?: number } {
  if (v === undefined || v === null || v === 0) return {};
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalidOtlp('expected a uint32', path);
  return { droppedAttributesCount: v };
}

function attrs(v: unknown, path: string, depth = 0): Attributes {
  const out: Attributes = {};
  array(v, path).forEach((kvv, i) => {
    const kv = obj(kvv, `${path}[${i}]`);
    setAttr(out, string(kv.key, `${path}[${i}].key`), anyValue(kv.value, `${path}[${i}].value`, depth + 1));
  });
  return out;
}

function anyValue(v: unknown, path: string, depth: number): AttrValue {
  if (v === undefined || v === null) return null;
  if (depth > MAX_ANY_VALUE_DEPTH) throw tooDeep(path.length > 200 ? `${path.slice(0, 200)}…` : path);
  const a = obj(v, path);
  if (a.stringValue !== undefined) return string(a.stringValue, `${path}.stringValue`);
  if (a.boolValue !== undefined) {
    if (typeof a.boolValue !== 'boolean') throw invalidOtlp('expected a boolean', `${path}.boolValue`);
    return a.boolValue;
  }
  if (a.intValue !== undefined) return int64(a.intValue, `${path}.intValue`);
  if (a.doubleValue !== undefined) return double(a.doubleValue, `${path}.doubleValue`);
  if (a.arrayValue !== undefined) {
    const values = obj(a.arrayValue, `${path}.arrayValue`).values;
    return array(values, `${path}.arrayValue.values`).map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if (a.kvlistValue !== undefined) return attrs(obj(a.kvlistValue, `${path}.kvlistValue`).values, `${path}.kvlistValue.values`, depth);
  if (a.bytesValue !== undefined) {
    const b = string(a.bytesValue, `${path}.bytesValue`);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b)) throw invalidOtlp('expected base64', `${path}.bytesValue`);
    return b;
  }
  return null;
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidOtlp('expected an object', path);
  return v as Obj;
}

/** Absent and null repeated fields are empty (proto3 JSON). */
function array(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidOtlp('expected an array', path);
  return v;
}

function string(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalidOtlp('expected a string', path);
  return v;
}

/** A span's own trace/span id: the right length, hex, and not all zero (the OTLP "invalid" id). */
function validId(v: unknown, size: number, path: string): string {
  const id = hexId(v, size, path);
  if (isAllZeroHex(id)) throw invalidOtlp('an all-zero id is invalid (OTLP requires at least one non-zero byte)', path);
  return id;
}

const HEX = /^[0-9a-fA-F]*$/;
function hexId(v: unknown, size: number, path: string): string {
  const s = string(v, path);
  if (s.length !== size * 2 || !HEX.test(s)) throw invalidOtlp(`expected ${size * 2} hex characters, got ${JSON.stringify(s)}`, path);
  return s.toLowerCase();
}

function enumValue(v: unknown, names: readonly string[], prefix: string, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v.startsWith(prefix) ? v.slice(prefix.length) : '');
    if (i >= 0) return i;
  }
  throw invalidOtlp(`expected an enum number or ${prefix}* name, got ${JSON.stringify(v)}`, path);
}

const INTEGER = /^-?\d+$/;
const MAX_UINT64 = (1n << 64n) - 1n;
function uint64(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw invalidOtlp('expected an unsigned integer', path);
    if (!Number.isSafeInteger(v)) throw new RoundedInt64();
    return BigInt(v);
  }
  if (typeof v === 'string' && INTEGER.test(v) && !v.startsWith('-')) {
    const n = BigInt(v);
    if (n <= MAX_UINT64) return n;
  }
  throw invalidOtlp('expected an unsigned integer or its decimal string', path);
}

function int64(v: unknown, path: string): number | string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw invalidOtlp('expected an integer', path);
    if (!Number.isSafeInteger(v)) throw new RoundedInt64();
    return v;
  }
  if (typeof v === 'string' && INTEGER.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : BigInt(v).toString();
  }
  throw invalidOtlp('expected an integer or its decimal string', path);
}

function double(v: unknown, path: string): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const d = v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v);
    if (!Number.isNaN(d) || v === 'NaN') return jsonSafeDouble(d);
  }
  throw invalidOtlp('expected a number', path);
}

/**
 * Quotes integer literals too long to be exact doubles (16+ digits) outside strings, so the
 * re-parse keeps them as decimal strings. A linear scan aware of string escapes: a regex would
 * also rewrite digits inside string values.
 */
function quoteLongIntegers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const literal = text.slice(i, j);
      if (/^-?\d{16,}$/.test(literal)) {
        out += `${text.slice(last, i)}"${literal}"`;
        last = j;
      }
      i = j;
    } else {
      i++;
    }
  }
  return out + text.slice(last);
}
