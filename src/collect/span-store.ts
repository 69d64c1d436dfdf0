/**
 * The span store: one DuckDB file (default `.gauntlet/store.duckdb`) that every analysis reads.
 *
 * Schema (version 1):
 *
 *   meta   (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)    -- ('schema_version', '1')
 *
 *   spans (
 *     trace_id       VARCHAR     NOT NULL,  -- 32 lowercase hex
 *     span_id        VARCHAR     NOT NULL,  -- 16 lowercase hex
 *     parent_span_id VARCHAR,               -- NULL for a root span
 *     name           VARCHAR     NOT NULL,
 *     kind           VARCHAR     NOT NULL,  -- UNSPECIFIED | INTERNAL | SERVER | CLIENT | PRODUCER | CONSUMER
 *     start_ns       UBIGINT     NOT NULL,  -- unix epoch nanoseconds (OTLP fixed64)
 *     end_ns         UBIGINT     NOT NULL,
 *     duration_ns    BIGINT      NOT NULL,  -- end_ns - start_ns, signed: a skewed sender can go negative
 *     status_code    VARCHAR     NOT NULL,  -- UNSET | OK | ERROR
 *     status_message VARCHAR,
 *     service_name   VARCHAR,               -- resource attribute service.name
 *     scope_name     VARCHAR,               -- instrumentation scope name
 *     run_id         VARCHAR,               -- gauntlet.run.id (span attribute, else resource attribute)
 *     driver         VARCHAR,               -- gauntlet.driver (span attribute, else resource attribute)
 *     resource       JSON        NOT NULL,  -- {"service.name": "vectord", ...}
 *     attributes     JSON        NOT NULL,  -- {"http.response.status_code": 200, ...}
 *     events         JSON        NOT NULL,  -- [{"name", "timeNs": "<decimal ns>", "attributes": {...}}]
 *     links          JSON        NOT NULL,  -- [{"traceId", "spanId", "attributes": {...}}]
 *     received_at    TIMESTAMPTZ NOT NULL,  -- when the receiver stored the row
 *     dropped_attributes_count UINTEGER DEFAULT 0  -- sender's count + attributes the receiver's limits dropped
 *   )
 *
 * Attribute values are JSON as described by AttrValue (int64 beyond 2^53 as a decimal string,
 * bytes as base64). Query them with DuckDB's JSON operators, e.g.
 *   attributes->>'$."http.response.status_code"'
 *
 * A run's spans are the spans tagged with its run_id plus every span sharing a trace_id with one
 * of those: a runtime's SERVER span carries no run id, it joins through the traceparent the probe
 * injected. There are deliberately no ART indexes: DuckDB plans `trace_id IN (SELECT trace_id …
 * WHERE run_id = ?)` as a hash semi-join over two column scans whether or not an index exists
 * (checked with EXPLAIN; ~20 ms per million spans either way), while one index on an id column
 * cost appends ~25% of their throughput. So the lookup is index-free by design: two narrow
 * column scans and a hash join.
 *
 * OTLP metric data points live in a `metrics` table in the same file: its schema is documented in
 * metrics-store.ts (it is created on open, so version-1 stores gain it without a migration).
 *
 * Rows are appended, never updated. An exporter retry after a lost response can store a span
 * twice, so reads return one row per (trace_id, span_id): the first received.
 */
