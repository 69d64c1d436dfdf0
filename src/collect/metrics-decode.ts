/**
 * OTLP/HTTP metrics bodies (ExportMetricsServiceRequest) → one StoredMetricPoint per data point.
 *
 * Unlike spans, metrics arrive a few dozen points per export (a point is already an aggregate), so
 * the protobuf path decodes with protobufjs from the upstream .proto files in ./proto instead of a
 * hand-written wire walker: `toObject` with int64s as decimal strings yields exactly the OTLP/JSON
 * shape (lowerCamelCase fields, AnyValue objects), and one normaliser serves both encodings.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { GauntletError } from '../util/errors.ts';
import { jsonSafeDouble, runIdOf, serviceNameOf, setAttr } from './otlp-common.ts';
import { otlpEncodingOf } from './otlp-decode.ts';
import type { ExponentialBuckets, MetricKind, StoredMetricPoint, Temporality } from './metrics-types.ts';
import type { AttrValue, Attributes } from './types.ts';
import { WIRE_LEN, WireReader } from './wire-reader.ts';

type Obj = Record<string, unknown>;

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
let requestType: protobuf.Type | undefined;
/** ExportMetricsServiceRequest.resource_metrics = 1, length-delimited. */
const RESOURCE_METRICS_TAG = (1 << 3) | WIRE_LEN;

/** The protobufjs type of ExportMetricsServiceRequest (also what metrics-encode.ts encodes with). */
export function metricsRequestType(): protobuf.Type {
  if (!requestType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto');
    root.resolveAll();
    requestType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
  }
  return requestType;
}

function invalid(reason: string, path?: string): GauntletError {
  return new GauntletError('GAUNTLET_OTLP_INVALID', path ? `${path}: ${reason}` : reason, {
    ...(path ? { path } : {}),
    hint: 'send OTLP/HTTP ExportMetricsServiceRequest bodies as an OpenTelemetry metrics exporter does',
  });
}

/** Decodes an ExportMetricsServiceRequest; throws GAUNTLET_OTLP_INVALID naming the offending path. */
export function decodeMetrics(body: Uint8Array, contentType: string): StoredMetricPoint[] {
  const encoding = otlpEncodingOf(contentType);
  if (encoding === 'protobuf') {
    const resourceMetrics: unknown[] = [];
    try {
      // The request's own fields are walked as the span decoder walks them (unknown fields, field 0
      // included, are skipped), so both signals accept exactly the same framing; each
      // ResourceMetrics inside is decoded by protobufjs.
      const type = metricsRequestType().fields.resourceMetrics!.resolvedType as protobuf.Type;
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const r = new WireReader(buf);
      while (r.pos < buf.length) {
        const tag = r.uint32(buf.length);
        if (tag !== RESOURCE_METRICS_TAG) {
          r.skipField(tag, buf.length);
          continue;
        }
        const end = r.end(buf.length);
        resourceMetrics.push(type.toObject(type.decode(buf.subarray(r.pos, end)), { longs: String, enums: Number, bytes: String, defaults: false, arrays: true }));
        r.pos = end;
      }
    } catch (err) {
      throw invalid(`malformed protobuf ExportMetricsServiceRequest (${(err as Error).message})`);
    }
    return walkRequest({ resourceMetrics });
  }
  if (encoding === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch (err) {
      throw invalid(`malformed JSON (${(err as Error).message})`);
    }
    return walkRequest(doc);
  }
  throw invalid(`unsupported Content-Type ${JSON.stringify(contentType)}; use application/x-protobuf or application/json`);
}

const KIND_FIELDS: ReadonlyArray<[string, MetricKind]> = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];
const TEMPORALITIES: readonly Temporality[] = ['unspecified', 'delta', 'cumulative'];

