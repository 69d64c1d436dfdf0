/**
 * The collector's one data shape: a span as decoded from OTLP and as read back from the store.
 * Both OTLP encodings (protobuf, JSON) normalise to this, so the analyser never sees wire details.
 */

/**
 * An OTLP AnyValue as plain JSON-safe data. Lossy on purpose, in documented ways:
 * - int64 → number when it is a safe integer, else its decimal string;
 * - bytes → base64 string (the proto3 JSON mapping);
 * - non-finite doubles → "NaN" / "Infinity" / "-Infinity" (the proto3 JSON mapping), so every
 *   value survives the store's JSON columns unchanged;
 * - kvlist → object, array → array, an AnyValue with no variant set → null.
 */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [k: string]: AttrValue };

export type Attributes = Record<string, AttrValue>;

export const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

export const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;
export type StatusCodeName = (typeof STATUS_CODES)[number];

export interface StoredSpanEvent {
  name: string;
  timeNs: bigint;
  attributes: Attributes;
}

export interface StoredSpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface StoredSpan {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** null for a root span (OTLP sends empty bytes / an empty string). */
  parentSpanId: string | null;
  name: string;
  kind: SpanKindName;
  /** Unix epoch nanoseconds (OTLP fixed64). */
  startNs: bigint;
  endNs: bigint;
  statusCode: StatusCodeName;
  statusMessage: string | null;
  /** Resource attribute `service.name`, when it is a string. */
  serviceName: string | null;
  scopeName: string | null;
  resource: Attributes;
  attributes: Attributes;
  events: StoredSpanEvent[];
  links: StoredSpanLink[];
  /**
   * Attributes the sender dropped (OTLP `droppedAttributesCount`) plus those the receiver's limits
   * dropped or truncated away; absent means 0. Stored, not read back into spans.
   */
  droppedAttributesCount?: number;
  /** attributes['gauntlet.run.id'] ?? resource['gauntlet.run.id'] ?? null. */
  runId: string | null;
}