import { mkdir } from 'node:fs/promises';
import { SPAN_RUN_END, SPAN_RUN_START } from '../contract/attributes.ts';
import { basename, dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { GauntletError, diskFullError, isDiskFull } from '../util/errors.ts';
import { spanFromJsonRow, spanJsonRow, toSpanRow, type SpanRow } from './span-rows.ts';
import { SpanWriter, WAL_CHECKPOINT_BACKSTOP } from './span-writer.ts';
import type { StoredSpan } from './types.ts';
import { MetricsTable, sqlString, type MetricRunSummary } from './metrics-store.ts';
import type { StoredMetricPoint } from './metrics-types.ts';

export const DEFAULT_STORE_PATH = '.gauntlet/store.duckdb';
export const STORE_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS spans (
  trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, parent_span_id VARCHAR,
  name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  start_ns UBIGINT NOT NULL, end_ns UBIGINT NOT NULL, duration_ns BIGINT NOT NULL,
  status_code VARCHAR NOT NULL, status_message VARCHAR,
  service_name VARCHAR, scope_name VARCHAR, run_id VARCHAR, driver VARCHAR,
  resource JSON NOT NULL, attributes JSON NOT NULL, events JSON NOT NULL, links JSON NOT NULL,
  received_at TIMESTAMPTZ NOT NULL, dropped_attributes_count UINTEGER DEFAULT 0
);
INSERT INTO meta VALUES ('schema_version', '${STORE_SCHEMA_VERSION}') ON CONFLICT DO NOTHING;
`;

/**
 * Added after version 1 shipped: a store written before it gains the column on its next writable
 * open (an old reader ignores it, so the schema version stays 1).
 */
const ADD_DROPPED_ATTRIBUTES_COUNT = 'ALTER TABLE spans ADD COLUMN IF NOT EXISTS dropped_attributes_count UINTEGER DEFAULT 0';

export interface StoreOpenOptions {
  /** Open an existing file for reading only: no lock against other readers, no writes, no schema changes. */
  readOnly?: boolean;
  /**
   * DuckDB's buffer-pool limit (its `memory_limit`) in MiB; unset = DuckDB's default, 80% of RAM.
   * Over it DuckDB evicts cached blocks and spills to temp files instead of growing.
   */
  memoryLimitMb?: number;
}

/** One row per span: retried exports may have stored duplicates. */
const FIRST_COPY = 'QUALIFY row_number() OVER (PARTITION BY trace_id, span_id ORDER BY received_at) = 1';

const RUN_SPANS_WHERE = 'trace_id IN (SELECT trace_id FROM spans WHERE run_id = ?)';

export interface PruneResult {
  runsDeleted: string[];
  spansDeleted: number;
  /**
   * Spans of `live` (in-progress) runs removed because they fell outside the window: a mirror left
   * running for weeks is one run, so its oldest traces age out instead of the run.
   */
  liveSpansTrimmed: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface RunSummary {
  runId: string;
  driver: string | null;
  /** Earliest start_ns over the run's spans (including trace-joined server spans). */
  firstNs: bigint;
  /** Latest end_ns over the run's spans. */
  lastNs: bigint;
  spans: number;
}

/**
 * Files open in this process. DuckDB's file lock is a POSIX lock, which is per process: a second
 * open of the same file from this process would succeed and two instances would write one file.
 */
const openFiles = new Set<string>();

export class SpanStore {
  readonly path: string;
  private readonly instance: DuckDBInstance;
  private readonly writer: SpanWriter;
  private readonly writerConn: DuckDBConnection;
  /** Queries get their own connection, so a read never waits behind a commit on the writer's. */
  private readonly reader: DuckDBConnection;
  private readonly metrics: MetricsTable;
  private closed = false;
  /** SELECT expression for one span row as JSON text (depends on the columns this file has). */
  private spanRowSql = spanJsonRow(true);

  private constructor(
    path: string,
    instance: DuckDBInstance,
    writerConn: DuckDBConnection,
    reader: DuckDBConnection,
    metrics: MetricsTable,
    private readonly readOnlyMode = false,
  ) {
    this.path = path;
    this.metrics = metrics;
    this.instance = instance;
    this.writerConn = writerConn;
    this.reader = reader;
    this.writer = new SpanWriter(writerConn, (err) => storeError(`cannot write spans: ${(err as Error).message}`, path, err));
  }

  /**
   * Opens (creating directories, file and schema as needed) a store; ':memory:' for a throwaway one.
   * `readOnly` opens an existing file without taking the write lock or writing anything — what
   * readers (`runs`, `analyze`, `gate`) want: it works on a read-only file or directory, and any
   * number of read-only openers may share a file (see `openStoreForReading`).
   */
  static async open(path: string = DEFAULT_STORE_PATH, opts: StoreOpenOptions = {}): Promise<SpanStore> {
    const file = path === ':memory:' ? null : resolve(path);
    const readOnly = Boolean(opts.readOnly && file);
    if (file && openFiles.has(file)) {
      throw storeError('span store is already open in this process', path, undefined, {
        hint: 'share the open SpanStore instead of opening the file twice',
      });
    }
    let instance: DuckDBInstance;
    try {
      if (file && !readOnly) await mkdir(dirname(path), { recursive: true });
      const limit: Record<string, string> = opts.memoryLimitMb ? { memory_limit: `${opts.memoryLimitMb}MiB` } : {};
      instance = await DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY', ...limit } : { wal_autocheckpoint: WAL_CHECKPOINT_BACKSTOP, ...limit });
    } catch (err) {
      throw openError(err, path, readOnly);
    }
    try {
      const writerConn = await instance.connect();
      if (!readOnly) {
        await writerConn.run(SCHEMA);
        await writerConn.run(ADD_DROPPED_ATTRIBUTES_COUNT);
      }
      const version = await readSchemaVersion(writerConn, path);
      if (version !== String(STORE_SCHEMA_VERSION)) {
        const newer = Number(version) > STORE_SCHEMA_VERSION;
        throw new GauntletError('GAUNTLET_STORE_INVALID', `span store schema version ${String(version)} is not ${STORE_SCHEMA_VERSION}`, {
          file: path,
          hint: newer
            ? 'it was written by a newer gauntlet: upgrade gauntlet, or move the file aside / pass a different store path'
            : 'it was written by another gauntlet version: move it aside or pass a different store path',
        });
      }
      const store = new SpanStore(path, instance, writerConn, await instance.connect(), await MetricsTable.create(instance, { readOnly }), readOnly);
      // A store written before the column, opened read-only, reads without it.
      store.spanRowSql = spanJsonRow(await hasColumn(writerConn, 'spans', 'dropped_attributes_count'));
      if (file) openFiles.add(file);
      return store;
    } catch (err) {
      instance.closeSync();
      throw err instanceof GauntletError ? err : storeError(`cannot initialise span store: ${(err as Error).message}`, path, err);
    }
  }

  /** True when opened with `readOnly`: inserts are refused. */
  get readOnly(): boolean {
    return this.readOnlyMode;
  }

  /**
   * Stores spans; resolves with the number of rows written once they are committed (see
   * span-writer.ts for how concurrent inserts are batched).
   */
  insert(spans: StoredSpan[]): Promise<number> {
    if (this.closed) return Promise.reject(storeError('span store is closed', this.path));
    if (this.readOnlyMode) return Promise.reject(storeError('span store is open read-only', this.path));
    if (spans.length === 0) return Promise.resolve(0);
    let rows: SpanRow[];
    try {
      rows = toRows(spans);
    } catch (err) {
      return Promise.reject(storeError(`cannot convert spans to rows: ${(err as Error).message}`, this.path, err));
    }
    return this.writer.write(rows);
  }

  /** Spans accepted by insert() and not yet committed: the receiver's backpressure signal. */
  get pendingSpans(): number {
    return this.writer.pendingRows;
  }

  /** Every span of a run (see the trace-join rule above), one per span id, in start order. */
  async spansForRun(runId: string): Promise<StoredSpan[]> {
    if (this.closed) throw storeError('span store is closed', this.path);
    await this.writer.settledSoFar();
    // Streamed chunk by chunk and sorted here, not by DuckDB: a materialised result, and an ORDER BY
    // over the rows' JSON, must fit DuckDB's buffer pool whole — under a capped pool
    // (store.memoryLimitMb, 256 MiB for watch and mirror) a run of a million spans failed with
    // "Out of Memory". Streamed without the sort, DuckDB holds a chunk at a time. On its own
    // connection: a connection has one live stream, which any other query on it would cut short.
    const out: StoredSpan[] = [];
    let conn: DuckDBConnection | undefined;
    try {
      conn = await this.instance.connect();
      const result = await conn.stream(`SELECT ${this.spanRowSql} AS j FROM spans WHERE ${RUN_SPANS_WHERE} ${FIRST_COPY}`, [runId]);
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (const text of (chunk.getColumns()[0] ?? []) as string[]) out.push(spanFromJsonRow(text));
      }
    } catch (err) {
      throw storeError(`span store query failed: ${(err as Error).message}`, this.path, err);
    } finally {
      conn?.closeSync();
    }
    // Start order, ties by span id (as ORDER BY start_ns, span_id did: ids are lowercase hex).
    return out.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  }

  /**
   * Writes a run's spans (the trace-join rule, one copy per span) as Parquet with DuckDB's own
   * writer, hive-partitioned: `<dir>/run=<id>/date=<YYYY-MM-DD>/data_0.parquet`, where the date is
   * the UTC day the run's first span started. The columns are those of the `spans` table (JSON
   * columns as Parquet strings); `run` and `date` live in the directory names. `dir` should be a
   * fresh temp directory: the caller renames the result into place (see app/export.ts).
   */
  async exportRunParquet(runId: string, dir: string): Promise<{ spans: number; metricPoints: number; date: string }> {
    if (this.closed) throw storeError('span store is closed', this.path);
    await this.writer.settledSoFar();
    const first = await this.read(`SELECT min(start_ns) AS first, count(*) AS n FROM spans WHERE ${RUN_SPANS_WHERE}`, [runId]);
    const firstNs = first[0]?.first as bigint | null | undefined;
    if (firstNs === null || firstNs === undefined) return { spans: 0, metricPoints: 0, date: '' };
    const date = new Date(Number(firstNs / 1_000_000n)).toISOString().slice(0, 10);
    const lit = sqlString;
    const columns = await this.read(`SELECT column_name FROM information_schema.columns WHERE table_name = 'spans' ORDER BY ordinal_position`);
    const cols = columns.map((c) => `"${String(c.column_name)}"`).join(', ');
    const sql =
      `COPY (SELECT ${cols}, ${lit(runId)} AS run, ${lit(date)} AS date FROM spans ` +
      `WHERE trace_id IN (SELECT trace_id FROM spans WHERE run_id = ${lit(runId)}) ${FIRST_COPY} ORDER BY start_ns, span_id) ` +
      `TO ${lit(dir)} (FORMAT parquet, PARTITION_BY (run, date), COMPRESSION zstd)`;
    try {
      const result = await this.reader.runAndReadAll(sql);
      const n = result.getRows()[0]?.[0];
      // The run's metric points (a load run's engine points) beside them: metrics_<n>.parquet.
      const metricPoints = await this.metrics.exportRunParquet(runId, dir, date);
      return { spans: Number(n ?? 0), metricPoints, date };
    } catch (err) {
      throw storeError(`parquet export failed: ${(err as Error).message}`, dir, err);
    }
  }

  /**
   * Loads a run written by exportRunParquet (any glob DuckDB's `glob()` accepts, hive partitions
   * included) into this store — an in-memory one, for `analyze --source parquet`: the span files
   * into `spans`, the `metrics_<n>.parquet` files into `metrics`. Resolves with the spans added.
   */
  async importParquet(glob: string): Promise<number> {
    if (this.readOnlyMode) throw storeError('span store is open read-only', this.path);
    const lit = sqlString;
    const cols = ['trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'start_ns', 'end_ns', 'duration_ns', 'status_code', 'status_message', 'service_name', 'scope_name', 'run_id', 'driver', 'resource', 'attributes', 'events', 'links', 'received_at']
      .map((c) => `"${c}"`)
      .join(', ');
    try {
      await this.writer.settledSoFar();
      const files = (await this.writerConn.runAndReadAll(`SELECT file FROM glob(${lit(glob)}) ORDER BY file`)).getRows().map((r) => String(r[0]));
      if (files.length === 0) throw new Error('no file matches');
      const isMetrics = (f: string) => /^metrics_\d+\.parquet$/.test(basename(f));
      const spanFiles = files.filter((f) => !isMetrics(f));
      if (spanFiles.length === 0) return 0;
      const result = await this.writerConn.runAndReadAll(`INSERT INTO spans (${cols}) SELECT ${cols} FROM read_parquet([${spanFiles.map(lit).join(', ')}], hive_partitioning = true, union_by_name = true)`);
      await this.metrics.importParquet(files.filter(isMetrics));
      return Number(result.getRows()[0]?.[0] ?? 0);
    } catch (err) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot read a run from Parquet ${glob}: ${(err as Error).message}`, {
        file: glob,
        hint: 'point at files written by `gauntlet export --format parquet`, e.g. DIR/run=*/date=*/*.parquet',
      });
    }
  }

  /** Stores metric data points (one transaction); resolves with the rows committed. */
  insertMetrics(points: readonly StoredMetricPoint[]): Promise<number> {
    if (this.closed) return Promise.reject(storeError('span store is closed', this.path));
    if (this.readOnlyMode) return Promise.reject(storeError('span store is open read-only', this.path));
    return this.metrics.insert(points).catch((err: unknown) => {
      throw storeError(`cannot write metric points: ${(err as Error).message}`, this.path, err);
    });
  }

  /** Metric points accepted by insertMetrics() and not yet committed. */
  get pendingMetricPoints(): number {
    return this.metrics.pendingPoints;
  }

  /** Every metric point tagged with the run id (optionally only the named metrics), oldest first. */
  async metricsForRun(runId: string, opts: { names?: readonly string[] } = {}): Promise<StoredMetricPoint[]> {
    if (this.closed) throw storeError('span store is closed', this.path);
    try {
      return await this.metrics.forRun(runId, opts);
    } catch (err) {
      throw storeError(`metric query failed: ${(err as Error).message}`, this.path, err);
    }
  }

  /** Runs that have metric points, oldest first. */
  async listMetricRuns(): Promise<MetricRunSummary[]> {
    if (this.closed) throw storeError('span store is closed', this.path);
    return this.metrics.runs();
  }

  /** DuckDB's buffer-pool limit as it reports it (e.g. `256.0 MiB`). */
  async memoryLimit(): Promise<string> {
    const rows = await this.read("SELECT current_setting('memory_limit') AS v");
    return String(rows[0]?.v ?? '');
  }

  /** Bytes the database uses (its used blocks), the figure retention bounds. */
  async sizeBytes(): Promise<number> {
    const rows = await this.read('SELECT used_blocks * block_size AS bytes FROM pragma_database_size()');
    return Number(rows[0]?.bytes ?? 0);
  }

  /**
   * Retention for long-running modes (watch, mirror): delete whole runs — their spans, the spans
   * of their traces (the runtimes' SERVER spans) and their metric points — older than `maxAgeMs`,
   * then the oldest ones until the database uses at most `maxBytes`. Runs in `keep` (the run in
   * progress) are never deleted; `live` runs are never deleted either but keep only their window
   * (see trimLiveRuns). Freed blocks are reused, so the file stops growing.
   */
  async prune(opts: { maxAgeMs?: number; maxBytes?: number; keep?: readonly string[]; live?: readonly string[]; nowMs?: number }): Promise<PruneResult> {
    if (this.readOnlyMode) throw storeError('span store is open read-only', this.path);
    // Spans still in the write-ahead log occupy no blocks yet: checkpoint first, so the size is real.
    await this.writer.settledSoFar();
    await this.writerConn.run('CHECKPOINT').catch(() => undefined);
    const bytesBefore = await this.sizeBytes();
    const runs = (await this.read('SELECT run_id, max(end_ns) AS last_ns, count(*) AS spans FROM spans WHERE run_id IS NOT NULL GROUP BY run_id ORDER BY last_ns, run_id')).map((r) => ({
      runId: r.run_id as string,
      lastMs: Number((r.last_ns as bigint) / 1_000_000n),
      spans: Number(r.spans as bigint),
    }));
    const keep = new Set([...(opts.keep ?? []), ...(opts.live ?? [])]);
    const candidates = runs.filter((r) => !keep.has(r.runId));
    const doomed = new Set<string>();
    const now = opts.nowMs ?? Date.now();
    if (opts.maxAgeMs !== undefined) for (const r of candidates) if (now - r.lastMs > opts.maxAgeMs) doomed.add(r.runId);
    if (opts.maxBytes !== undefined && bytesBefore > opts.maxBytes) {
      // Oldest first, until the spans removed account for the excess (bytes per span from the whole file).
      const total = runs.reduce((n, r) => n + r.spans, 0) || 1;
      let excess = ((bytesBefore - opts.maxBytes) / bytesBefore) * total;
      for (const r of candidates) {
        if (doomed.has(r.runId)) excess -= r.spans;
        else if (excess > 0) {
          doomed.add(r.runId);
          excess -= r.spans;
        }
      }
    }
    let spansDeleted = 0;
    if (doomed.size) {
      const ids = [...doomed];
      const list = ids.map(() => '?').join(', ');
      await this.writer.settledSoFar();
      try {
        const r = await this.writerConn.run(`DELETE FROM spans WHERE trace_id IN (SELECT DISTINCT trace_id FROM spans WHERE run_id IN (${list})) OR run_id IN (${list})`, [...ids, ...ids]);
        spansDeleted = Number(r.rowsChanged);
        await this.metrics.deleteRuns(ids);
        await this.writerConn.run('CHECKPOINT');
      } catch (err) {
        throw storeError(`retention failed: ${(err as Error).message}`, this.path, err);
      }
    }
    const liveSpansTrimmed = await this.trimLiveRuns([...(opts.live ?? [])], {
      cutoffNs: opts.maxAgeMs === undefined ? undefined : BigInt(Math.max(0, Math.round(now - opts.maxAgeMs))) * 1_000_000n,
      // What is still over the size limit once whole runs went, as a share of the spans left.
      excessShare: opts.maxBytes !== undefined && bytesBefore > opts.maxBytes ? (bytesBefore - opts.maxBytes) / bytesBefore : 0,
      totalSpans: runs.reduce((n, r) => n + r.spans, 0),
      spansOfDoomed: runs.filter((r) => doomed.has(r.runId)).reduce((n, r) => n + r.spans, 0),
    });
    return { runsDeleted: [...doomed], spansDeleted, liveSpansTrimmed, bytesBefore, bytesAfter: await this.sizeBytes() };
  }

  /**
   * The window for runs in progress: their traces that ended before the cutoff go, then — while
   * the store is still over its size limit after whole runs were deleted — their oldest traces,
   * whole traces only (a pair is never half-deleted). A trace holding a lifecycle record
   * (run.start) is never trimmed, so the run stays listed with its plan.
   */
  private async trimLiveRuns(keep: string[], w: { cutoffNs: bigint | undefined; excessShare: number; totalSpans: number; spansOfDoomed: number }): Promise<number> {
    if (keep.length === 0) return 0;
    // Spans still to remove for the size limit, beyond what the deleted runs accounted for.
    const bySize = Math.max(0, Math.ceil(w.excessShare * w.totalSpans) - w.spansOfDoomed);
    if (w.cutoffNs === undefined && bySize === 0) return 0;
    const list = keep.map(() => '?').join(', ');
    await this.writer.settledSoFar();
    try {
      const r = await this.writerConn.run(
        `DELETE FROM spans WHERE trace_id IN (
           WITH t AS (
             SELECT trace_id, max(end_ns) AS last_ns, count(*) AS n, count(*) FILTER (WHERE name IN (?, ?)) AS life
             FROM spans WHERE trace_id IN (SELECT DISTINCT trace_id FROM spans WHERE run_id IN (${list}))
             GROUP BY trace_id
           ), c AS (
             SELECT trace_id, last_ns, sum(n) OVER (ORDER BY last_ns, trace_id ROWS UNBOUNDED PRECEDING) - n AS before
             FROM t WHERE life = 0
           )
           SELECT trace_id FROM c WHERE last_ns < ? OR before < ?
         )`,
        [SPAN_RUN_START, SPAN_RUN_END, ...keep, w.cutoffNs ?? 0n, bySize],
      );
      const trimmed = Number(r.rowsChanged);
      if (trimmed > 0) await this.writerConn.run('CHECKPOINT');
      return trimmed;
    } catch (err) {
      throw storeError(`retention failed: ${(err as Error).message}`, this.path, err);
    }
  }

  /** The run lifecycle records (run.start / run.end spans) of every run, for listings. */
  async lifecycleRecords(): Promise<Array<{ runId: string; name: string; attributes: Record<string, unknown> }>> {
    const rows = await this.read(`SELECT run_id, name, attributes::VARCHAR AS attributes FROM spans WHERE run_id IS NOT NULL AND name IN (?, ?) ${FIRST_COPY}`, [SPAN_RUN_START, SPAN_RUN_END]);
    return rows.map((r) => ({ runId: r.run_id as string, name: r.name as string, attributes: JSON.parse(r.attributes as string) as Record<string, unknown> }));
  }

  /** Runs in the store, oldest first; counts and times include trace-joined spans. */
  async listRuns(): Promise<RunSummary[]> {
    const rows = await this.read(
      `WITH tagged AS (
         SELECT run_id, min(driver) AS driver FROM spans WHERE run_id IS NOT NULL GROUP BY run_id
       ), run_traces AS (
         SELECT DISTINCT run_id, trace_id FROM spans WHERE run_id IS NOT NULL
       ), members AS (
         SELECT DISTINCT r.run_id, s.trace_id, s.span_id, s.start_ns, s.end_ns
         FROM run_traces r JOIN spans s ON s.trace_id = r.trace_id
       )
       SELECT m.run_id, t.driver, min(m.start_ns) AS first_ns, max(m.end_ns) AS last_ns,
              count(DISTINCT (m.trace_id, m.span_id)) AS spans
       FROM members m JOIN tagged t ON t.run_id = m.run_id
       GROUP BY m.run_id, t.driver ORDER BY first_ns, m.run_id`,
    );
    return rows.map((r) => ({
      runId: r.run_id as string,
      driver: (r.driver as string | null) ?? null,
      firstNs: r.first_ns as bigint,
      lastNs: r.last_ns as bigint,
      spans: Number(r.spans as bigint),
    }));
  }

  /** Distinct spans stored, or in one run (same membership as spansForRun). */
  async count(filter: { runId?: string } = {}): Promise<number> {
    const rows =
      filter.runId === undefined
        ? await this.read('SELECT count(*) AS n FROM (SELECT DISTINCT trace_id, span_id FROM spans)')
        : await this.read(`SELECT count(*) AS n FROM (SELECT DISTINCT trace_id, span_id FROM spans WHERE ${RUN_SPANS_WHERE})`, [
            filter.runId,
          ]);
    return Number(rows[0]?.n ?? 0);
  }

  /** How many of these trace ids have at least one stored span (a warm-up probe's way to see its spans arrived). */
  async countTraces(traceIds: readonly string[]): Promise<number> {
    if (traceIds.length === 0) return 0;
    const rows = await this.read(`SELECT count(DISTINCT trace_id) AS n FROM spans WHERE trace_id IN (${traceIds.map(() => '?').join(', ')})`, [...traceIds]);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * How far a run's telemetry has arrived, without reading the spans: all spans, CLIENT spans that
   * got an HTTP answer, and those of them whose runtime SERVER span has arrived too.
   */
  async runProgress(runId: string): Promise<{ spans: number; answered: number; joined: number }> {
    const rows = await this.read(
      `WITH r AS (
         SELECT DISTINCT trace_id, span_id, parent_span_id, kind,
                json_extract(attributes, '$."http.response.status_code"') IS NOT NULL
                  -- the probe's exchanges only: a runtime's own calls to its downstreams carry no run id
                  AND run_id IS NOT NULL AS answered
         FROM spans WHERE ${RUN_SPANS_WHERE}
       ), servers AS (SELECT DISTINCT trace_id, parent_span_id FROM r WHERE kind = 'SERVER')
       SELECT count(*) AS spans,
              count(*) FILTER (WHERE kind = 'CLIENT' AND answered) AS answered,
              count(*) FILTER (WHERE kind = 'CLIENT' AND answered AND EXISTS (
                SELECT 1 FROM servers s WHERE s.trace_id = r.trace_id AND s.parent_span_id = r.span_id)) AS joined
       FROM r`,
      [runId],
    );
    const row = rows[0] ?? {};
    return { spans: Number(row.spans ?? 0), answered: Number(row.answered ?? 0), joined: Number(row.joined ?? 0) };
  }

  /** Waits for queued inserts, then releases the file (other processes may open it after this). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writer.close();
      await this.metrics.close();
    } finally {
      this.writerConn.closeSync();
      this.reader.closeSync();
      this.instance.closeSync(); // checkpoints whatever the WAL still holds
      if (this.path !== ':memory:') openFiles.delete(resolve(this.path));
    }
  }

  /** Read-your-writes: a read sees every insert issued before it (committed, or failed). */
  private async read(sql: string, params?: DuckDBValue[]): Promise<Record<string, DuckDBValue>[]> {
    if (this.closed) throw storeError('span store is closed', this.path);
    await this.writer.settledSoFar();
    try {
      return (await this.reader.runAndReadAll(sql, params)).getRowObjects();
    } catch (err) {
      throw storeError(`span store query failed: ${(err as Error).message}`, this.path, err);
    }
  }
}

