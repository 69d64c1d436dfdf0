/**
 * The copy path of `gauntlet mirror`: a bounded queue of copies, a small pool sending each to the
 * candidate (and any secondary) under the primary's pair id, the primary's exchange described from
 * what the client got, a live verdict with the shape classifier and noise model, spans and
 * Prometheus metrics. It runs wherever it is put — in the `gauntlet mirror` process (at the lowest
 * CPU priority) with the client's path in a proxy process of its own, or beside the proxy in one
 * thread for a library user or a test — and never touches the client's path.
 */
import { ROOT_CONTEXT, SpanKind, createTraceState, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { Agent } from 'undici';
import type { ObservedPair } from '../../analyze/index.ts';
import { NoiseSchema, type NoiseRules } from '../../config/index.ts';
import type { LedgerMatcher } from '../../gate/index.ts';
import { runExchange, type ExchangeEvent, type ExchangeRequest, type ExchangeResult, type ProbeSubscriber, type RuntimeRole } from '../../probe/index.ts';
import { DEFAULT_REDACTION, parseUpstream, redactUrl, type RedactionRules, type Upstream } from '../../record/index.ts';
import * as A from '../../telemetry/attributes.ts';
import { MIRROR_OUTCOMES, PAIR_RESULTS, type GauntletMetrics, type MirrorOutcome } from '../../telemetry/metrics.ts';
import { createMetricsSubscriber } from '../../telemetry/metrics-probe.ts';
import { createSpanSubscriber } from '../../telemetry/probe-spans.ts';
import type { HarnessTelemetry } from '../../telemetry/tracing.ts';
import { LiveJudge, type LabelledPairFinding } from '../../app/mirror-live-judge.ts';
import { describeAnswer, memoRedactor, observe } from './observe.ts';
import { BoundedWorkQueue } from './queue.ts';
import type { CopyJob, CopyPath, CopyStats, MirrorRuntime } from './types.ts';

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
  noise?: NoiseRules;
  ledger?: LedgerMatcher;
  queue?: number;
  maxQueueBytes?: number;
  concurrency?: number;
  /** Per copy: how long the candidate / a secondary may take. */
  timeoutMs?: number;
  /** Response bytes compared. */
  maxBodyBytes?: number;
  maxEventBodyBytes?: number;
  /** First sighting of each divergence, internal errors. Never carries a secret (bodies are redacted first). */
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
  private readonly judge: LiveJudge;
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
    this.judge = new LiveJudge(opts.noise ?? NoiseSchema.parse({}), opts.ledger);
    this.redact = memoRedactor(this.rules);
    // Secrets never reach a span: the same redaction rules as recordings apply to captured bodies.
    this.spans = createSpanSubscriber(opts.telemetry.tracer, {
      maxEventBodyBytes: opts.maxEventBodyBytes ?? 256 * 1024,
      redactBody: this.redact,
      redactUrl: (url) => redactUrl(url, this.rules),
    });
    this.subscribers = [this.spans, createMetricsSubscriber(opts.metrics)];
    const concurrency = opts.concurrency ?? 16;
    // At most `concurrency` connections per runtime: a hanging candidate holds a bounded number of sockets.
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: concurrency });
    this.counts = { requests: 0, rejected: 0, outcomes: zero(MIRROR_OUTCOMES), pairs: zero(PAIR_RESULTS), divergences: 0, jobErrors: 0 };
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
    return { ...c, outcomes: { ...c.outcomes }, pairs: { ...c.pairs }, queued: this.queue.depth, inFlight: this.queue.inFlight };
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
    const pairSpan = tracer.startSpan(
      `pair ${job.caseId}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: job.startTime,
        attributes: { [A.ATTR_GAUNTLET_RUN_ID]: runId, [A.ATTR_GAUNTLET_DRIVER]: 'mirror', [A.ATTR_GAUNTLET_SERVICE]: service, [A.ATTR_GAUNTLET_CASE]: job.caseId, [A.ATTR_GAUNTLET_PAIR_ID]: job.pairId },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, pairSpan);
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

  /** Send the copies, describe every side, judge, publish. */
  private async run(job: CopyJob): Promise<void> {
    const { runId, service, metrics } = this.opts;
    const { pairSpan, ctx, event } = this.startPrimary(job);
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
        // A runtime's configured headers win, as in replay.
        headers: { ...job.headers, ...rt.headers },
        ...(body !== undefined ? { body } : {}),
        parent: ctx,
      };
      return runExchange(request, { timeoutMs: this.timeoutMs, maxBodyBytes: this.maxBodyBytes, dispatcher: this.agent, subscribers: this.subscribers }).then((result) => ({ request, result }));
    });
    const [primaryResult, ...sent] = await Promise.all([describeAnswer(job.answer, this.maxBodyBytes), ...sends]);
    for (const s of this.subscribers) s.onEnd!(event, primaryResult);
    pairSpan.end();
    const observed = (request: ExchangeRequest, result: ExchangeResult) => observe(request, request.baseUrl + request.path, result, this.rules, this.redact);
    const pair: ObservedPair = {
      pairId: job.pairId,
      service,
      caseId: job.caseId,
      route: job.route,
      method: job.method,
      startNs: 0n,
      primary: observed(event.request, primaryResult),
      candidate: observed(sent[0]!.request, sent[0]!.result),
      calibration: undefined,
      secondaries: sent.slice(1).map((s) => observed(s.request, s.result)),
    };
    const verdict = this.judge.judge(pair);
    this.count('mirrored');
    this.counts.pairs[verdict.result]++;
    metrics.pairs.inc({ service, method: job.method, route: job.route, result: verdict.result });
    for (const f of verdict.findings) {
      metrics.divergences.inc({ service, method: job.method, route: job.route, kind: f.kind, class: f.class, label: f.label });
      if (f.first) {
        this.counts.divergences++;
        this.log(this.announce(job, f));
      }
    }
    for (const s of verdict.suppressed) metrics.mirrorNoise.inc({ service, reason: s.category });
  }

  private announce(job: CopyJob, f: LabelledPairFinding): string {
    const clip = (s: string | undefined) => (s === undefined ? '(absent)' : s.length > 160 ? `${s.slice(0, 160)}…` : s);
    const sides = f.left !== undefined || f.right !== undefined ? ` · ${this.primary.name}: ${clip(f.left)} · ${this.copies[0]!.name}: ${clip(f.right)}` : '';
    return `mirror: ${f.label} divergence [${f.kind}/${f.class}] ${job.method} ${job.route} ${f.path || '(body)'}${sides}`;
  }
}
