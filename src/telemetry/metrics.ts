/**
 * gauntlet's own Prometheus metrics: the one documented set (README "Metrics"). Names are API —
 * the dashboards under grafana/ and any alert rule depend on them.
 *
 * Conventions: base units (seconds, ratios 0–1), `_total` on counters only, and low-cardinality
 * labels — route *templates* and methods, runtime and service names, closed vocabularies
 * (outcome, result, kind, class, label, verdict). Never a raw URL, a case id, a run id or a hash:
 * those belong on spans, where the store keeps them per exchange.
 *
 * Each set lives in its own Registry (never prom-client's global one), so a watch daemon, a batch
 * run's push and a test can hold several side by side.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Latency buckets in seconds: OpenTelemetry's advised `http.server.request.duration` buckets
 * (0.005 … 10) preceded by five finer ones (100 µs … 2.5 ms) on the same 1–2.5–5 ladder. The twins
 * answer in well under a millisecond: with the advised buckets alone every exchange falls into
 * (0, 5 ms], so p50/p95/p99 and their ratio would be interpolation inside one bucket, not a
 * measurement. Five extra buckets per series are the price of seeing sub-millisecond shifts.
 */
export const LATENCY_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

import { OUTCOMES, PAIR_RESULTS, FINDING_LABELS, GATE_VERDICTS, MIRROR_OUTCOMES, NOISE_REASONS, type Outcome } from '../contract/vocabularies.ts';
export { OUTCOMES, PAIR_RESULTS, FINDING_LABELS, GATE_VERDICTS, MIRROR_OUTCOMES, NOISE_REASONS, outcomeOf, type Outcome, type PairResult, type MirrorOutcome, type NoiseReason } from '../contract/vocabularies.ts';

/** prom-client's default metrics, minus the three gauges whose `_total` suffix `promtool check metrics` rejects. */
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Process and Node.js runtime metrics (`process_*`, `nodejs_*`) that pass `promtool check metrics`:
 * the per-type `nodejs_active_handles` etc. stay, their sums (gauges named `_total`) go.
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
}

export interface GauntletMetrics {
  readonly registry: Registry;
  readonly exchanges: Counter<'driver' | 'service' | 'runtime' | 'role' | 'method' | 'route' | 'outcome'>;
  readonly exchangeDuration: Histogram<'driver' | 'service' | 'runtime' | 'role' | 'method' | 'route'>;
  readonly pairs: Counter<'service' | 'method' | 'route' | 'result'>;
  readonly divergences: Counter<'service' | 'method' | 'route' | 'kind' | 'class' | 'label'>;
  readonly findings: Gauge<'service' | 'label'>;
  readonly gateVerdict: Gauge<'verdict'>;
  readonly gateScore: Gauge;
  readonly gateRules: Gauge<'rule' | 'status'>;
  readonly gateFailedRules: Gauge<'service' | 'route' | 'rule'>;
  readonly lastJudged: Gauge;
  /** Per route, runtime and inner operation (service.name + span name + kind) of the latest judged run. */
  readonly traceCallsPerRequest: Gauge<'service' | 'route' | 'runtime' | 'operation_service' | 'operation' | 'kind'>;
  readonly traceSelfTime: Gauge<'service' | 'route' | 'runtime' | 'operation_service' | 'operation' | 'kind' | 'stat'>;
  readonly mirrorDropped: Counter<'service'>;
  readonly mirrorRequests: Counter<'service' | 'outcome'>;
  readonly mirrorQueueDepth: Gauge<'service'>;
  readonly mirrorInFlight: Gauge<'service'>;
  readonly mirrorNoise: Counter<'service' | 'reason'>;
  readonly watchCycles: Counter<'result'>;
  readonly watchCycleDuration: Gauge;
  readonly watchLastCycle: Gauge;
}

export interface GauntletMetricsOptions {
  registry?: Registry;
  /** Add process_* / nodejs_* (a long-running watch wants them; a batch push must not carry a dead process's). */
  processMetrics?: boolean;
  version?: string;
}

