import { basename } from 'node:path';
import { context as otelContext, trace, SpanKind } from '@opentelemetry/api';
import type { GauntletConfig } from '../config/index.ts';
import { runExchange, type ExchangeRequest, type ExchangeResult, type ProbeOptions } from '../probe/index.ts';
import { decodeBody, makeRedactionRules, recordingOf, redactBody, redactUrl, routeMatcher, unsafeGate, type RecordedExchange } from '../record/index.ts';
import { driverSpans } from './span-subscriber.ts';
import * as A from '../contract/attributes.ts';
import { scheduleFor, sleepUntil, type Pacing } from './pacing.ts';
import { abbaOrder, exchangeFor, newPairId, startPairSpan } from './pair.ts';
import type { DriveSession as Session } from './session.ts';
import type { RuntimeEndpoint, ServiceEndpoints } from './stack.ts';

/** One recorded request, ready to send to every runtime. */
export interface ReplayEntry {
  seq: number;
  caseId: string;
  tsMs: number;
  method: string;
  /** Path plus raw query. */
  path: string;
  route: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface ReplayPlan {
  /** In timestamp order: an array (in memory), or a stream read as it is sent. */
  entries: Iterable<ReplayEntry> | AsyncIterable<ReplayEntry>;
  /** Unsafe-method entries not sent, by `METHOD route` (for a stream: filled in as it is read). */
  skippedUnsafe: Record<string, number>;
  /** Entries beyond the count bound (a stream stops reading at the bound: always 0 there). */
  overLimit: number;
  /** Entries planned so far (the whole plan once consumed). */
  planned: number;
}

/**
 * Headers a replay must not resend: `host`/`content-length` describe the original hop, the probe
 * injects fresh trace context, and `accept-encoding` is dropped so both runtimes answer with plain
 * bodies — compressed bytes would make every body comparison a byte diff of gzip output.
 */
const NOT_REPLAYED = new Set(['host', 'content-length', 'traceparent', 'tracestate', 'accept-encoding']);

/**
 * `orders.ndjson#12?page=2`: seq numbers restart in every recording, so the case id names its
 * recording (several replayed at once must not merge), and carries the query string, which the
 * route template drops but a reader of a finding needs. Recorded queries are already redacted.
 */
function caseIdOf(x: RecordedExchange): string {
  const file = recordingOf(x);
  const id = file ? `${basename(file)}#${x.seq}` : String(x.seq);
  return x.request.query ? `${id}?${x.request.query}` : id;
}

interface PlanOptions {
  routes?: readonly string[] | undefined;
  safeRoutes: GauntletConfig['replay']['safeRoutes'];
  allowUnsafe: boolean;
  limit: number;
}

/** The entry for one recorded exchange, or why it is not sent. */
function planner(opts: PlanOptions, plan: ReplayPlan): (x: RecordedExchange) => ReplayEntry | 'unsafe' | 'over-limit' {
  const routeOf = routeMatcher(opts.routes);
  const mayReplay = unsafeGate(opts.safeRoutes);
  return (x) => {
    const route = routeOf(x.request.path);
    if (!opts.allowUnsafe && !mayReplay(x.request.method, x.request.path, route)) {
      const key = `${x.request.method} ${route}`;
      plan.skippedUnsafe[key] = (plan.skippedUnsafe[key] ?? 0) + 1;
      return 'unsafe';
    }
    if (plan.planned >= opts.limit) return 'over-limit';
    plan.planned++;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(x.request.headers)) if (!NOT_REPLAYED.has(k)) headers[k] = v;
    const body = decodeBody(x.request);
    return {
      seq: x.seq,
      caseId: caseIdOf(x),
      tsMs: Date.parse(x.ts),
      method: x.request.method,
      path: x.request.query ? `${x.request.path}?${x.request.query}` : x.request.path,
      route,
      headers,
      ...(body !== undefined ? { body } : {}),
    };
  };
}

