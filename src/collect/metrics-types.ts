/**
 * A metric data point as decoded from OTLP and as read back from the `metrics` table. Both OTLP
 * encodings (protobuf, JSON) normalise to this, one object per data point, so a query never sees
 * the Metric → data → data_points nesting of the wire format.
 */
import type { Attributes } from './types.ts';

export const METRIC_KINDS = ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** OTLP AggregationTemporality; null for gauges and summaries, which have none. */
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

export interface ExponentialBuckets {
  offset: number;
  /** Per bucket (not cumulative): bucket `offset + i` covers (base^(offset+i), base^(offset+i+1)]. */
  bucketCounts: number[];
}

export interface StoredMetricPoint {
  name: string;
  description: string | null;
  unit: string | null;
  kind: MetricKind;
  temporality: Temporality | null;
  /** Sums only. */
  monotonic: boolean | null;
  /** Unix epoch nanoseconds; 0 when the sender left it out (gauges may). */
  startNs: bigint;
  timeNs: bigint;
  /** Gauge and sum points: as_double, or as_int (exact below 2^53). */
  value: number | null;
  /** Histogram, exponential histogram and summary points. */
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Explicit histograms: bounds.length + 1 per-bucket counts, the last bucket being (bounds[last], +Inf). */
  bounds: number[] | null;
  bucketCounts: number[] | null;
  /** Exponential histograms. */
  scale: number | null;
  zeroCount: number | null;
  zeroThreshold: number | null;
  positive: ExponentialBuckets | null;
  negative: ExponentialBuckets | null;
  /** Summaries. */
  quantiles: Array<{ quantile: number; value: number }> | null;
  /** OTLP DataPointFlags (bit 0: no recorded value). */
  flags: number;
  attributes: Attributes;
  resource: Attributes;
  serviceName: string | null;
  scopeName: string | null;
  /** attributes['gauntlet.run.id'] ?? resource['gauntlet.run.id'] ?? null. */
  runId: string | null;
}