/** Create the documented set in a fresh (or the given) registry. */
export function createGauntletMetrics(opts: GauntletMetricsOptions = {}): GauntletMetrics {
  const registry = opts.registry ?? new Registry();
  const registers = [registry];
  if (opts.processMetrics) collectProcessMetrics(registry);

  new Gauge({ name: 'gauntlet_build_info', help: 'Always 1; the gauntlet version that produced these series.', labelNames: ['version'], registers }).set(
    { version: opts.version ?? '0.1.0' },
    1,
  );

  return {
    registry,
    exchanges: new Counter({
      name: 'gauntlet_exchanges_total',
      help: 'Exchanges the probe sent, by runtime, route template and outcome (status class, or error when no response came back).',
      labelNames: ['driver', 'service', 'runtime', 'role', 'method', 'route', 'outcome'],
      registers,
    }),
    exchangeDuration: new Histogram({
      name: 'gauntlet_exchange_duration_seconds',
      help: 'Client-side duration of probe exchanges (request start to last body byte), per runtime and route template.',
      labelNames: ['driver', 'service', 'runtime', 'role', 'method', 'route'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    pairs: new Counter({
      name: 'gauntlet_pairs_total',
      help: 'Judged pairs (one request sent to primary and candidate) by result: match, diverge, status_mismatch or incomplete.',
      labelNames: ['service', 'method', 'route', 'result'],
      registers,
    }),
    divergences: new Counter({
      name: 'gauntlet_divergences_total',
      help: 'Pairs showing a divergence, by taxonomy kind and class and by ledger label (new, known, regressed).',
      labelNames: ['service', 'method', 'route', 'kind', 'class', 'label'],
      registers,
    }),
    findings: new Gauge({
      name: 'gauntlet_findings',
      help: 'Distinct findings in the latest judged run, by ledger label (resolved = open ledger entries that did not reproduce).',
      labelNames: ['service', 'label'],
      registers,
    }),
    gateVerdict: new Gauge({
      name: 'gauntlet_gate_verdict',
      help: 'Verdict of the latest gate evaluation: 1 for the verdict it reached, 0 for the others.',
      labelNames: ['verdict'],
      registers,
    }),
    gateScore: new Gauge({ name: 'gauntlet_gate_score_ratio', help: 'Kayenta-style score of the latest gate evaluation: judged rules that passed, 0–1.', registers }),
    gateRules: new Gauge({
      name: 'gauntlet_gate_rules',
      help: 'Gate rules of the latest evaluation by rule kind and status (pass, fail, inconclusive).',
      labelNames: ['rule', 'status'],
      registers,
    }),
    gateFailedRules: new Gauge({
      name: 'gauntlet_gate_failed_rules',
      help: 'Failed gate rules of the latest evaluation per service, route template and rule kind (0 for rules that passed).',
      labelNames: ['service', 'route', 'rule'],
      registers,
    }),
    lastJudged: new Gauge({ name: 'gauntlet_last_judged_timestamp_seconds', help: 'Unix time the latest run was judged.', registers }),
    // Operation labels are span names, which semconv keeps low-cardinality (route templates, not URLs).
    traceCallsPerRequest: new Gauge({
      name: 'gauntlet_trace_calls_per_request',
      help: 'Mean calls per request of an inner operation (service.name + span name + kind) under a route, per runtime, in the latest judged run.',
      labelNames: ['service', 'route', 'runtime', 'operation_service', 'operation', 'kind'],
      registers,
    }),
    traceSelfTime: new Gauge({
      name: 'gauntlet_trace_self_time_seconds',
      help: 'Self time per call (duration minus the union of its children) of an inner operation under a route, per runtime, by stat p50/p95/p99 (a gauge, not a summary: `quantile` is reserved for summaries), latest judged run.',
      labelNames: ['service', 'route', 'runtime', 'operation_service', 'operation', 'kind', 'stat'],
      registers,
    }),
    mirrorDropped: new Counter({
      name: 'gauntlet_mirror_queue_dropped_total',
      help: 'Mirrored requests dropped because the mirror queue was full (the live traffic is never slowed instead).',
      labelNames: ['service'],
      registers,
    }),
    mirrorRequests: new Counter({
      name: 'gauntlet_mirror_requests_total',
      help: 'Requests the mirror answered from the primary, by what became of their copy: mirrored, dropped, unsafe, too_large, primary_failed or sampled_out.',
      labelNames: ['service', 'outcome'],
      registers,
    }),
    mirrorQueueDepth: new Gauge({ name: 'gauntlet_mirror_queue_depth', help: 'Mirror jobs waiting for a free slot.', labelNames: ['service'], registers }),
    mirrorInFlight: new Gauge({ name: 'gauntlet_mirror_in_flight', help: 'Mirror jobs sending to the candidate (and secondaries) or being compared now.', labelNames: ['service'], registers }),
    mirrorNoise: new Counter({
      name: 'gauntlet_mirror_noise_total',
      help: 'Differences the noise model suppressed in mirrored pairs (judged from the store), by reason: ignore (rule), volatile (same format), calibration, aa (the A/A secondary differs too), other (tolerance, noise headers).',
      labelNames: ['service', 'reason'],
      registers,
    }),
    watchCycles: new Counter({ name: 'gauntlet_watch_cycles_total', help: 'Probe cycles of gauntlet watch, by result (ok, error).', labelNames: ['result'], registers }),
    watchCycleDuration: new Gauge({ name: 'gauntlet_watch_cycle_duration_seconds', help: 'Wall time of the latest watch cycle: drive, settle, judge.', registers }),
    watchLastCycle: new Gauge({ name: 'gauntlet_watch_last_cycle_timestamp_seconds', help: 'Unix time the latest watch cycle ended.', registers }),
  };
}
