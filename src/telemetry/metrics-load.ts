/**
 * The load engine's Prometheus metrics (the `gauntlet_load_*` names the *vectord load* dashboard
 * reads). A load run makes no span per request, so these series are its live view: the engine
 * pushes this registry to the Pushgateway every few seconds during a run and once at its end —
 * periodic pushes are what let `rate()` see a short run at all.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, outcomeOf } from './metrics.ts';

export interface LoadSeries {
  service: string;
  runtime: string;
  /** Scenario name from the load profile (declarative data, so a closed set). */
  scenario: string;
}

export interface LoadMetrics {
  readonly registry: Registry;
  /** One finished request: its route template, status (undefined = no response) and latency measured from the intended start. */
  observeRequest(series: LoadSeries, route: string, status: number | undefined, seconds: number): void;
  /** The arrival rate the scenario asks for and the one it achieved over the last stage, requests per second. */
  setRates(series: LoadSeries, targetPerSecond: number, achievedPerSecond: number): void;
  /** Iterations that could not start on schedule (no free VU / worker): k6's dropped_iterations. */
  addDroppedIterations(series: LoadSeries, count: number): void;
  /** A k6-syntax threshold (`p(95)<200`) of the scenario and whether it currently holds. */
  setThreshold(series: LoadSeries, threshold: string, passed: boolean): void;
}

export function createLoadMetrics(registry: Registry = new Registry()): LoadMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'gauntlet_load_requests_total',
    help: 'Load-test requests by runtime, scenario, route template and outcome (status class, or error).',
    labelNames: ['service', 'runtime', 'scenario', 'route', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'gauntlet_load_request_duration_seconds',
    help: 'Load-test request latency from the intended start time (no coordinated omission), per runtime, scenario and route template.',
    labelNames: ['service', 'runtime', 'scenario', 'route'],
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const target = new Gauge({
    name: 'gauntlet_load_target_requests_per_second',
    help: 'Arrival rate the load scenario asks for.',
    labelNames: ['service', 'runtime', 'scenario'],
    registers,
  });
  const achieved = new Gauge({
    name: 'gauntlet_load_achieved_requests_per_second',
    help: 'Arrival rate the load scenario achieved over its latest stage.',
    labelNames: ['service', 'runtime', 'scenario'],
    registers,
  });
  const dropped = new Counter({
    name: 'gauntlet_load_dropped_iterations_total',
    help: 'Iterations that could not start on schedule because no worker was free (k6 dropped_iterations).',
    labelNames: ['service', 'runtime', 'scenario'],
    registers,
  });
  const thresholds = new Gauge({
    name: 'gauntlet_load_threshold_passed',
    help: 'Whether a threshold of the scenario holds (1) or is crossed (0); the threshold label is its k6-syntax expression.',
    labelNames: ['service', 'runtime', 'scenario', 'threshold'],
    registers,
  });
  const seen = new Set<string>();
  return {
    registry,
    observeRequest(series, route, status, seconds) {
      const key = [series.service, series.runtime, series.scenario, route].join('\u0000');
      // Error panels filter on 5xx|error: write them at 0 so "no errors" is a 0, not "no data".
      if (!seen.has(key)) {
        seen.add(key);
        for (const outcome of ['2xx', '4xx', '5xx', 'error']) requests.inc({ ...series, route, outcome }, 0);
        dropped.inc(series, 0);
      }
      requests.inc({ ...series, route, outcome: outcomeOf(status) });
      duration.observe({ ...series, route }, seconds);
    },
    setRates(series, targetPerSecond, achievedPerSecond) {
      target.set({ ...series }, targetPerSecond);
      achieved.set({ ...series }, achievedPerSecond);
    },
    addDroppedIterations(series, count) {
      dropped.inc({ ...series }, count);
    },
    setThreshold(series, threshold, passed) {
      thresholds.set({ ...series, threshold }, passed ? 1 : 0);
    },
  };
}
