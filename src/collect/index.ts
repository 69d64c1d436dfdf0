/** The collect stage: embedded OTLP/HTTP receiver and the span store the analyser reads. */
export type { AttrValue, Attributes, SpanKindName, StatusCodeName, StoredSpan, StoredSpanEvent, StoredSpanLink } from './types.ts';
export { decodeTraces, otlpEncodingOf, OTLP_CONTENT_TYPES, type OtlpEncoding } from './otlp-decode.ts';
export { SpanStore, DEFAULT_STORE_PATH, STORE_SCHEMA_VERSION, type RunSummary, type StoreOpenOptions, type PruneResult } from './span-store.ts';
export { startReceiver, type Receiver, type ReceiverOptions, type ReceiverStats } from './receiver.ts';
export { openStoreForRun, openStoreForReading, findRunSpans, storeFamily, withEachStore, runStorePath, runNotFound } from './store-files.ts';
export type { ExponentialBuckets, MetricKind, StoredMetricPoint, Temporality } from './metrics-types.ts';
export { decodeMetrics } from './metrics-decode.ts';
export { encodeMetricsRequest, type EncodablePoint } from './metrics-encode.ts';
export type { MetricRunSummary } from './metrics-store.ts';
