/**
 * The engine's plan and the messages between the orchestrating thread and its workers. Everything
 * here is structured-clone data: a worker rebuilds requests from the workload spec (seeded, a pure
 * function of the iteration index) instead of receiving bodies.
 */
import type { VectordWorkload } from '../../daemons/vectord/workload.ts';
import type { Threshold } from '../../config/thresholds.ts';
import type { Profile } from './schedule.ts';
import type { ThresholdKey } from '../../config/threshold-keys.ts';
import type { SeriesResult } from '../../collect/load/hdr.ts';
export type { SeriesResult };

export interface HttpRequestSpec {
  method: string;
  path: string;
  route: string;
  headers: Record<string, string>;
  body?: string;
}

export type WorkloadSpec = { kind: 'vectord'; workload: VectordWorkload } | { kind: 'http'; requests: HttpRequestSpec[] };

/** Open model: a rate profile in iterations per ms. Closed model: a VU-count profile. */
export type ExecutorPlan =
  | { model: 'open'; rate: Profile; preAllocatedVUs: number; maxVUs: number }
  | { model: 'closed'; vus: Profile };

export interface PlannedThreshold {
  key: ThresholdKey;
  threshold: Threshold;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface PlannedScenario {
  name: string;
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate' | 'constant-vus' | 'ramping-vus' | 'shared-iterations' | 'per-vu-iterations';
  durationMs: number;
  /** shared-iterations / per-vu-iterations: the scenario ends when both runtimes ran maxIterations (maxDuration bounds it). */
  iterationBased?: boolean;
  /** k6 scenario tags, put on the scenario's metric points. */
  tags?: Record<string, string>;
  plan: ExecutorPlan;
  gracefulStopMs: number;
  /** Iterations per runtime, at most. */
  maxIterations: number;
  workload: WorkloadSpec;
  thresholds: PlannedThreshold[];
}

export interface LoadTarget {
  runtime: string;
  role: 'primary' | 'candidate' | 'secondary';
  url: string;
  headers: Record<string, string>;
}

/** Settings every block of a run shares. */
export interface EngineSettings {
  runId: string;
  service: string;
  requestTimeoutMs: number;
  /** Fraction of iterations (chosen by index, the same on both runtimes) that emit a CLIENT span. */
  spanSampleRatio: number;
  /** OTLP/HTTP base URL for the sampled spans; none: no spans. */
  otlpEndpoint: string | undefined;
  maxEventBodyBytes: number;
}

/** One stretch of one scenario's timeline, run against one runtime by every worker at once. */
export interface BlockCommand {
  type: 'block';
  id: number;
  scenario: PlannedScenario;
  target: LoadTarget;
  /** Scenario time the block covers, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** Wall-clock (epoch ms) instant scenario time `fromMs` maps to: all workers start together. */
  startEpochMs: number;
  /** Warm-up blocks run the same way but record nothing. */
  measure: boolean;
  /** Added to iteration indices (warm-up uses a range of its own so measured requests stay identical). */
  indexOffset: number;
}

export type WorkerCommand =
  | { type: 'init'; worker: number; workers: number; settings: EngineSettings }
  | BlockCommand
  | { type: 'stop' };

/** Counts and HdrHistograms (compressed base64) of one block from one worker. */
export interface BlockResult {
  type: 'block-done';
  id: number;
  worker: number;
  /** Scheduled (open model), started, completed; dropped = no free VU under maxVUs. */
  scheduled: number;
  started: number;
  completed: number;
  dropped: number;
  /** In flight when gracefulStop ran out: aborted and recorded as errors. */
  interrupted: number;
  /** Epoch ms: block start, the last actual send (the end of the sending window), the last completion. */
  startEpochMs: number;
  sendEndEpochMs: number;
  /** toMs − fromMs: the block's length on the scenario timeline. */
  nominalMs: number;
  endEpochMs: number;
  maxVUs: number;
  series: SeriesResult[];
}


export interface ProgressMessage {
  type: 'progress';
  worker: number;
  id: number;
  started: number;
  completed: number;
  dropped: number;
  errors: number;
}

export type WorkerMessage = { type: 'ready'; worker: number } | BlockResult | ProgressMessage | { type: 'error'; worker: number; message: string; stack?: string };