function toRows(spans: StoredSpan[]): SpanRow[] {
  const rows = new Array<SpanRow>(spans.length);
  // Spans of one ResourceSpans share their resource object: serialise it once.
  const resourceJson = new Map<object, string>();
  for (let i = 0; i < spans.length; i++) rows[i] = toSpanRow(spans[i]!, resourceJson);
  return rows;
}

function storeError(message: string, path: string, cause?: unknown, extra: { hint?: string } = {}): GauntletError {
  if (isDiskFull(cause)) return diskFullError(path, 'cannot write to the span store', cause);
  return new GauntletError('GAUNTLET_STORE', message, { file: path, ...extra }, cause === undefined ? undefined : { cause });
}

async function hasColumn(conn: DuckDBConnection, table: string, column: string): Promise<boolean> {
  const rows = (await conn.runAndReadAll('SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?', [table, column])).getRows();
  return Number(rows[0]?.[0] ?? 0) > 0;
}

async function readSchemaVersion(conn: DuckDBConnection, path: string): Promise<string | undefined> {
  try {
    const value = (await conn.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")).getRows()[0]?.[0];
    return value === undefined || value === null ? undefined : String(value);
  } catch (err) {
    // A DuckDB file some other tool wrote (no meta table), opened read-only so nothing was created.
    throw new GauntletError('GAUNTLET_STORE_INVALID', 'this DuckDB file is not a gauntlet span store (it has no meta table)', {
      file: path,
      hint: 'pass the path of a store gauntlet wrote (default .gauntlet/store.duckdb)',
    }, { cause: err });
  }
}

/** DuckDB's lock message names the holder: `Conflicting lock is held in /usr/bin/node (PID 123)`. */
export function lockHolderOf(err: unknown): string | undefined {
  const m = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(String((err as Error)?.message ?? err));
  return m ? `PID ${m[2]} (${m[1]})` : undefined;
}

/** Why DuckDB would not open the file, as an error the user can act on. */
function openError(err: unknown, path: string, readOnly: boolean): GauntletError {
  const message = (err as Error)?.message ?? String(err);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const holder = lockHolderOf(err);
    return new GauntletError('GAUNTLET_STORE_LOCKED', `span store is in use by another process${holder ? ` (${holder})` : ''}: ${message}`, {
      file: path,
      hint: 'wait for that gauntlet process to finish (or stop it), or pass a different store path',
    }, { cause: err });
  }
  if (/not a valid DuckDB database file/i.test(message)) {
    return new GauntletError('GAUNTLET_STORE_INVALID', 'this file is not a DuckDB database, so not a gauntlet span store', {
      file: path,
      hint: 'pass the path of a store gauntlet wrote (default .gauntlet/store.duckdb), or move this file aside',
    }, { cause: err });
  }
  if (/database file with version number|newer version of DuckDB|storage version/i.test(message)) {
    return new GauntletError('GAUNTLET_STORE_INVALID', `the store was written by a DuckDB this gauntlet cannot read: ${message}`, {
      file: path,
      hint: 'upgrade gauntlet, or move the file aside / pass a different store path',
    }, { cause: err });
  }
  if (isDiskFull(err)) return diskFullError(path, 'cannot open the span store', err);
  if (readOnly && /does not exist|No such file|cannot open file/i.test(message)) {
    return new GauntletError('GAUNTLET_RUN_NOT_FOUND', 'no span store at this path', { file: path, hint: 'run gauntlet first, or pass --store with the store to read' }, { cause: err });
  }
  const notWritable = /Permission denied|Read-only file system|EACCES|EROFS/i.test(message);
  return storeError(`cannot open span store: ${message}`, path, err, {
    hint: notWritable
      ? 'the store is not writable here: commands that only read it (runs, analyze, gate) open it read-only; to write, pass a store path in a writable directory'
      : 'check that the store path is a writable file location',
  });
}
