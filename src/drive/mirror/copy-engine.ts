/**
 * The copy path of `gauntlet mirror`: a bounded queue of copies, a small pool sending each to the
 * candidate (and any secondary) under the primary's pair id, the primary's exchange described from
 * what the client got, a live verdict with the shape classifier and noise model, spans and
 * Prometheus metrics. It runs wherever it is put — in the `gauntlet mirror` process (at the lowest
 * CPU priority) with the client's path in a proxy process of its own, or beside the proxy in one
 * thread for a library user or a test — and never touches the client's path.
 */
import { ROOT_CONTEXT, createTraceState, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { Agent } from 'undici';
import { runExchange, type ExchangeEvent, type ExchangeRequest, type ProbeSubscriber, type RuntimeRole } from '../../probe/index.ts';
import { DEFAULT_REDACTION, parseUpstream, redactHeaders, redactUrl, type RedactionRules, type Upstream } from '../../record/index.ts';
import * as A from '../../contract/attributes.ts';
import { MIRROR_OUTCOMES, type GauntletMetrics, type MirrorOutcome } from '../../telemetry/metrics.ts';
import { createMetricsSubscriber } from '../../telemetry/metrics-probe.ts';
import { createSpanSubscriber } from '../../telemetry/probe-spans.ts';
import type { HarnessTelemetry } from '../../telemetry/tracing.ts';
import { describeAnswer, memoRedactor } from './observe.ts';
import { BoundedWorkQueue } from './queue.ts';
import type { CopyJob, CopyPath, CopyStats, MirrorRuntime } from './types.ts';
import { mergeHeaders, startPairSpan } from '../pair.ts';

export interface CopyEngineOptions {
  runId: string;
  service: string;
  primary: MirrorRuntime;
  candidate: MirrorRuntime;
  /** A/A instances of the primary: differences they show too are noise (Diffy). */
  secondaries?: readonly MirrorRuntime[];
  telemetry: Pick<HarnessTelemetry, 'tracer' | 'ids'>;
  metrics: GauntletMetrics;
  rules?: RedactionRules;
  /** Response headers recorded on spans beyond the built-in list (the config's `noise.headers.compare`). */
  recordHeaders?: readonly string[];
  queue?: number;
  maxQueueBytes?: number;
  concurrency?: number;
  /** Per copy: how long the candidate / a secondary may take. */
  timeoutMs?: number;
  /** Response bytes compared. */
  maxBodyBytes?: number;
  maxEventBodyBytes?: number;
  /** Internal errors. Never carries a secret. */
  log?: (line: string) => void;
  /** A job left the engine (finished, failed or abandoned), with its body bytes: the remote copy path acks it to the proxy. */
  onJobDone?: (bytes: number) => void;
}

interface Side {
  name: string;
  role: RuntimeRole;
  upstream: Upstream;
  headers: Record<string, string>;
}

const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const jobBytes = (job: CopyJob) => job.answer.raw.byteLength + (job.body?.byteLength ?? 0);

export class CopyEngine implements CopyPath {
  private readonly primary: Side;
  private readonly copies: Side[];
  private readonly rules: RedactionRules;
  private readonly redact: (text: string, contentType: string | undefined) => string;
  private readonly spans: ProbeSubscriber;
  private readonly subscribers: ProbeSubscriber[];
  private readonly agent: Agent;
  private readonly queue: BoundedWorkQueue<CopyJob>;
  private readonly counts: Omit<CopyStats, 'queued' | 'inFlight'>;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly log: (line: string) => void;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: CopyEngineOptions) {
    const side = (rt: MirrorRuntime, role: RuntimeRole, option: string): Side => ({ name: rt.name, role, upstream: parseUpstream(rt.url, option), headers: rt.headers ?? {} });
    this.primary = side(opts.primary, 'primary', '--primary');
    this.copies = [side(opts.candidate, 'candidate', '--candidate'), ...(opts.secondaries ?? []).map((s) => side(s, 'secondary', '--secondary'))];
    this.rules = opts.rules ?? DEFAULT_REDACTION;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
    this.log = opts.log ?? (() => {});
    this.redact = memoRedactor(this.rules);
    // Secrets never reach a span: the same redaction rules as recordings apply to captured bodies.
    this.spans = createSpanSubscriber(opts.telemetry.tracer, {
      maxEventBodyBytes: opts.maxEventBodyBytes ?? 256 * 1024,
      redactBody: this.redact,
      redactUrl: (url) => redactUrl(url, this.rules),
      redactHeaders: (headers) => redactHeaders(headers, this.rules),
      ...(opts.recordHeaders ? { recordHeaders: opts.recordHeaders } : {}),
    });
    this.subscribers = [this.spans, createMetricsSubscriber(opts.metrics)];
    const concurrency = opts.concurrency ?? 16;
    // At most `concurrency` connections per runtime: a hanging candidate holds a bounded number of sockets.
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: concurrency });
    this.counts = { requests: 0, rejected: 0, outcomes: zero(MIRROR_OUTCOMES), jobErrors: 0 };
    const { metrics, service } = opts;
    this.queue = new BoundedWorkQueue<CopyJob>({
      capacity: opts.queue ?? 1000,
      maxBytes: opts.maxQueueBytes ?? 64 * 1024 * 1024,
      concurrency,
      run: (job) => this.run(job).finally(() => opts.onJobDone?.(jobBytes(job))),
      onError: (err) => {
        this.counts.jobErrors++;
        this.log(`mirror: a copy failed inside gauntlet: ${(err as Error).message}`);
      },
      onChange: (depth, inFlight) => {
        metrics.mirrorQueueDepth.set({ service }, depth);
        metrics.mirrorInFlight.set({ service }, inFlight);
      },
    });
    // Every series a panel divides by exists from the start, at 0.
    for (const outcome of MIRROR_OUTCOMES) metrics.mirrorRequests.inc({ service, outcome }, 0);
    metrics.mirrorDropped.inc({ service }, 0);
    metrics.mirrorQueueDepth.set({ service }, 0);
    metrics.mirrorInFlight.set({ service }, 0);
  }

  full(): boolean {
    return this.queue.full();
  }

  offer(job: CopyJob): boolean {
    return this.queue.offer(job, jobBytes(job));
  }

  count(outcome: MirrorOutcome | 'request' | 'rejected', n = 1): void {
    if (outcome === 'request') this.counts.requests += n;
    else if (outcome === 'rejected') this.counts.rejected += n;
    else {
      this.counts.outcomes[outcome] += n;
      this.opts.metrics.mirrorRequests.inc({ service: this.opts.service, outcome }, n);
      if (outcome === 'dropped') this.opts.metrics.mirrorDropped.inc({ service: this.opts.service }, n);
    }
  }

  snapshot(): CopyStats {
    const c = this.counts;
    return { ...c, outcomes: { ...c.outcomes }, queued: this.queue.depth, inFlight: this.queue.inFlight };
  }

  async stats(): Promise<CopyStats> {
    return this.snapshot();
  }

  close(queuedMs: number): Promise<void> {
    this.closing ??= (async () => {
      // Running copies are bounded by their own timeout; the extra second is a backstop.
      const { abandoned } = await this.queue.drain(queuedMs, this.timeoutMs + 1_000);
      if (abandoned) this.count('dropped', abandoned);
      await this.agent.destroy();
    })();
    return this.closing;
  }

  /** The pair span and the primary's CLIENT span, with the ids the primary was sent. */
  private startPrimary(job: CopyJob): { pairSpan: Span; ctx: Context; event: ExchangeEvent } {
    const { tracer, ids } = this.opts.telemetry;
    const { runId, service } = this.opts;
    // A client's own trace context is kept: the mirror is one more hop in its trace.
    const parent = job.parentSpanId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: job.traceId,
          spanId: job.parentSpanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
          ...(job.traceState ? { traceState: createTraceState(job.traceState) } : {}),
        })
      : ROOT_CONTEXT;
    // A root pair span takes the trace id the primary was sent; a child one inherits the client's.
    ids.preset({ spanId: job.pairSpanId, ...(job.parentSpanId ? {} : { traceId: job.traceId }) });
    const { span: pairSpan, ctx } = startPairSpan(tracer, { runId, driver: 'mirror', service, caseId: job.caseId, pairId: job.pairId }, { startTime: job.startTime, parent });
    const p = this.primary;
    const request: ExchangeRequest = {
      runId,
      driver: 'mirror',
      service,
      runtime: p.name,
      role: 'primary',
      caseId: job.caseId,
      pairId: job.pairId,
      baseUrl: p.upstream.url.origin,
      method: job.method,
      path: p.upstream.prefix + job.target,
      route: job.route,
      headers: {},
      parent: ctx,
    };
    const event: ExchangeEvent = { request, url: p.upstream.url.origin + request.path, headers: {}, startedAt: performance.now(), startTime: job.startTime };
    ids.preset({ spanId: job.primarySpanId });
    this.spans.onStart!(event);
    return { pairSpan, ctx, event };
  }

  /**
   * Send the copies and describe every side as spans — nothing more. The copy path hands nothing to
   * judgement: the mirror's verdicts come from the store, through the analyser every run goes through.
   */
  private async run(job: CopyJob): Promise<void> {
    const { runId, service } = this.opts;
    const { ctx, event, pairSpan } = this.startPrimary(job);
    const body = job.body ? Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength) : undefined;
    const sends = this.copies.map((rt) => {
      const request: ExchangeRequest = {
        runId,
        driver: 'mirror',
        service,
        runtime: rt.name,
        role: rt.role,
        caseId: job.caseId,
        pairId: job.pairId,
        baseUrl: rt.upstream.url.origin,
        method: job.method,
        path: rt.upstream.prefix + job.target,
        route: job.route,
        headers: mergeHeaders(job.headers, rt.headers),
        ...(body !== undefined ? { body } : {}),
        parent: ctx,
      };
      return runExchange(request, { timeoutMs: this.timeoutMs, maxBodyBytes: this.maxBodyBytes, dispatcher: this.agent, subscribers: this.subscribers });
    });
    const [primaryResult] = await Promise.all([describeAnswer(job.answer, this.maxBodyBytes), ...sends]);
    for (const s of this.subscribers) s.onEnd!(event, primaryResult);
    pairSpan.end();
    this.count('mirrored');
  }
}
