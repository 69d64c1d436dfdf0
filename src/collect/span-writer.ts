/**
 * The store's single writer: a FIFO of inserts drained into DuckDB through one appender.
 *
 * Why it looks like this (measured with bench/ingest.bench.ts):
 * - One transaction per drain, holding everything queued: requests never interleave rows, and
 *   the busier the receiver, the larger and cheaper per span each commit.
 * - Group commit: a drain starts GROUP_COMMIT_MS after the first insert that finds the writer idle
 *   (or at once when GROUP_COMMIT_ROWS are waiting, or a reader is). An appender flush + commit
 *   costs ~1.5 ms however few rows it carries, so the runtimes' small exports (a batch of ~50–100
 *   spans every 100 ms each) committed one by one cost ~20 µs per span; grouped, ~3–5 µs.
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
/** How long a drain waits for more inserts to share its transaction. Bounded: it delays the 200. */
export const GROUP_COMMIT_MS = 20;
/** ...unless this many rows are already waiting: then it starts at once. */
export const GROUP_COMMIT_ROWS = 4096;

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
  private queuedRows = 0;
  private draining = false;
  private groupTimer: NodeJS.Timeout | undefined;
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
      this.queuedRows += rows.length;
      if (this.draining) return; // the running drain takes it next
      if (this.queuedRows >= GROUP_COMMIT_ROWS) this.startDrain();
      else this.groupTimer ??= setTimeout(() => this.startDrain(), GROUP_COMMIT_MS);
    });
  }

  /** Resolves once every insert issued so far has settled: what a read must wait for. */
  settledSoFar(): Promise<void> {
    const seq = this.issued;
    if (this.settled >= seq) return Promise.resolve();
    // A reader is waiting: no point in waiting for more rows to group.
    if (!this.draining) this.startDrain();
    return new Promise((wake) => this.waiters.push({ seq, wake }));
  }

  private startDrain(): void {
    clearTimeout(this.groupTimer);
    this.groupTimer = undefined;
    if (this.draining || this.queue.length === 0) return;
    this.draining = true;
    void this.drain();
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
      this.queuedRows = 0;
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
