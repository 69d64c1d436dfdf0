import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../telemetry/metrics.ts';

/** The OpenTelemetry-advised explicit buckets for `http.server.request.duration`, in seconds. */
export const HTTP_SERVER_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Label names: the semconv attribute names with dots → underscores, as OTel's Prometheus export does. */
const HTTP_LABELS = ['http_request_method', 'http_route', 'http_response_status_code'] as const;

export interface HttpRequestLabels {
  /** Already normalised (`_OTHER` for unknown methods). */
  method: string;
  /** The route template (`/v1/validate`), or '' when no route matched — never the raw URL. */
  route: string;
  status: number;
}

export interface DaemonMetrics {
  readonly registry: Registry;
  recordRequest(labels: HttpRequestLabels, durationSeconds: number): void;
}

export interface DaemonMetricsOptions {
  service: string;
  runtime: string;
  version: string;
}

/**
 * A per-process Registry (never prom-client's global one, so two daemons in one test process
 * could not mix series). `service` and `runtime` are default labels on every series, so a
 * Prometheus scraping both twins can `sum by (runtime)` without joining an info metric.
 */
export function createDaemonMetrics(options: DaemonMetricsOptions): DaemonMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service, runtime: options.runtime });
  // prom-client's defaults minus three gauges named `_total`, which `promtool check metrics` rejects.
  collectProcessMetrics(registry);

  const buildInfo = new Gauge({
    name: 'gauntlet_daemon_build_info',
    help: 'Always 1; labels say which reference daemon build answers on this port.',
    labelNames: ['version', 'nodejs_version'],
    registers: [registry],
  });
  buildInfo.set({ version: options.version, nodejs_version: process.versions.node }, 1);

  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, from the request arriving to the response finishing.',
    labelNames: HTTP_LABELS,
    buckets: HTTP_SERVER_DURATION_BUCKETS,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP server requests by method, route template and status code.',
    labelNames: HTTP_LABELS,
    registers: [registry],
  });

  return {
    registry,
    recordRequest({ method, route, status }, durationSeconds) {
      const labels = { http_request_method: method, http_route: route, http_response_status_code: String(status) };
      duration.observe(labels, durationSeconds);
      requests.inc(labels);
    },
  };
}