function walkRequest(doc: unknown): StoredMetricPoint[] {
  const out: StoredMetricPoint[] = [];
  array(obj(doc, '$').resourceMetrics, 'resourceMetrics').forEach((rmv, r) => {
    const rmPath = `resourceMetrics[${r}]`;
    const rm = obj(rmv, rmPath);
    const resource = attrs(rm.resource == null ? undefined : obj(rm.resource, `${rmPath}.resource`).attributes, `${rmPath}.resource.attributes`);
    const serviceName = serviceNameOf(resource);
    array(rm.scopeMetrics, `${rmPath}.scopeMetrics`).forEach((smv, s) => {
      const smPath = `${rmPath}.scopeMetrics[${s}]`;
      const sm = obj(smv, smPath);
      const scope = sm.scope == null ? {} : obj(sm.scope, `${smPath}.scope`);
      const scopeName = string(scope.name, `${smPath}.scope.name`) || null;
      array(sm.metrics, `${smPath}.metrics`).forEach((mv, m) => {
        const path = `${smPath}.metrics[${m}]`;
        const metric = obj(mv, path);
        const found = KIND_FIELDS.find(([field]) => metric[field] != null);
        if (!found) return; // a Metric with no data (or a newer kind): nothing to store
        const [field, kind] = found;
        const data = obj(metric[field], `${path}.${field}`);
        const base = {
          name: string(metric.name, `${path}.name`),
          description: string(metric.description, `${path}.description`) || null,
          unit: string(metric.unit, `${path}.unit`) || null,
          kind,
          temporality: kind === 'gauge' || kind === 'summary' ? null : temporality(data.aggregationTemporality, `${path}.${field}.aggregationTemporality`),
          monotonic: kind === 'sum' ? data.isMonotonic === true : null,
          resource,
          serviceName,
          scopeName,
        };
        array(data.dataPoints, `${path}.${field}.dataPoints`).forEach((pv, p) => {
          out.push(toPoint(base, obj(pv, `${path}.${field}.dataPoints[${p}]`), `${path}.${field}.dataPoints[${p}]`));
        });
      });
    });
  });
  return out;
}

type PointBase = Pick<StoredMetricPoint, 'name' | 'description' | 'unit' | 'kind' | 'temporality' | 'monotonic' | 'resource' | 'serviceName' | 'scopeName'>;

function toPoint(base: PointBase, p: Obj, path: string): StoredMetricPoint {
  const attributes = attrs(p.attributes, `${path}.attributes`);
  const point: StoredMetricPoint = {
    ...base,
    startNs: uint64(p.startTimeUnixNano, `${path}.startTimeUnixNano`),
    timeNs: uint64(p.timeUnixNano, `${path}.timeUnixNano`),
    value: null,
    count: null,
    sum: null,
    min: null,
    max: null,
    bounds: null,
    bucketCounts: null,
    scale: null,
    zeroCount: null,
    zeroThreshold: null,
    positive: null,
    negative: null,
    quantiles: null,
    flags: p.flags == null ? 0 : count(p.flags, `${path}.flags`),
    attributes,
    runId: runIdOf(attributes, base.resource),
  };
  switch (base.kind) {
    case 'gauge':
    case 'sum':
      if (p.asDouble != null) point.value = num(p.asDouble, `${path}.asDouble`);
      else if (p.asInt != null) point.value = Number(int64(p.asInt, `${path}.asInt`));
      break;
    case 'histogram':
      readStats(point, p, path);
      point.bounds = array(p.explicitBounds, `${path}.explicitBounds`).map((b, i) => finite(b, `${path}.explicitBounds[${i}]`));
      point.bucketCounts = array(p.bucketCounts, `${path}.bucketCounts`).map((c, i) => count(c, `${path}.bucketCounts[${i}]`));
      if (point.bucketCounts.length > 0 && point.bucketCounts.length !== point.bounds.length + 1) {
        throw invalid(`${point.bucketCounts.length} bucketCounts for ${point.bounds.length} explicitBounds (want bounds + 1)`, path);
      }
      break;
    case 'exponential_histogram':
      readStats(point, p, path);
      point.scale = p.scale == null ? 0 : Number(int64(p.scale, `${path}.scale`));
      point.zeroCount = p.zeroCount == null ? 0 : count(p.zeroCount, `${path}.zeroCount`);
      point.zeroThreshold = p.zeroThreshold == null ? 0 : finite(p.zeroThreshold, `${path}.zeroThreshold`);
      point.positive = buckets(p.positive, `${path}.positive`);
      point.negative = buckets(p.negative, `${path}.negative`);
      break;
    case 'summary':
      readStats(point, p, path);
      point.quantiles = array(p.quantileValues, `${path}.quantileValues`).map((qv, i) => {
        const q = obj(qv, `${path}.quantileValues[${i}]`);
        return { quantile: q.quantile == null ? 0 : finite(q.quantile, `${path}.quantileValues[${i}].quantile`), value: q.value == null ? 0 : finite(q.value, `${path}.quantileValues[${i}].value`) };
      });
      break;
  }
  return point;
}

