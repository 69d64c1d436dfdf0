/**
 * The load engine's Prometheus metrics (the `gauntlet_load_*` names the *vectord load* dashboard
 * reads). Names are the standard OTel → Prometheus translation of the engine's own OTLP metric names
 * (src/drive/load/metric-names.ts: `gauntlet.load.request.latency` [s] → …_request_latency_seconds,
 * `gauntlet.load.rate.target` [{iteration}/s] → …_rate_target_per_second, counters → …_total), with
 * short label names like the rest of gauntlet's set.
 *
 * A load run makes no span per request, so these series are its live view: the engine hands each
 * block's OTLP points to `recordPoints` and pushes this registry to the Pushgateway every few
 * seconds and at its end — periodic pushes are what let `rate()` see a short run at all.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import * as M from '../contract/load-metrics.ts';
import { ATTR_GAUNTLET_RUNTIME, ATTR_GAUNTLET_SERVICE } from '../contract/attributes.ts';
import { LATENCY_BUCKETS_SECONDS, outcomeOf } from './metrics.ts';

export interface LoadSeries {
  service: string;
  runtime: string;
  /** Scenario name from the load profile (declarative data, so a closed set). */
  scenario: string;
}

/** The parts of an OTLP metric point (as the engine exports them, delta temporality) this bridge reads. */
export interface LoadPoint {
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
  value?: number | null;
  scale?: number | null;
  zeroCount?: number | null;
  positive?: { offset: number; bucketCounts: ArrayLike<number | bigint | string> } | null;
}

export interface LoadMetrics {
  readonly registry: Registry;
  /** Translate one block's OTLP points (delta counters, gauges, exponential latency histograms). */
  recordPoints(points: readonly LoadPoint[]): void;
  /** One finished request, latency from its intended start; status undefined = no response. */
  observeRequest(series: LoadSeries, request: { method: string; route: string }, status: number | undefined, seconds: number): void;
  /** Target (open model only) and achieved iteration rates, per second. */
  setRates(series: LoadSeries, targetPerSecond: number | undefined, achievedPerSecond: number): void;
  addIterations(series: LoadSeries, completed: number, dropped: number): void;
  setVus(series: LoadSeries, vus: number): void;
  /** A k6-syntax threshold (`p(95)<200`) of the scenario and whether it holds. */
  setThreshold(series: LoadSeries, threshold: string, passed: boolean): void;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function createLoadMetrics(registry: Registry = new Registry()): LoadMetrics {
  const registers = [registry];
  const scenarioLabels = ['service', 'runtime', 'scenario'];
  const latency = new Histogram({
    name: 'gauntlet_load_request_latency_seconds',
    help: 'Load-test request latency from the intended start time (free of coordinated omission), per runtime, scenario, route template and status class.',
    labelNames: [...scenarioLabels, 'method', 'route', 'status_class'],
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const iterations = new Counter({ name: 'gauntlet_load_iterations_total', help: 'Load-test iterations completed (or interrupted).', labelNames: scenarioLabels, registers });
  const dropped = new Counter({
    name: 'gauntlet_load_dropped_iterations_total',
    help: 'Iterations that could not start on schedule because every VU was busy (k6 dropped_iterations).',
    labelNames: scenarioLabels,
    registers,
  });
  const target = new Gauge({ name: 'gauntlet_load_rate_target_per_second', help: 'Iteration rate the scenario asks for (open model).', labelNames: scenarioLabels, registers });
  const achieved = new Gauge({ name: 'gauntlet_load_rate_achieved_per_second', help: 'Iteration rate achieved over the latest block.', labelNames: scenarioLabels, registers });
  const vus = new Gauge({ name: 'gauntlet_load_vus', help: 'VUs allocated in the latest block.', labelNames: scenarioLabels, registers });
  const thresholds = new Gauge({
    name: 'gauntlet_load_threshold_passed',
    help: 'Whether a threshold of the scenario holds (1) or is crossed (0); the threshold label is its k6-syntax expression.',
    labelNames: [...scenarioLabels, 'threshold'],
    registers,
  });
  const seen = new Set<string>();
  const touch = (s: LoadSeries) => {
    // Written at 0 on first sight: "no drops" must read 0, not "no data".
    const key = `${s.service}\u0000${s.runtime}\u0000${s.scenario}`;
    if (seen.has(key)) return;
    seen.add(key);
    iterations.inc({ ...s }, 0);
    dropped.inc({ ...s }, 0);
  };

  return {
    registry,
    recordPoints(points) {
      for (const p of points) {
        const a = p.attributes;
        const s: LoadSeries = { service: str(a[ATTR_GAUNTLET_SERVICE]), runtime: str(a[ATTR_GAUNTLET_RUNTIME]), scenario: str(a[M.ATTR_SCENARIO]) };
        touch(s);
        const value = Number(p.value ?? 0);
        switch (p.name) {
          case M.METRIC_ITERATIONS:
            iterations.inc({ ...s }, value);
            break;
          case M.METRIC_DROPPED:
            dropped.inc({ ...s }, value);
            break;
          case M.METRIC_RATE_TARGET:
            target.set({ ...s }, value);
            break;
          case M.METRIC_RATE_ACHIEVED:
            achieved.set({ ...s }, value);
            break;
          case M.METRIC_VUS:
            vus.set({ ...s }, value);
            break;
          case M.METRIC_INTENDED_LATENCY: {
            if (p.kind !== 'exponential_histogram' || !p.positive || p.scale === undefined || p.scale === null) break;
            const labels = { ...s, method: str(a['http.request.method']), route: str(a['http.route']), status_class: str(a[M.ATTR_STATUS_CLASS]) };
            const base = 2 ** (2 ** -p.scale);
            // Each exponential bucket (base^i, base^(i+1)] is observed at its geometric middle: at
            // the engine's scale that is far inside any explicit bucket it lands in.
            for (let g = 0; g < Number(p.zeroCount ?? 0); g++) latency.observe(labels, 0);
            const counts = p.positive.bucketCounts;
            for (let i = 0; i < counts.length; i++) {
              const at = base ** (p.positive.offset + i + 0.5);
              for (let n = Number(counts[i]); n > 0; n--) latency.observe(labels, at);
            }
            break;
          }
        }
      }
    },
    observeRequest(series, request, status, seconds) {
      touch(series);
      latency.observe({ ...series, method: request.method, route: request.route, status_class: outcomeOf(status) }, seconds);
    },
    setRates(series, targetPerSecond, achievedPerSecond) {
      touch(series);
      if (targetPerSecond !== undefined) target.set({ ...series }, targetPerSecond);
      achieved.set({ ...series }, achievedPerSecond);
    },
    addIterations(series, completed, droppedCount) {
      touch(series);
      iterations.inc({ ...series }, completed);
      dropped.inc({ ...series }, droppedCount);
    },
    setVus(series, n) {
      vus.set({ ...series }, n);
    },
    setThreshold(series, threshold, passed) {
      thresholds.set({ ...series, threshold }, passed ? 1 : 0);
    },
  };
}
