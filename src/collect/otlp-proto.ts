/**
 * OTLP/HTTP protobuf bodies → StoredSpan.
 *
 * The upstream .proto files in ./proto are the single source of field numbers: they are loaded
 * once with protobufjs and every tag this walker matches is derived from them (field number +
 * the wire type the field's declared type implies). The walk itself reads the wire format
 * directly (see wire-reader.ts for why). A field arriving with another wire type doesn't match
 * and is skipped, like any unknown field.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { GauntletError } from '../util/errors.ts';
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
import type { AttrValue, Attributes, StoredSpan, StoredSpanEvent, StoredSpanLink } from './types.ts';
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, WireReader } from './wire-reader.ts';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
const PROTO_FILES = ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'google/rpc/status.proto'];
const OTLP = 'opentelemetry.proto';

function loadSchema() {
  const root = new protobuf.Root();
  // Upstream imports are rooted at the proto tree ("opentelemetry/proto/common/v1/…").
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync(PROTO_FILES);
  root.resolveAll();
  const tags = <K extends string>(typeName: string, fields: readonly K[]): Record<K, number> => {
    const type = root.lookupType(typeName);
    const out = {} as Record<K, number>;
    for (const name of fields) {
      const field = type.fields[name];
      if (!field) throw new Error(`${typeName} has no field ${name}: src/collect/proto is out of step with this decoder`);
      out[name] = (field.id << 3) | wireTypeOf(field);
    }
    return out;
  };
  return {
    request: tags(`${OTLP}.collector.trace.v1.ExportTraceServiceRequest`, ['resourceSpans']),
    resourceSpans: tags(`${OTLP}.trace.v1.ResourceSpans`, ['resource', 'scopeSpans']),
    resource: tags(`${OTLP}.resource.v1.Resource`, ['attributes']),
    scopeSpans: tags(`${OTLP}.trace.v1.ScopeSpans`, ['scope', 'spans']),
    scope: tags(`${OTLP}.common.v1.InstrumentationScope`, ['name']),
    span: tags(`${OTLP}.trace.v1.Span`, [
      'traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano',
      'attributes', 'droppedAttributesCount', 'events', 'links', 'status',
    ]),
    event: tags(`${OTLP}.trace.v1.Span.Event`, ['timeUnixNano', 'name', 'attributes']),
    link: tags(`${OTLP}.trace.v1.Span.Link`, ['traceId', 'spanId', 'attributes']),
    status: tags(`${OTLP}.trace.v1.Status`, ['message', 'code']),
    keyValue: tags(`${OTLP}.common.v1.KeyValue`, ['key', 'value']),
    anyValue: tags(`${OTLP}.common.v1.AnyValue`, [
      'stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue',
    ]),
    arrayValue: tags(`${OTLP}.common.v1.ArrayValue`, ['values']),
    kvlistValue: tags(`${OTLP}.common.v1.KeyValueList`, ['values']),
    rpcStatus: root.lookupType('google.rpc.Status'),
  };
}

function wireTypeOf(field: protobuf.Field): number {
  if (field.repeated || field.resolvedType instanceof protobuf.Type) return WIRE_LEN;
  switch (field.type) {
    case 'string':
    case 'bytes':
      return WIRE_LEN;
    case 'fixed64':
    case 'sfixed64':
    case 'double':
      return WIRE_I64;
    case 'fixed32':
    case 'sfixed32':
    case 'float':
      return WIRE_I32;
    default:
      return WIRE_VARINT; // ints, bool, enums
  }
}

let schema: ReturnType<typeof loadSchema> | undefined;
const T = (): ReturnType<typeof loadSchema> => (schema ??= loadSchema());

/** Where the walk is, so an error names the span (paths are built only when throwing). */
interface Cursor {
  rs: number;
  ss: number;
  span: number;
}

export function decodeProtobufTraces(body: Uint8Array): StoredSpan[] {
  const t = T();
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const r = new WireReader(buf);
  const at: Cursor = { rs: -1, ss: -1, span: -1 };
  const out: StoredSpan[] = [];
  try {
    while (r.pos < buf.length) {
      const tag = r.uint32(buf.length);
      if (tag === t.request.resourceSpans) {
        at.rs++;
        readResourceSpans(r, r.end(buf.length), out, at);
      } else r.skipField(tag, buf.length);
    }
  } catch (err) {
    if (err instanceof GauntletError) throw err;
    throw invalidOtlp(`malformed protobuf ExportTraceServiceRequest (${(err as Error).message})`, pathOf(at));
  }
  return out;
}