function readStats(point: StoredMetricPoint, p: Obj, path: string): void {
  point.count = p.count == null ? 0 : count(p.count, `${path}.count`);
  if (p.sum != null) point.sum = num(p.sum, `${path}.sum`);
  if (p.min != null) point.min = num(p.min, `${path}.min`);
  if (p.max != null) point.max = num(p.max, `${path}.max`);
}

function buckets(v: unknown, path: string): ExponentialBuckets {
  if (v == null) return { offset: 0, bucketCounts: [] };
  const b = obj(v, path);
  return {
    offset: b.offset == null ? 0 : Number(int64(b.offset, `${path}.offset`)),
    bucketCounts: array(b.bucketCounts, `${path}.bucketCounts`).map((c, i) => count(c, `${path}.bucketCounts[${i}]`)),
  };
}

function attrs(v: unknown, path: string): Attributes {
  const out: Attributes = {};
  array(v, path).forEach((kvv, i) => {
    const kv = obj(kvv, `${path}[${i}]`);
    setAttr(out, string(kv.key, `${path}[${i}].key`), anyValue(kv.value, `${path}[${i}].value`));
  });
  return out;
}

function anyValue(v: unknown, path: string): AttrValue {
  if (v == null) return null;
  const a = obj(v, path);
  if (a.stringValue != null) return string(a.stringValue, `${path}.stringValue`);
  if (a.boolValue != null) return a.boolValue === true;
  if (a.intValue != null) return int64(a.intValue, `${path}.intValue`);
  if (a.doubleValue != null) return double(a.doubleValue, `${path}.doubleValue`);
  if (a.arrayValue != null) return array(obj(a.arrayValue, `${path}.arrayValue`).values, `${path}.arrayValue.values`).map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`));
  if (a.kvlistValue != null) return attrs(obj(a.kvlistValue, `${path}.kvlistValue`).values, `${path}.kvlistValue.values`);
  if (a.bytesValue != null) return string(a.bytesValue, `${path}.bytesValue`);
  return null;
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid('expected an object', path);
  return v as Obj;
}

function array(v: unknown, path: string): unknown[] {
  if (v == null) return [];
  if (!Array.isArray(v)) throw invalid('expected an array', path);
  return v;
}

function string(v: unknown, path: string): string {
  if (v == null) return '';
  if (typeof v !== 'string') throw invalid('expected a string', path);
  return v;
}

function temporality(v: unknown, path: string): Temporality {
  if (v == null) return 'unspecified';
  if (typeof v === 'number' && Number.isInteger(v)) return TEMPORALITIES[v] ?? 'unspecified';
  if (typeof v === 'string' && v.startsWith('AGGREGATION_TEMPORALITY_')) {
    const t = v.slice('AGGREGATION_TEMPORALITY_'.length).toLowerCase() as Temporality;
    if (TEMPORALITIES.includes(t)) return t;
  }
  throw invalid(`expected an AggregationTemporality, got ${JSON.stringify(v)}`, path);
}

const INTEGER = /^-?\d+$/;
function int64(v: unknown, path: string): number | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && INTEGER.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : BigInt(v).toString();
  }
  throw invalid('expected an integer or its decimal string', path);
}

/** Counts are uint64 on the wire; above 2^53 they lose precision as numbers, which no real count reaches. */
function count(v: unknown, path: string): number {
  const n = Number(int64(v, path));
  if (!(n >= 0)) throw invalid('expected a non-negative integer', path);
  return n;
}

function uint64(v: unknown, path: string): bigint {
  if (v == null) return 0n;
  if ((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v))) return BigInt(v);
  throw invalid('expected an unsigned integer or its decimal string', path);
}

function double(v: unknown, path: string): number | string {
  if (typeof v === 'number') return jsonSafeDouble(v);
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw invalid('expected a number', path);
}

/** A measured value as a number; DOUBLE columns hold NaN and ±Infinity, so they are kept. */
function num(v: unknown, path: string): number {
  const d = double(v, path);
  return typeof d === 'number' ? d : Number(d);
}

/** Layout values (bounds, quantiles) must be finite: a NaN bound or sum could not be compared or stored in a DOUBLE column meaningfully. */
function finite(v: unknown, path: string): number {
  const d = double(v, path);
  if (typeof d !== 'number') throw invalid(`expected a finite number, got ${d}`, path);
  return d;
}
