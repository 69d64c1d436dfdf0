import type { MirrorOutcome, PairResult } from '../../telemetry/metrics.ts';

export interface MirrorRuntime {
  name: string;
  url: string;
  /** Extra request headers for this runtime (config `headers`). */
  headers?: Record<string, string>;
}

/** The primary's answer as the client got it. Plain data: it may cross to the copy thread. */
export interface CapturedAnswer {
  status: number;
  headers: Record<string, string>;
  raw: Uint8Array;
  rawTruncated: boolean;
  /** Bytes of body the client received (beyond what was kept). */
  received: number;
  requestBodyBytes: number;
  ttfbMs: number;
  totalMs: number;
  /** When the last byte went to the client, epoch milliseconds. */
  endTime: number;
}

/** One request to copy, as plain (structured-clonable) data. */
export interface CopyJob {
  caseId: string;
  pairId: string;
  /**
   * The trace context the primary was sent on the client's path: its CLIENT span is created later
   * with `primarySpanId`, under the pair span `pairSpanId`, so the primary's SERVER span joins it.
   */
  traceId: string;
  pairSpanId: string;
  primarySpanId: string;
  /** The client's own span, when it sent a traceparent: the pair span is its child. */
  parentSpanId?: string;
  traceState?: string;
  /** When the client's request arrived, epoch milliseconds. */
  startTime: number;
  method: string;
  /** Origin-form target as the client sent it (`/p?q`), without any runtime's path prefix. */
  target: string;
  route: string;
  /** End-to-end request headers for the copies (no Host, length, trace context or accept-encoding). */
  headers: Record<string, string>;
  body?: Uint8Array;
  answer: CapturedAnswer;
}

export interface CopyStats {
  /** Requests seen by the client path, and those refused with 413. */
  requests: number;
  rejected: number;
  outcomes: Record<MirrorOutcome, number>;
  queued: number;
  inFlight: number;
  /** Copies that failed inside gauntlet (a bug, never the candidate's fault). */
  jobErrors: number;
}

/** The copy path's counts plus what the latest judgement from the store said of the mirrored pairs. */
export interface MirrorStats extends CopyStats {
  pairs: Record<PairResult, number>;
  /** Distinct divergences (route, class, path) found so far. */
  divergences: number;
}

/**
 * Where the client path hands its copies: a CopyEngine in the same thread, or the remote copy path to the engine in the `gauntlet mirror` process.
 * Every method returns at once — the client path never waits on the copy path.
 */
export interface CopyPath {
  /** Would a copy offered now be refused? (Checked before forwarding, so a refused one costs nothing.) */
  full(): boolean;
  /** Hand over a copy; false when refused (the caller counts it dropped). */
  offer(job: CopyJob): boolean;
  /** Count what became of a request the client path did not hand over, or saw refused. */
  count(outcome: MirrorOutcome | 'request' | 'rejected'): void;
  stats(): Promise<CopyStats>;
  /**
   * Take no more copies; let queued ones run for at most `queuedMs` (the rest are dropped and
   * counted) and wait for running ones (bounded by their timeout).
   */
  close(queuedMs: number): Promise<void>;
}
