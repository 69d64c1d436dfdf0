/**
 * The store's single writer: a FIFO of inserts drained into DuckDB through one appender.
 *
 * Why it looks like this (measured with bench/ingest.bench.ts):
 * - One transaction per drain, holding everything queued: requests never interleave rows, and
 *   the busier the receiver, the larger and cheaper per span each commit.
 * - Appends go into an explicit transaction, so the synchronous part (appends, flush into the
 *   transaction's local storage) stays small and COMMIT — WAL write, fsync — runs on DuckDB's
 *   threads while the event loop keeps decoding the next requests.
 * - Checkpoints are issued by row count, one row group's worth at a time. DuckDB's default
 *   (every 16 MB of WAL, ~10k spans) recompresses the same partly-filled row group over and over:
 *   at 300k spans that was ~2.5x the CPU per span and 2-second commit stalls.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import { appendRow, type SpanRow } from './span-rows.ts';

/** DuckDB's row group size: a checkpoint at this cadence writes whole row groups once. */
export const CHECKPOINT_EVERY_ROWS = 122_880;
/**
 * DuckDB's own WAL-size checkpoint, kept as a backstop behind the row-count policy: it bounds the
 * WAL (and the uncheckpointed data DuckDB holds) when spans are large. Probe-sized spans (~0.8 KB
 * of WAL each) reach the row count first, at ~100 MB.
 */
export const WAL_CHECKPOINT_BACKSTOP = '256MB';

interface PendingInsert {
  seq: number;
  rows: SpanRow[];
  resolve: (stored: number) => void;
  reject: (err: unknown) => void;
}

export class SpanWriter {
  private readonly conn: DuckDBConnection;
  private readonly onError: (err: unknown) => Error;
  private appender: DuckDBAppender | null = null;
  private queue: PendingInsert[] = [];
  private draining = false;
  private rowsSinceCheckpoint = 0;
  /** Rows accepted by write() and not yet committed or failed. */
  private pending = 0;
  /** Inserts are numbered; settled = the last one committed or failed (they settle in order). */
  private issued = 0;
  private settled = 0;
  private waiters: Array<{ seq: number; wake: () => void }> = [];

  /** `onError` turns a DuckDB failure into the error each affected insert rejects with. */
  constructor(conn: DuckDBConnection, onError: (err: unknown) => Error) {
    this.conn = conn;
    this.onError = onError;
  }

  get pendingRows(): number {
    return this.pending;
  }

  write(rows: SpanRow[]): Promise<number> {
    this.pending += rows.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ seq: ++this.issued, rows, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // One turn of the event loop lets requests that finished together share a transaction.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once every insert issued so far has settled: what a read must wait for. */
  settledSoFar(): Promise<void> {
    const seq = this.issued;
    if (this.settled >= seq) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ seq, wake }));
  }

  async close(): Promise<void> {
    await this.settledSoFar();
    this.appender?.closeSync();
    this.appender = null;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.writeBatch(batch);
      for (const p of batch) this.pending -= p.rows.length;
      this.settled = batch[batch.length - 1]!.seq;
      this.waiters = this.waiters.filter((w) => (w.seq <= this.settled ? (w.wake(), false) : true));
      if (this.rowsSinceCheckpoint >= CHECKPOINT_EVERY_ROWS) await this.checkpoint();
    }
    this.draining = false;
  }

  private async writeBatch(batch: PendingInsert[]): Promise<void> {
    let rows = 0;
    try {
      await this.conn.run('BEGIN TRANSACTION');
      const appender = (this.appender ??= await this.conn.createAppender('spans'));
      const receivedAt = new DuckDBTimestampValue(BigInt(Date.now()) * 1000n);
      // Synchronous from here to the flush: no other batch can interleave rows.
      for (const p of batch) {
        for (const row of p.rows) appendRow(appender, row, receivedAt);
        rows += p.rows.length;
      }
      appender.flushSync();
      await this.conn.run('COMMIT');
    } catch (err) {
      this.discardAppender();
      await this.conn.run('ROLLBACK').catch(() => undefined); // the failed transaction may be gone already
      const failure = this.onError(err);
      for (const p of batch) p.reject(failure);
      return;
    }
    this.rowsSinceCheckpoint += rows;
    for (const p of batch) p.resolve(p.rows.length);
  }

  private async checkpoint(): Promise<void> {
    try {
      await this.conn.run('CHECKPOINT');
      this.rowsSinceCheckpoint = 0;
    } catch {
      // Not fatal: the data is committed in the WAL; the next drain tries again.
    }
  }

  /** After a failed append/flush the appender may hold a half row: drop it rather than commit it later. */
  private discardAppender(): void {
    const appender = this.appender;
    this.appender = null;
    try {
      appender?.clear();
      appender?.closeSync();
    } catch {
      // Already failed; its rows are reported as failed to their callers.
    }
  }
}