/** A plan of exchanges held in memory (sorted here). */
export function planReplay(exchanges: readonly RecordedExchange[], opts: PlanOptions): ReplayPlan & { entries: ReplayEntry[] } {
  // Timestamp order (the proxy appends in completion order); ties keep recording order.
  const ordered = exchanges.map((x, i) => ({ x, i, t: Date.parse(x.ts) })).sort((a, b) => a.t - b.t || a.i - b.i);
  const entries: ReplayEntry[] = [];
  const plan = { entries, skippedUnsafe: {}, overLimit: 0, planned: 0 };
  const plan1 = planner(opts, plan);
  for (const { x } of ordered) {
    const e = plan1(x);
    if (e === 'over-limit') plan.overLimit++;
    else if (e !== 'unsafe') entries.push(e);
  }
  return plan;
}

/**
 * A plan read from timestamp-ordered exchanges as they are sent (see replay-stream.ts): memory
 * stays bounded, and reading stops at the limit.
 */
export function streamReplay(exchanges: AsyncIterable<RecordedExchange>, opts: PlanOptions): ReplayPlan {
  const plan: ReplayPlan = { entries: [], skippedUnsafe: {}, overLimit: 0, planned: 0 };
  const plan1 = planner(opts, plan);
  plan.entries = (async function* () {
    for await (const x of exchanges) {
      const e = plan1(x);
      if (e === 'over-limit') return;
      if (e !== 'unsafe') yield e;
    }
  })();
  return plan;
}

export interface LiveCounts {
  done: number;
  /** Undefined for a streamed plan (its length is not known until read). */
  total: number | undefined;
  match: number;
  diverge: number;
}

export interface ReplayDriveResult {
  pairs: number;
  exchanges: number;
  /** Entries not sent because the time bound or an interrupt ended the run. */
  notSent: number;
  /** Worst lateness of a send against its intended time (pacing fidelity). */
  maxLagMs: number;
  /** First send to last answer. */
  elapsedMs: number;
}

/** Entries not sent: the rest of an in-memory plan; for a stream (not read further), at least the one in hand. */
const remaining = (total: number | undefined, i: number) => (total !== undefined ? total - i : 1);

/** Display-only verdict from the probe's own results; the report is judged from the store. */
function looksSame(results: ExchangeResult[]): boolean {
  const [a, ...rest] = results;
  return rest.every((b) => a!.status === b.status && a!.errorType === b.errorType && a!.bodyHash === b.bodyHash);
}

/**
 * Send each entry to every runtime of the service under one pair id, on the pacing's schedule, at
 * most `concurrency` pairs in flight. Like parity, it hands nothing to the analyser: the exchanges
 * exist only as telemetry.
 */