function readResourceSpans(r: WireReader, end: number, out: StoredSpan[], at: Cursor): void {
  const t = T();
  const first = out.length;
  let resource: Attributes = {};
  at.ss = -1;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === t.resourceSpans.resource) resource = readAttributesOf(r, r.end(end), t.resource.attributes);
    else if (tag === t.resourceSpans.scopeSpans) {
      at.ss++;
      readScopeSpans(r, r.end(end), out, at);
    } else r.skipField(tag, end);
  }
  // Fields may come in any order, so the resource is attached once the message is complete.
  // Its spans share one object: the store serialises it once per batch.
  const serviceName = serviceNameOf(resource);
  for (let i = first; i < out.length; i++) {
    const span = out[i]!;
    span.resource = resource;
    span.serviceName = serviceName;
    span.runId = runIdOf(span.attributes, resource);
  }
}

function readScopeSpans(r: WireReader, end: number, out: StoredSpan[], at: Cursor): void {
  const t = T();
  const first = out.length;
  let scopeName: string | null = null;
  at.span = -1;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === t.scopeSpans.spans) {
      at.span++;
      out.push(readSpan(r, r.end(end), at));
    } else if (tag === t.scopeSpans.scope) {
      const scopeEnd = r.end(end);
      while (r.pos < scopeEnd) {
        const st = r.uint32(scopeEnd);
        if (st === t.scope.name) scopeName = r.string(scopeEnd) || null;
        else r.skipField(st, scopeEnd);
      }
    } else r.skipField(tag, end);
  }
  for (let i = first; i < out.length; i++) out[i]!.scopeName = scopeName;
}

function readSpan(r: WireReader, end: number, at: Cursor): StoredSpan {
  const t = T().span;
  const span: StoredSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: null,
    name: '',
    kind: 'UNSPECIFIED',
    startNs: 0n,
    endNs: 0n,
    statusCode: 'UNSET',
    statusMessage: null,
    serviceName: null, // resource, serviceName, scopeName, runId: filled by the enclosing messages
    scopeName: null,
    resource: {},
    attributes: {},
    events: [],
    links: [],
    runId: null,
  };
  let traceId: [number, number] = [0, 0];
  let spanId: [number, number] = [0, 0];
  let parent: [number, number] = [0, 0];
  while (r.pos < end) {
    const tag = r.uint32(end);
    switch (tag) {
      case t.traceId: traceId = r.bytes(end); break;
      case t.spanId: spanId = r.bytes(end); break;
      case t.parentSpanId: parent = r.bytes(end); break;
      case t.name: span.name = r.string(end); break;
      case t.kind: span.kind = kindFromNumber(r.uint32(end)); break;
      case t.startTimeUnixNano: span.startNs = r.fixed64(end); break;
      case t.endTimeUnixNano: span.endNs = r.fixed64(end); break;
      case t.attributes: readKeyValue(r, r.end(end), span.attributes); break;
      case t.events: span.events.push(readEvent(r, r.end(end))); break;
      case t.links: span.links.push(readLink(r, r.end(end), at)); break;
      case t.status: readStatus(r, r.end(end), span); break;
      case t.droppedAttributesCount: {
        const dropped = r.uint32(end);
        if (dropped) span.droppedAttributesCount = dropped;
        else delete span.droppedAttributesCount;
        break;
      }
      default: r.skipField(tag, end);
    }
  }
  span.traceId = validId(r, traceId, TRACE_ID_BYTES, at, 'traceId');
  span.spanId = validId(r, spanId, SPAN_ID_BYTES, at, 'spanId');
  // An all-zero parent is the invalid span context: a root, as an empty one is.
  const parentHex = parent[1] === parent[0] ? '' : hexId(r, parent, SPAN_ID_BYTES, at, 'parentSpanId');
  span.parentSpanId = parentHex === '' || isAllZeroHex(parentHex) ? null : parentHex;
  return span;
}

function readEvent(r: WireReader, end: number): StoredSpanEvent {
  const t = T().event;
  const event: StoredSpanEvent = { name: '', timeNs: 0n, attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === t.timeUnixNano) event.timeNs = r.fixed64(end);
    else if (tag === t.name) event.name = r.string(end);
    else if (tag === t.attributes) readKeyValue(r, r.end(end), event.attributes);
    else r.skipField(tag, end);
  }
  return event;
}

