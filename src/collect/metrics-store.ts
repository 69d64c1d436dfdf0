/**
 * The `metrics` table of the store: one row per OTLP metric data point, in the same DuckDB file as
 * the spans (the SpanStore opens it; see span-store.ts).
 *
 *   metrics (
 *     run_id          VARCHAR,               -- gauntlet.run.id (point attribute, else resource attribute)
 *     service_name    VARCHAR,               -- resource attribute service.name
 *     scope_name      VARCHAR,               -- instrumentation scope name
 *     name            VARCHAR     NOT NULL,  -- e.g. http.client.request.duration
 *     description     VARCHAR,
 *     unit            VARCHAR,               -- UCUM, e.g. s, {request}
 *     kind            VARCHAR     NOT NULL,  -- gauge | sum | histogram | exponential_histogram | summary
 *     temporality     VARCHAR,               -- delta | cumulative | unspecified; NULL for gauge/summary
 *     monotonic       BOOLEAN,               -- sums only
 *     start_ns        UBIGINT     NOT NULL,  -- unix epoch nanoseconds (0 when the sender left it out)
 *     time_ns         UBIGINT     NOT NULL,
 *     value           DOUBLE,                -- gauge/sum value (as_double, or as_int)
 *     count           UBIGINT,               -- histogram/summary count
 *     sum             DOUBLE,
 *     min             DOUBLE,
 *     max             DOUBLE,
 *     bounds          DOUBLE[],              -- explicit histogram bounds
 *     bucket_counts   UBIGINT[],             -- explicit histogram: len(bounds) + 1 per-bucket counts
 *     scale           INTEGER,               -- exponential histogram
 *     zero_count      UBIGINT,
 *     zero_threshold  DOUBLE,
 *     positive_offset INTEGER,
 *     positive_counts UBIGINT[],
 *     negative_offset INTEGER,
 *     negative_counts UBIGINT[],
 *     quantiles       JSON,                  -- summary: [{"quantile", "value"}]
 *     flags           UINTEGER   NOT NULL,   -- OTLP DataPointFlags
 *     attributes      JSON       NOT NULL,   -- {"gauntlet.runtime": "rust", "http.route": ...}
 *     resource        JSON       NOT NULL,
 *     received_at     TIMESTAMPTZ NOT NULL
 *   )
 *
 * Points are appended as received, never merged: a cumulative series is many rows, a delta series
 * one row per interval; readers pick the aggregation (see metricsForRun). Like spans, a retried
 * export can store a point twice; readers de-duplicate on (name, attributes, start_ns, time_ns).
 */
