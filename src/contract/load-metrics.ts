/**
 * What a load run puts in the store — names are API (dashboards and `gauntlet load --run` read
 * them; documented in the README). Standard names come from @opentelemetry/semantic-conventions;
 * the harness's own live under `gauntlet.load.*`.
 */
import { METRIC_HTTP_CLIENT_REQUEST_DURATION } from '@opentelemetry/semantic-conventions';

/** Seconds from the actual send to the last response byte (the semconv meaning). */
export const METRIC_SENT_DURATION = METRIC_HTTP_CLIENT_REQUEST_DURATION;
/** Seconds from the iteration's intended start (the arrival schedule) to the last response byte: free of coordinated omission. */
export const METRIC_INTENDED_LATENCY = 'gauntlet.load.request.latency';
/** Iterations that completed (or failed) — k6's `iterations`. */
export const METRIC_ITERATIONS = 'gauntlet.load.iterations';
/** Iterations the arrival schedule asked for (open model only). */
export const METRIC_SCHEDULED = 'gauntlet.load.iterations.scheduled';
/** Iterations not started because every VU up to maxVUs was busy — k6's `dropped_iterations`. */
export const METRIC_DROPPED = 'gauntlet.load.dropped_iterations';
/** In flight when gracefulStop ran out; aborted, and counted as errors in the latency series. */
export const METRIC_INTERRUPTED = 'gauntlet.load.interrupted_iterations';
/** Gauges per block: target and achieved iteration rate (per second), VUs allocated. */
export const METRIC_RATE_TARGET = 'gauntlet.load.rate.target';
export const METRIC_RATE_ACHIEVED = 'gauntlet.load.rate.achieved';
export const METRIC_VUS = 'gauntlet.load.vus';
/** Imported k6 end-of-test summaries: one gauge per (metric, stat) — e.g. http_req_duration / p(95), in the summary's unit. */
export const METRIC_K6_SUMMARY = 'gauntlet.load.k6.summary';

export const LOAD_METRIC_NAMES = [
  METRIC_SENT_DURATION,
  METRIC_INTENDED_LATENCY,
  METRIC_ITERATIONS,
  METRIC_SCHEDULED,
  METRIC_DROPPED,
  METRIC_INTERRUPTED,
  METRIC_RATE_TARGET,
  METRIC_RATE_ACHIEVED,
  METRIC_VUS,
  METRIC_K6_SUMMARY,
] as const;

export const ATTR_SCENARIO = 'gauntlet.scenario';
/** 2xx | 3xx | 4xx | 5xx | error (transport failure): a low-cardinality stand-in for the status code. */
export const ATTR_STATUS_CLASS = 'gauntlet.status_class';
export const ATTR_EXECUTOR = 'gauntlet.load.executor';
/** k6 summary gauges: which k6 metric (with its `{tag:value}` selector) and which stat. */
export const ATTR_K6_METRIC = 'gauntlet.k6.metric';
export const ATTR_K6_STAT = 'gauntlet.k6.stat';

/** On the run span: the plan as JSON (scenarios, executors, thresholds), so the store alone can re-judge the run. */
export const ATTR_LOAD_PLAN = 'gauntlet.load.plan';
/** On the run span: where the numbers came from — gauntlet (the built-in engine), k6-json or k6-summary. */
export const ATTR_LOAD_SOURCE = 'gauntlet.load.source';
/** On the run span: set when an abortOnFail threshold stopped the run (`scenario runtime metric threshold`). */
export const ATTR_LOAD_ABORTED = 'gauntlet.load.aborted';
/** On the run span: measured blocks run and planned; with `gauntlet.run.incomplete` they say how far an interrupted run got. */
export const ATTR_LOAD_BLOCKS = 'gauntlet.load.blocks';
export const ATTR_LOAD_BLOCKS_PLANNED = 'gauntlet.load.blocks.planned';