function readLink(r: WireReader, end: number, at: Cursor): StoredSpanLink {
  const t = T().link;
  let traceId: [number, number] = [0, 0];
  let spanId: [number, number] = [0, 0];
  const attributes: Attributes = {};
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === t.traceId) traceId = r.bytes(end);
    else if (tag === t.spanId) spanId = r.bytes(end);
    else if (tag === t.attributes) readKeyValue(r, r.end(end), attributes);
    else r.skipField(tag, end);
  }
  return {
    traceId: hexId(r, traceId, TRACE_ID_BYTES, at, 'links[].traceId'),
    spanId: hexId(r, spanId, SPAN_ID_BYTES, at, 'links[].spanId'),
    attributes,
  };
}

function readStatus(r: WireReader, end: number, span: StoredSpan): void {
  const t = T().status;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === t.code) span.statusCode = statusFromNumber(r.uint32(end));
    else if (tag === t.message) span.statusMessage = r.string(end) || null;
    else r.skipField(tag, end);
  }
}

/** Reads every `attributesTag` KeyValue of a message (Resource) into one object. */
function readAttributesOf(r: WireReader, end: number, attributesTag: number, depth = 0): Attributes {
  const out: Attributes = {};
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === attributesTag) readKeyValue(r, r.end(end), out, depth);
    else r.skipField(tag, end);
  }
  return out;
}

function readKeyValue(r: WireReader, end: number, into: Attributes, depth = 0): void {
  const t = T().keyValue;
  let key = '';
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === t.key) key = r.repeatedString(end);
    else if (tag === t.value) value = readAnyValue(r, r.end(end), depth + 1);
    else r.skipField(tag, end);
  }
  setAttr(into, key, value);
}

/** The last oneof member on the wire wins, as in protobuf; an empty AnyValue is null. */
function readAnyValue(r: WireReader, end: number, depth: number): AttrValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw tooDeep();
  const t = T();
  const a = t.anyValue;
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32(end);
    switch (tag) {
      case a.stringValue: value = r.string(end); break;
      case a.intValue: value = r.int64(end); break;
      case a.doubleValue: value = jsonSafeDouble(r.double(end)); break;
      case a.boolValue: value = r.bool(end); break;
      case a.arrayValue: value = readList(r, r.end(end), t.arrayValue.values, depth); break;
      case a.kvlistValue: value = readAttributesOf(r, r.end(end), t.kvlistValue.values, depth); break;
      case a.bytesValue: {
        const [start, stop] = r.bytes(end);
        value = r.buf.toString('base64', start, stop);
        break;
      }
      default: r.skipField(tag, end);
    }
  }
  return value;
}

function readList(r: WireReader, end: number, valuesTag: number, depth: number): AttrValue[] {
  const out: AttrValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === valuesTag) out.push(readAnyValue(r, r.end(end), depth + 1));
    else r.skipField(tag, end);
  }
  return out;
}

function hexId(r: WireReader, [start, end]: [number, number], size: number, at: Cursor, field: string): string {
  if (end - start !== size) throw invalidOtlp(`expected ${size} bytes, got ${end - start}`, `${pathOf(at)}.${field}`);
  return r.buf.toString('hex', start, end);
}

/** A span's own trace/span id: the right length and not all zero (the OTLP "invalid" id). */
function validId(r: WireReader, range: [number, number], size: number, at: Cursor, field: string): string {
  const id = hexId(r, range, size, at, field);
  if (isAllZeroHex(id)) throw invalidOtlp('an all-zero id is invalid (OTLP requires at least one non-zero byte)', `${pathOf(at)}.${field}`);
  return id;
}

function pathOf(at: Cursor): string {
  if (at.rs < 0) return '$';
  let p = `resourceSpans[${at.rs}]`;
  if (at.ss >= 0) p += `.scopeSpans[${at.ss}]`;
  if (at.ss >= 0 && at.span >= 0) p += `.spans[${at.span}]`;
  return p;
}

/** google.rpc.Status, the body the OTLP/HTTP spec asks for on a 4xx/5xx protobuf response. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const type = T().rpcStatus;
  return type.encode(type.create({ code, message })).finish();
}