export async function driveReplay(opts: {
  session: Pick<Session, 'runId' | 'telemetry'>;
  service: ServiceEndpoints;
  entries: Iterable<ReplayEntry> | AsyncIterable<ReplayEntry>;
  /** Known up front for an in-memory plan; a stream's total is unknown until read. */
  total?: number;
  pacing: Pacing;
  concurrency: number;
  maxDurationMs: number;
  probe: ProbeOptions;
  signal?: AbortSignal;
  onProgress?: (live: LiveCounts) => void;
}): Promise<ReplayDriveResult> {
  const { service, entries } = opts;
  const { tracer } = opts.session.telemetry;
  const runtimes: RuntimeEndpoint[] = [service.primary, service.candidate, ...service.others];
  const offsetOf = scheduleFor(opts.pacing);
  const total = opts.total ?? (Array.isArray(entries) ? entries.length : undefined);
  const live: LiveCounts = { done: 0, total, match: 0, diverge: 0 };
  let exchanges = 0;
  let maxLagMs = 0;
  let notSent = 0;
  const inFlight = new Set<Promise<void>>();

  const sendPair = async (entry: ReplayEntry, index: number) => {
    const id = { runId: opts.session.runId, driver: 'replay' as const, service: service.service, caseId: entry.caseId, pairId: newPairId() };
    const { span: pairSpan, ctx: parent } = startPairSpan(tracer, id);
    const results: ExchangeResult[] = [];
    for (const rt of abbaOrder(runtimes, index)) {
      results.push(await runExchange(exchangeFor(id, rt, entry, parent), opts.probe));
      exchanges++;
    }
    pairSpan.end();
    live.done++;
    if (looksSame(results)) live.match++;
    else live.diverge++;
    opts.onProgress?.({ ...live });
  };

  const started = performance.now();
  const it = Symbol.asyncIterator in entries ? (entries as AsyncIterable<ReplayEntry>)[Symbol.asyncIterator]() : (entries as Iterable<ReplayEntry>)[Symbol.iterator]();
  let i = 0;
  try {
    for (let next = await it.next(); !next.done; next = await it.next(), i++) {
      const due = offsetOf(next.value.tsMs, i);
      if (opts.signal?.aborted || due > opts.maxDurationMs) {
        notSent = remaining(total, i);
        break;
      }
      await sleepUntil(started + due, opts.signal);
      // The schedule decides what is within the time bound; only a wait for a free slot (which can
      // be long when runtimes stall) is checked against the clock again.
      let waited = false;
      for (; inFlight.size >= opts.concurrency; waited = true) await Promise.race(inFlight);
      if (opts.signal?.aborted || (waited && performance.now() - started > opts.maxDurationMs)) {
        notSent = remaining(total, i);
        break;
      }
      // Lateness only means something against a schedule; `fast` has none.
      if (opts.pacing.mode !== 'fast') maxLagMs = Math.max(maxLagMs, performance.now() - started - due);
      const p = sendPair(next.value, i).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  } finally {
    // Stopped early: close the recordings behind a stream.
    await it.return?.(undefined);
  }
  await Promise.all(inFlight);
  return { pairs: live.done, exchanges, notSent, maxLagMs: Math.round(maxLagMs * 10) / 10, elapsedMs: performance.now() - started };
}

/** The replay phase inside a session: one run span, redaction wired into the span subscriber. */
export async function runReplayPhase(
  session: Session,
  cfg: GauntletConfig,
  opts: { service: string; plan: ReplayPlan; pacing: Pacing; concurrency: number; maxDurationMs: number; recordings: string[]; signal?: AbortSignal; onProgress?: (live: LiveCounts) => void },
): Promise<ReplayDriveResult> {
  const rules = makeRedactionRules(cfg.redact);
  const runSpan = session.telemetry.tracer.startSpan('gauntlet run', {
    kind: SpanKind.INTERNAL,
    root: true,
    attributes: {
      [A.ATTR_GAUNTLET_RUN_ID]: session.runId,
      [A.ATTR_GAUNTLET_DRIVER]: 'replay',
      [A.ATTR_GAUNTLET_RUN_RECORDINGS]: opts.recordings,
      [A.ATTR_GAUNTLET_RUN_SERVICES]: [opts.service],
      [A.ATTR_GAUNTLET_REPLAY_PACING]: opts.pacing.mode === 'recorded' ? `speed=${opts.pacing.speed}` : opts.pacing.mode === 'rate' ? `rate=${opts.pacing.perSecond}` : 'fast',
      // As parity does: `analyze --run` (and the replay's own report) judge with the rules the run used.
      [A.ATTR_GAUNTLET_RUN_NOISE]: JSON.stringify(cfg.noise),
    },
  });
  const subscribers = [
    driverSpans(session.telemetry.tracer, cfg, rules),
  ];
  let result: ReplayDriveResult | undefined;
  try {
    result = await driveReplay({
      session,
      service: session.stack.services.get(opts.service)!,
      entries: opts.plan.entries,
      pacing: opts.pacing,
      concurrency: opts.concurrency,
      maxDurationMs: opts.maxDurationMs,
      probe: { timeoutMs: cfg.probe.timeoutMs, maxBodyBytes: cfg.probe.maxBodyBytes, subscribers },
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    return result;
  } finally {
    runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_PAIRS, result?.pairs ?? 0);
    runSpan.setAttribute(A.ATTR_GAUNTLET_REPLAY_NOT_SENT, result?.notSent ?? 0);
    // Known only once the plan was read (a stream fills it in as it goes).
    runSpan.setAttribute(A.ATTR_GAUNTLET_REPLAY_SKIPPED_UNSAFE, Object.values(opts.plan.skippedUnsafe).reduce((a, b) => a + b, 0));
    runSpan.end();
  }
}