import { DOUBLE, LIST, UBIGINT, listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { MetricKind, StoredMetricPoint, Temporality } from './metrics-types.ts';
import type { Attributes } from './types.ts';

export const METRICS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS metrics (
  run_id VARCHAR, service_name VARCHAR, scope_name VARCHAR,
  name VARCHAR NOT NULL, description VARCHAR, unit VARCHAR,
  kind VARCHAR NOT NULL, temporality VARCHAR, monotonic BOOLEAN,
  start_ns UBIGINT NOT NULL, time_ns UBIGINT NOT NULL,
  value DOUBLE, count UBIGINT, sum DOUBLE, min DOUBLE, max DOUBLE,
  bounds DOUBLE[], bucket_counts UBIGINT[],
  scale INTEGER, zero_count UBIGINT, zero_threshold DOUBLE,
  positive_offset INTEGER, positive_counts UBIGINT[], negative_offset INTEGER, negative_counts UBIGINT[],
  quantiles JSON, flags UINTEGER NOT NULL,
  attributes JSON NOT NULL, resource JSON NOT NULL, received_at TIMESTAMPTZ NOT NULL
);`;

/** A SQL string literal (for statements DuckDB takes no parameters in: COPY, read_parquet, glob). */
export const sqlString = (v: string): string => `'${v.replaceAll("'", "''")}'`;

const COLUMNS = `run_id, service_name, scope_name, name, description, unit, kind, temporality, monotonic, start_ns, time_ns,
  value, count, sum, min, max, bounds, bucket_counts, scale, zero_count, zero_threshold,
  positive_offset, positive_counts, negative_offset, negative_counts, quantiles, flags, attributes, resource`;

/** A retried export stores a point twice; the first copy received wins. */
const FIRST_COPY = 'QUALIFY row_number() OVER (PARTITION BY name, kind, attributes, resource, start_ns, time_ns ORDER BY received_at) = 1';

async function hasMetricsTable(conn: DuckDBConnection): Promise<boolean> {
  const rows = (await conn.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'metrics' AND NOT temporary")).getRows();
  return Number(rows[0]?.[0] ?? 0) > 0;
}

const DOUBLE_LIST = LIST(DOUBLE);
const UBIGINT_LIST = LIST(UBIGINT);

export interface MetricRunSummary {
  runId: string;
  points: number;
  firstNs: bigint;
  lastNs: bigint;
}

/**
 * Writes and reads of metric points on a connection of their own, serialised on one promise
 * chain: a read issued after an insert sees it (read-your-writes), as with spans.
 */
export class MetricsTable {
  private readonly conn: DuckDBConnection;
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  private constructor(conn: DuckDBConnection) {
    this.conn = conn;
  }

  static async create(instance: DuckDBInstance, opts: { readOnly?: boolean } = {}): Promise<MetricsTable> {
    const conn = await instance.connect();
    try {
      if (!opts.readOnly) await conn.run(METRICS_TABLE_SQL);
      else if (!(await hasMetricsTable(conn))) {
        // A store older than the metrics table, opened read-only: an empty temporary table stands
        // in, so metric reads answer "no points" instead of failing.
        await conn.run(METRICS_TABLE_SQL.replace('CREATE TABLE', 'CREATE TEMP TABLE'));
      }
    } catch (err) {
      conn.closeSync();
      throw err;
    }
    return new MetricsTable(conn);
  }

  /** Points accepted and not yet committed. */
  get pendingPoints(): number {
    return this.pending;
  }

  /** Appends the points in one transaction; resolves with the number of rows committed. */
  insert(points: readonly StoredMetricPoint[]): Promise<number> {
    if (points.length === 0) return Promise.resolve(0);
    this.pending += points.length;
    const done = this.tail.then(() => this.append(points)).finally(() => {
      this.pending -= points.length;
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Every point tagged with the run id, oldest first (de-duplicated as described above). */
  forRun(runId: string, opts: { names?: readonly string[] } = {}): Promise<StoredMetricPoint[]> {
    const names = opts.names?.length ? ` AND name IN (${opts.names.map(() => '?').join(', ')})` : '';
    return this.read(`SELECT ${COLUMNS} FROM metrics WHERE run_id = ?${names} ${FIRST_COPY} ORDER BY time_ns, name`, [runId, ...(opts.names ?? [])]).then((rows) =>
      rows.map(pointFromRow),
    );
  }

  /** Delete every point of these runs (retention); queued behind pending inserts. */
  deleteRuns(runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return Promise.resolve();
    const done = this.tail.then(async () => {
      await this.conn.run(`DELETE FROM metrics WHERE run_id IN (${runIds.map(() => '?').join(', ')})`, [...runIds]);
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  /**
   * A run's points (one copy each) as Parquet beside its spans' export: the same hive partitions
   * `<dir>/run=<id>/date=<day>/`, files named `metrics_<n>.parquet` (the spans are `data_<n>`). The
   * columns are those of the table, `received_at` included; `run` and `date` live in the directory
   * names. Resolves with the points written.
   */
  exportRunParquet(runId: string, dir: string, date: string): Promise<number> {
    const lit = sqlString;
    // A run without points writes no file (COPY of no rows creates none) and resolves with 0.
    const done = this.tail.then(async () => {
      const result = await this.conn.runAndReadAll(
        `COPY (SELECT ${COLUMNS}, received_at, ${lit(runId)} AS run, ${lit(date)} AS date FROM metrics WHERE run_id = ${lit(runId)} ${FIRST_COPY} ORDER BY time_ns, name) ` +
          `TO ${lit(dir)} (FORMAT parquet, PARTITION_BY (run, date), FILENAME_PATTERN 'metrics_{i}', OVERWRITE_OR_IGNORE true, COMPRESSION zstd)`,
      );
      return Number(result.getRows()[0]?.[0] ?? 0);
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Loads points written by exportRunParquet from these files; resolves with the rows added. */
  importParquet(files: readonly string[]): Promise<number> {
    if (files.length === 0) return Promise.resolve(0);
    const done = this.tail.then(async () => {
      const result = await this.conn.runAndReadAll(`INSERT INTO metrics (${COLUMNS}, received_at) SELECT ${COLUMNS}, received_at FROM read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`);
      return Number(result.getRows()[0]?.[0] ?? 0);
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  runs(): Promise<MetricRunSummary[]> {
    return this.read(
      'SELECT run_id, count(*) AS points, min(start_ns) AS first_ns, max(time_ns) AS last_ns FROM metrics WHERE run_id IS NOT NULL GROUP BY run_id ORDER BY first_ns, run_id',
    ).then((rows) => rows.map((r) => ({ runId: r.run_id as string, points: Number(r.points as bigint), firstNs: r.first_ns as bigint, lastNs: r.last_ns as bigint })));
  }

  async close(): Promise<void> {
    await this.tail;
    this.conn.closeSync();
  }

  private read(sql: string, params?: DuckDBValue[]): Promise<Record<string, DuckDBValue>[]> {
    const done = this.tail.then(async () => (await this.conn.runAndReadAll(sql, params)).getRowObjects());
    this.tail = done.catch(() => undefined);
    return done;
  }

  private async append(points: readonly StoredMetricPoint[]): Promise<number> {
    await this.conn.run('BEGIN TRANSACTION');
    let appender: DuckDBAppender | undefined;
    try {
      appender = await this.conn.createAppender('metrics');
      const receivedAt = new DuckDBTimestampValue(BigInt(Date.now()) * 1000n);
      const resourceJson = new Map<object, string>();
      for (const p of points) appendPoint(appender, p, receivedAt, resourceJson);
      appender.flushSync();
      appender.closeSync();
      await this.conn.run('COMMIT');
      return points.length;
    } catch (err) {
      try {
        appender?.closeSync();
      } catch {
        // already failed; the rollback below discards its rows
      }
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}

function appendPoint(a: DuckDBAppender, p: StoredMetricPoint, receivedAt: DuckDBTimestampValue, resourceJson: Map<object, string>): void {
  let resource = resourceJson.get(p.resource);
  if (resource === undefined) resourceJson.set(p.resource, (resource = JSON.stringify(p.resource)));
  varchar(a, p.runId);
  varchar(a, p.serviceName);
  varchar(a, p.scopeName);
  a.appendVarchar(p.name);
  varchar(a, p.description);
  varchar(a, p.unit);
  a.appendVarchar(p.kind);
  varchar(a, p.temporality);
  if (p.monotonic === null) a.appendNull();
  else a.appendBoolean(p.monotonic);
  a.appendUBigInt(p.startNs);
  a.appendUBigInt(p.timeNs);
  double(a, p.value);
  ubigint(a, p.count);
  double(a, p.sum);
  double(a, p.min);
  double(a, p.max);
  if (p.bounds === null) a.appendNull();
  else a.appendList(listValue(p.bounds), DOUBLE_LIST);
  counts(a, p.bucketCounts);
  integer(a, p.scale);
  ubigint(a, p.zeroCount);
  double(a, p.zeroThreshold);
  integer(a, p.positive?.offset ?? null);
  counts(a, p.positive?.bucketCounts ?? null);
  integer(a, p.negative?.offset ?? null);
  counts(a, p.negative?.bucketCounts ?? null);
  varchar(a, p.quantiles === null ? null : JSON.stringify(p.quantiles));
  a.appendUInteger(p.flags >>> 0);
  a.appendVarchar(JSON.stringify(p.attributes));
  a.appendVarchar(resource);
  a.appendTimestamp(receivedAt);
  a.endRow();
}

function varchar(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}
function double(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendDouble(v);
}
function integer(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendInteger(v);
}
function ubigint(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendUBigInt(BigInt(v));
}
function counts(a: DuckDBAppender, v: readonly number[] | null): void {
  if (v === null) a.appendNull();
  else a.appendList(listValue(v.map((c) => BigInt(c))), UBIGINT_LIST);
}

function pointFromRow(r: Record<string, DuckDBValue>): StoredMetricPoint {
  const num = (v: DuckDBValue): number | null => (v === null ? null : Number(v as number | bigint));
  const list = (v: DuckDBValue): number[] | null => (v === null ? null : ((v as unknown as { items: Array<number | bigint> }).items ?? []).map(Number));
  const resource = JSON.parse(r.resource as string) as Attributes;
  return {
    name: r.name as string,
    description: r.description as string | null,
    unit: r.unit as string | null,
    kind: r.kind as MetricKind,
    temporality: r.temporality as Temporality | null,
    monotonic: r.monotonic as boolean | null,
    startNs: r.start_ns as bigint,
    timeNs: r.time_ns as bigint,
    value: num(r.value!),
    count: num(r.count!),
    sum: num(r.sum!),
    min: num(r.min!),
    max: num(r.max!),
    bounds: list(r.bounds!),
    bucketCounts: list(r.bucket_counts!),
    scale: num(r.scale!),
    zeroCount: num(r.zero_count!),
    zeroThreshold: num(r.zero_threshold!),
    positive: r.positive_offset === null ? null : { offset: Number(r.positive_offset), bucketCounts: list(r.positive_counts!) ?? [] },
    negative: r.negative_offset === null ? null : { offset: Number(r.negative_offset), bucketCounts: list(r.negative_counts!) ?? [] },
    quantiles: r.quantiles === null ? null : (JSON.parse(r.quantiles as string) as StoredMetricPoint['quantiles']),
    flags: Number(r.flags),
    attributes: JSON.parse(r.attributes as string) as Attributes,
    resource,
    serviceName: r.service_name as string | null,
    scopeName: r.scope_name as string | null,
    runId: r.run_id as string | null,
  };
}
