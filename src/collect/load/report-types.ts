/**
 * The load report: what `gauntlet load` prints and writes with --json, whether the numbers came
 * from the built-in engine or from an imported k6 run. Every field is always present (null when the
 * source cannot say, e.g. p99 from a k6 summary without it in summaryTrendStats), so tooling can
 * read both the same way.
 */
import type { RouteVerdict } from '../../judge/index.ts';

export type LoadSource = 'gauntlet' | 'k6-json' | 'k6-summary' | 'k6-otlp';

/** Milliseconds. */
export interface LatencyStats {
  count: number;
  min: number | null;
  avg: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface ThresholdResult {
  /** k6 key, e.g. http_req_duration or http_req_duration{route:/v1/x}. */
  metric: string;
  threshold: string;
  /** The aggregated value compared (ms for durations, per second for counter rates); null when unknown. */
  observed: number | null;
  ok: boolean;
  abortOnFail: boolean;
}

export interface RuntimeSummary {
  runtime: string;
  role: string | null;
  /** Iterations per second the schedule asked for (arrival-rate executors), and achieved. */
  targetRate: number | null;
  achievedRate: number | null;
  requests: number;
  errors: number;
  errorRate: number | null;
  iterations: number;
  droppedIterations: number;
  interruptedIterations: number;
  vusMax: number | null;
  /** From the intended start (coordinated-omission free); k6 sources measure from the send. */
  latency: LatencyStats;
  /** From the actual send; null when the source has only one measure. */
  latencySent: LatencyStats | null;
  thresholds: ThresholdResult[];
}

export interface RouteSummary {
  method: string;
  route: string;
  runtimes: Array<{ runtime: string; requests: number; errors: number; latency: LatencyStats }>;
  /** b (second runtime) against a (first): slower / faster / pass / inconclusive; null when there is no distribution to judge. */
  verdict: RouteVerdict | null;
}

export interface ScenarioSummary {
  name: string;
  executor: string | null;
  runtimes: RuntimeSummary[];
  routes: RouteSummary[];
  /** For charts: the measured blocks in time order and each runtime's latency CDF; null when the source has no per-block points (a k6 summary). */
  timeline: LoadTimeline | null;
}

/** One measured block of one runtime (ms latencies from the intended start, like the percentiles above). */
export interface LoadBlock {
  runtime: string;
  /** Seconds from the scenario's first measured block to this block's start, and the block's sending window. */
  t: number;
  seconds: number;
  requests: number;
  rate: number | null;
  targetRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface LoadTimeline {
  blocks: LoadBlock[];
  /** Per runtime, [ms, share of requests ≤ ms] at the histogram's bucket bounds (thinned). */
  cdf: Array<{ runtime: string; points: Array<[number, number]> }>;
}

export interface LoadReport {
  runId: string;
  service: string;
  source: LoadSource;
  /** [A, B]: verdicts say how B compares with A. */
  runtimes: string[];
  scenarios: ScenarioSummary[];
  /** Set when an abortOnFail threshold stopped the run early. */
  aborted: string | null;
  /** Set when the run was interrupted (SIGINT): the numbers cover only the blocks that ran. */
  incomplete: { blocks: number; planned: number } | null;
  thresholdsFailed: number;
  slower: number;
  notes: string[];
}

/** The plan as recorded on the run span (ATTR_LOAD_PLAN): enough to re-judge the run from the store. */
export interface RecordedPlan {
  service: string;
  runtimes: Array<{ name: string; role: string }>;
  source: LoadSource;
  scenarios: Array<{ name: string; executor: string | null; thresholds: RecordedThreshold[] }>;
}

export interface RecordedThreshold {
  metric: string;
  threshold: string;
  abortOnFail: boolean;
  delayAbortEvalMs?: number;
  /** Only for this runtime (k6 thresholds on a `{runtime:…}` sub-metric). */
  runtime?: string;
}
