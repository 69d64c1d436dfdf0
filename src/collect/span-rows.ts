/**
 * StoredSpan ⇄ `spans` table row. Kept apart from the store's queue/SQL so the column order lives
 * in one place: `appendRow` must follow the CREATE TABLE column order in span-store.ts.
 */
import type { DuckDBAppender, DuckDBTimestampValue, DuckDBValue } from '@duckdb/node-api';
import { ATTR_GAUNTLET_DRIVER } from '../telemetry/attributes.ts';
import type { AttrValue, Attributes, SpanKindName, StatusCodeName, StoredSpan, StoredSpanEvent } from './types.ts';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const EMPTY_LIST = '[]';

/**
 * A span as the appender takes it: scalars plus pre-serialised JSON. Deliberately holds no
 * reference to the decoded StoredSpan, so that object graph is garbage (cheap, young-generation)
 * while the row waits for its commit.
 */
export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startNs: bigint;
  endNs: bigint;
  durationNs: bigint;
  statusCode: string;
  statusMessage: string | null;
  serviceName: string | null;
  scopeName: string | null;
  runId: string | null;
  driver: string | null;
  resource: string;
  attributes: string;
  events: string;
  links: string;
}

/** Serialises the JSON columns up front, so a span that can't be stored fails only its own request. */
export function toSpanRow(span: StoredSpan, resourceJson: Map<object, string>): SpanRow {
  let resource = resourceJson.get(span.resource);
  if (resource === undefined) {
    resource = JSON.stringify(span.resource);
    resourceJson.set(span.resource, resource);
  }
  const duration = span.endNs - span.startNs;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    startNs: span.startNs,
    endNs: span.endNs,
    durationNs: duration > INT64_MAX ? INT64_MAX : duration < INT64_MIN ? INT64_MIN : duration,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    serviceName: span.serviceName,
    scopeName: span.scopeName,
    runId: span.runId,
    driver: stringOrNull(span.attributes[ATTR_GAUNTLET_DRIVER] ?? span.resource[ATTR_GAUNTLET_DRIVER]),
    resource,
    attributes: JSON.stringify(span.attributes),
    events: span.events.length === 0 ? EMPTY_LIST : JSON.stringify(span.events.map(eventForJson)),
    links: span.links.length === 0 ? EMPTY_LIST : JSON.stringify(span.links),
  };
}

/**
 * `receivedAt` is appended as a TIMESTAMP into the TIMESTAMPTZ column: DuckDB keeps the instant,
 * and appendTimestampTZ would take the library's slow generic-value path for every row.
 */
export function appendRow(a: DuckDBAppender, row: SpanRow, receivedAt: DuckDBTimestampValue): void {
  a.appendVarchar(row.traceId);
  a.appendVarchar(row.spanId);
  appendNullable(a, row.parentSpanId);
  a.appendVarchar(row.name);
  a.appendVarchar(row.kind);
  a.appendUBigInt(row.startNs);
  a.appendUBigInt(row.endNs);
  a.appendBigInt(row.durationNs);
  a.appendVarchar(row.statusCode);
  appendNullable(a, row.statusMessage);
  appendNullable(a, row.serviceName);
  appendNullable(a, row.scopeName);
  appendNullable(a, row.runId);
  appendNullable(a, row.driver);
  a.appendVarchar(row.resource);
  a.appendVarchar(row.attributes);
  a.appendVarchar(row.events);
  a.appendVarchar(row.links);
  a.appendTimestamp(receivedAt);
  a.endRow();
}

/** Inverse of toSpanRow for the columns the store's SELECTs read (SPAN_COLUMNS). */
export function spanFromRow(r: Record<string, DuckDBValue>): StoredSpan {
  const events = JSON.parse(r.events as string) as Array<Omit<StoredSpanEvent, 'timeNs'> & { timeNs: string }>;
  return {
    traceId: r.trace_id as string,
    spanId: r.span_id as string,
    parentSpanId: r.parent_span_id as string | null,
    name: r.name as string,
    kind: r.kind as SpanKindName,
    startNs: r.start_ns as bigint,
    endNs: r.end_ns as bigint,
    statusCode: r.status_code as StatusCodeName,
    statusMessage: r.status_message as string | null,
    serviceName: r.service_name as string | null,
    scopeName: r.scope_name as string | null,
    resource: JSON.parse(r.resource as string) as Attributes,
    attributes: JSON.parse(r.attributes as string) as Attributes,
    events: events.map((e) => ({ name: e.name, timeNs: BigInt(e.timeNs), attributes: e.attributes })),
    links: JSON.parse(r.links as string) as StoredSpan['links'],
    runId: r.run_id as string | null,
  };
}

function appendNullable(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

/** JSON has no bigint; a replacer function would be called for every nested attribute key instead. */
function eventForJson(e: StoredSpanEvent): { name: string; timeNs: string; attributes: Attributes } {
  return { name: e.name, timeNs: e.timeNs.toString(), attributes: e.attributes };
}

function stringOrNull(v: AttrValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
