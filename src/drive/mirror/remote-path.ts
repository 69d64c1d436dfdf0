/**
 * The copy path across a process boundary. The client's path runs in a proxy process of its own
 * (proxy-process.ts); the copy engine runs in the `gauntlet mirror` process, at the lowest CPU
 * priority. This file is both ends of the channel between them:
 *
 * - `remoteCopyPath` (proxy side) is a CopyPath whose every call returns at once: copies and counts
 *   are batched into one message per turn of the event loop, and the queue bound is enforced here
 *   from what was sent minus what the engine acked — so a full queue is known without asking, and a
 *   slow or dead copy side can only ever cause drops, never a wait.
 * - `serveCopies` (engine side) hands the batches to the CopyEngine and acks finished copies.
 */
import type { MirrorOutcome } from '../../telemetry/metrics.ts';
import type { CopyEngine } from './copy-engine.ts';
import type { CopyJob, CopyPath, CopyStats } from './types.ts';

export type Countable = MirrorOutcome | 'request' | 'rejected';

/** Proxy side → engine side. */
export type ToEngine = { type: 'jobs'; jobs: CopyJob[] } | { type: 'counts'; counts: Partial<Record<Countable, number>> };
/** Engine side → proxy side. */
export type ToProxy = { type: 'ack'; done: number; bytes: number };

const jobBytes = (job: CopyJob) => job.answer.raw.byteLength + (job.body?.byteLength ?? 0);

export interface RemoteCopyPath {
  path: CopyPath;
  /** Feed the engine side's messages in. */
  receive(m: ToProxy): void;
  /** The engine side is gone: from now on every copy is dropped (and the client still answered). */
  fail(err: Error): void;
}

/** The proxy side. */
export function remoteCopyPath(opts: { send: (m: ToEngine) => void; capacity: number; maxBytes: number }): RemoteCopyPath {
  let sent = 0;
  let sentBytes = 0;
  let done = 0;
  let doneBytes = 0;
  let jobs: CopyJob[] = [];
  let counts: Partial<Record<Countable, number>> = {};
  let flushScheduled = false;
  let countTimer: NodeJS.Timeout | undefined;
  let failure: Error | undefined;

  const flushJobs = () => {
    flushScheduled = false;
    if (!jobs.length || failure) return;
    opts.send({ type: 'jobs', jobs });
    jobs = [];
  };
  const flushCounts = () => {
    clearTimeout(countTimer);
    countTimer = undefined;
    if (Object.keys(counts).length === 0 || failure) return;
    opts.send({ type: 'counts', counts });
    counts = {};
  };
  const outstanding = () => sent - done;

  const path: CopyPath = {
    full: () => failure !== undefined || outstanding() >= opts.capacity || sentBytes - doneBytes >= opts.maxBytes,
    offer(job) {
      const bytes = jobBytes(job);
      if (failure || outstanding() >= opts.capacity || sentBytes - doneBytes + bytes > opts.maxBytes) return false;
      sent++;
      sentBytes += bytes;
      jobs.push(job);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushJobs);
      }
      return true;
    },
    count(outcome) {
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      // Counts only feed metrics and summaries: a tenth of a second late is fine, one message per request is not.
      countTimer ??= setTimeout(flushCounts, 100);
    },
    async stats(): Promise<CopyStats> {
      throw new Error('a remote copy path has no stats of its own: the copy engine reports them');
    },
    async close() {
      // Nothing to drain on this side: hand over what is pending; the engine side drains.
      flushJobs();
      flushCounts();
    },
  };
  return {
    path,
    receive(m) {
      if (m.type === 'ack') {
        done = m.done;
        doneBytes = m.bytes;
      }
    },
    fail(err) {
      failure ??= err;
    },
  };
}

/** The engine side: hand batches to the engine, apply counts, ack finished copies once per tick. */
export function serveCopies(engine: CopyEngine, send: (m: ToProxy) => void): { receive(m: ToEngine): void; ack(bytes: number): void } {
  let acked = 0;
  let ackedBytes = 0;
  let scheduled = false;
  const ack = (bytes: number) => {
    acked++;
    ackedBytes += bytes;
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      send({ type: 'ack', done: acked, bytes: ackedBytes });
    });
  };
  return {
    ack,
    receive(m) {
      if (m.type === 'counts') {
        for (const [k, n] of Object.entries(m.counts)) engine.count(k as Countable, n);
        return;
      }
      for (const job of m.jobs) {
        // The proxy bounds what it sends; a refusal here is still a drop, and still acked.
        if (!engine.offer(job)) {
          engine.count('dropped');
          ack(jobBytes(job));
        }
      }
    },
  };
}
