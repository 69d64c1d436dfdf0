/**
 * StoredMetricPoint-shaped data → an OTLP ExportMetricsServiceRequest (protobuf). The load engine
 * exports its HdrHistogram-derived histograms with this rather than through the SDK's metric
 * readers: the SDK aggregates value by value into its own buckets, while the engine already holds
 * exact per-block histograms and must ship them as they are (fixed scale, exact counts, min/max).
 */
import { metricsRequestType } from './metrics-decode.ts';
import type { StoredMetricPoint } from './metrics-types.ts';
import type { AttrValue, Attributes } from './types.ts';

/** What a point needs to be encoded; everything else defaults to absent. */
export type EncodablePoint = Pick<StoredMetricPoint, 'name' | 'kind' | 'timeNs' | 'attributes'> &
  Partial<Omit<StoredMetricPoint, 'name' | 'kind' | 'timeNs' | 'attributes' | 'resource' | 'serviceName' | 'scopeName' | 'runId'>>;

const TEMPORALITY = { unspecified: 0, delta: 1, cumulative: 2 } as const;

/** One ResourceMetrics/ScopeMetrics; points sharing (name, kind, unit) become one Metric. */
export function encodeMetricsRequest(points: readonly EncodablePoint[], resource: Attributes, scope: { name: string; version?: string }): Uint8Array {
  const metrics = new Map<string, { head: EncodablePoint; points: EncodablePoint[] }>();
  for (const p of points) {
    const key = `${p.name}\u0000${p.kind}\u0000${p.unit ?? ''}`;
    const m = metrics.get(key);
    if (m) m.points.push(p);
    else metrics.set(key, { head: p, points: [p] });
  }
  const type = metricsRequestType();
  const message = type.fromObject({
    resourceMetrics: [
      {
        resource: { attributes: keyValues(resource) },
        scopeMetrics: [{ scope: { name: scope.name, version: scope.version ?? '' }, metrics: [...metrics.values()].map(({ head, points: ps }) => toMetric(head, ps)) }],
      },
    ],
  });
  return type.encode(message).finish();
}

function toMetric(head: EncodablePoint, points: EncodablePoint[]): Record<string, unknown> {
  const metric: Record<string, unknown> = { name: head.name, description: head.description ?? '', unit: head.unit ?? '' };
  const temporality = TEMPORALITY[head.temporality ?? 'cumulative'];
  switch (head.kind) {
    case 'gauge':
      metric.gauge = { dataPoints: points.map(numberPoint) };
      break;
    case 'sum':
      metric.sum = { dataPoints: points.map(numberPoint), aggregationTemporality: temporality, isMonotonic: head.monotonic ?? false };
      break;
    case 'histogram':
      metric.histogram = {
        aggregationTemporality: temporality,
        dataPoints: points.map((p) => ({ ...common(p), ...stats(p), explicitBounds: p.bounds ?? [], bucketCounts: (p.bucketCounts ?? []).map(String) })),
      };
      break;
    case 'exponential_histogram':
      metric.exponentialHistogram = {
        aggregationTemporality: temporality,
        dataPoints: points.map((p) => ({
          ...common(p),
          ...stats(p),
          scale: p.scale ?? 0,
          zeroCount: String(p.zeroCount ?? 0),
          zeroThreshold: p.zeroThreshold ?? 0,
          positive: { offset: p.positive?.offset ?? 0, bucketCounts: (p.positive?.bucketCounts ?? []).map(String) },
          negative: { offset: p.negative?.offset ?? 0, bucketCounts: (p.negative?.bucketCounts ?? []).map(String) },
        })),
      };
      break;
    case 'summary':
      metric.summary = {
        dataPoints: points.map((p) => ({ ...common(p), count: String(p.count ?? 0), sum: p.sum ?? 0, quantileValues: p.quantiles ?? [] })),
      };
      break;
  }
  return metric;
}

function common(p: EncodablePoint): Record<string, unknown> {
  return { attributes: keyValues(p.attributes), startTimeUnixNano: String(p.startNs ?? 0n), timeUnixNano: String(p.timeNs), flags: p.flags ?? 0 };
}

function stats(p: EncodablePoint): Record<string, unknown> {
  return {
    count: String(p.count ?? 0),
    ...(p.sum != null ? { sum: p.sum } : {}),
    ...(p.min != null ? { min: p.min } : {}),
    ...(p.max != null ? { max: p.max } : {}),
  };
}

function numberPoint(p: EncodablePoint): Record<string, unknown> {
  return { ...common(p), asDouble: p.value ?? 0 };
}

function keyValues(attributes: Attributes): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(v: AttrValue): Record<string, unknown> {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: keyValues(v) } };
}
