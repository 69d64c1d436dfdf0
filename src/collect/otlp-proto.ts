/**
 * OTLP/HTTP protobuf bodies → StoredSpan, using the upstream .proto files in ./proto (loaded once,
 * on first use). protobufjs generates the decoder from them; this file only walks the result.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import {
  SPAN_ID_BYTES,
  TRACE_ID_BYTES,
  invalidOtlp,
  jsonSafeDouble,
  kindFromNumber,
  runIdOf,
  serviceNameOf,
  setAttr,
  statusFromNumber,
} from './otlp-common.ts';
import type { AttrValue, Attributes, StoredSpan } from './types.ts';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
const PROTO_FILES = ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'google/rpc/status.proto'];

/** protobufjs decodes 64-bit fields to long.js values (its `long` dependency is always installed). */
interface PbLong {
  low: number;
  high: number;
  toString(): string;
}
type Pb64 = PbLong | number;
interface PbAnyValue {
  value?: string; // the oneof's virtual field: name of the member that is set
  stringValue: string;
  boolValue: boolean;
  intValue: Pb64;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
}
interface PbKeyValue {
  key: string;
  value: PbAnyValue | null;
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Pb64;
  endTimeUnixNano: Pb64;
  attributes: PbKeyValue[];
  events: Array<{ timeUnixNano: Pb64; name: string; attributes: PbKeyValue[] }>;
  links: Array<{ traceId: Uint8Array; spanId: Uint8Array; attributes: PbKeyValue[] }>;
  status: { code: number; message: string } | null;
}
interface PbRequest {
  resourceSpans: Array<{
    resource: { attributes: PbKeyValue[] } | null;
    scopeSpans: Array<{ scope: { name: string } | null; spans: PbSpan[] }>;
  }>;
}

interface Codecs {
  request: protobuf.Type;
  status: protobuf.Type;
}
let codecs: Codecs | undefined;

function loadCodecs(): Codecs {
  if (codecs) return codecs;
  const root = new protobuf.Root();
  // Upstream imports are rooted at the proto tree ("opentelemetry/proto/common/v1/…").
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync(PROTO_FILES);
  root.resolveAll();
  codecs = {
    request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    status: root.lookupType('google.rpc.Status'),
  };
  return codecs;
}

export function decodeProtobufTraces(body: Uint8Array): StoredSpan[] {
  let req: PbRequest;
  try {
    req = loadCodecs().request.decode(body) as unknown as PbRequest;
  } catch (err) {
    throw invalidOtlp(`malformed protobuf ExportTraceServiceRequest (${(err as Error).message})`);
  }
  const out: StoredSpan[] = [];
  req.resourceSpans.forEach((rs, r) => {
    // One object per ResourceSpans, shared by its spans: the store serialises it once per batch.
    const resource = attrs(rs.resource?.attributes);
    const serviceName = serviceNameOf(resource);
    rs.scopeSpans.forEach((ss, s) => {
      const scopeName = ss.scope?.name || null;
      ss.spans.forEach((span, i) => {
        out.push(toSpan(span, `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`, resource, serviceName, scopeName));
      });
    });
  });
  return out;
}

function toSpan(
  s: PbSpan,
  path: string,
  resource: Attributes,
  serviceName: string | null,
  scopeName: string | null,
): StoredSpan {
  const attributes = attrs(s.attributes);
  return {
    traceId: hexId(s.traceId, TRACE_ID_BYTES, `${path}.traceId`),
    spanId: hexId(s.spanId, SPAN_ID_BYTES, `${path}.spanId`),
    parentSpanId: s.parentSpanId.length === 0 ? null : hexId(s.parentSpanId, SPAN_ID_BYTES, `${path}.parentSpanId`),
    name: s.name,
    kind: kindFromNumber(s.kind),
    startNs: u64(s.startTimeUnixNano),
    endNs: u64(s.endTimeUnixNano),
    statusCode: statusFromNumber(s.status?.code ?? 0),
    statusMessage: s.status?.message || null,
    serviceName,
    scopeName,
    resource,
    attributes,
    events: s.events.map((e) => ({ name: e.name, timeNs: u64(e.timeUnixNano), attributes: attrs(e.attributes) })),
    links: s.links.map((l, i) => ({
      traceId: hexId(l.traceId, TRACE_ID_BYTES, `${path}.links[${i}].traceId`),
      spanId: hexId(l.spanId, SPAN_ID_BYTES, `${path}.links[${i}].spanId`),
      attributes: attrs(l.attributes),
    })),
    runId: runIdOf(attributes, resource),
  };
}

function attrs(kvs: PbKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  if (kvs) for (const kv of kvs) setAttr(out, kv.key, anyValue(kv.value));
  return out;
}

function anyValue(v: PbAnyValue | null): AttrValue {
  switch (v?.value) {
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'intValue':
      return i64(v.intValue);
    case 'doubleValue':
      return jsonSafeDouble(v.doubleValue);
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map(anyValue);
    case 'kvlistValue':
      return attrs(v.kvlistValue?.values);
    case 'bytesValue':
      return bufferOf(v.bytesValue).toString('base64');
    default:
      return null;
  }
}

function hexId(bytes: Uint8Array, size: number, path: string): string {
  if (bytes.length !== size) throw invalidOtlp(`expected ${size} bytes, got ${bytes.length}`, path);
  return bufferOf(bytes).toString('hex');
}

function bufferOf(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** fixed64 timestamps are unsigned; built from the two 32-bit halves to avoid a string round trip. */
function u64(v: Pb64): bigint {
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

/** Signed int64 attribute → number when exact, else the decimal string (never a rounded number). */
function i64(v: Pb64): number | string {
  if (typeof v === 'number') return v;
  const n = v.high * 4294967296 + (v.low >>> 0);
  return Number.isSafeInteger(n) ? n : v.toString();
}

/** google.rpc.Status, the body the OTLP/HTTP spec asks for on a 4xx/5xx protobuf response. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const { status } = loadCodecs();
  return status.encode(status.create({ code, message })).finish();
}
