/**
 * "Spans → spanmetrics" without a Collector: the series the OTel Collector's spanmetrics connector
 * (namespace `traces.span.metrics`, unit `s`, as configured in otel-collector.yaml) exports through
 * its Prometheus exporters, computed from spans in gauntlet's store. The *Spanmetrics* dashboard and
 * `analyze --source prometheus --metric spanmetrics` then read the same names whether the series
 * came from a Collector in production or from `gauntlet watch --spanmetrics` on one machine.
 *
 * Label names and values follow the connector: `service_name`, `span_name`, `span_kind`
 * (`SPAN_KIND_SERVER`…), `status_code` (`STATUS_CODE_ERROR`…), and each configured dimension with
 * dots turned into underscores, looked up in span attributes first, then resource attributes, and
 * omitted when absent.
 */
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AttrValue, StoredSpan } from './types.ts';
import { RESOURCE_GAUNTLET_RUNTIME } from '../contract/attributes.ts';
import { LATENCY_BUCKETS_SECONDS } from '../telemetry/metrics.ts';

/** The extra dimensions of otel-collector.yaml's spanmetrics connector, in its order. */
export const SPANMETRICS_DIMENSIONS = [RESOURCE_GAUNTLET_RUNTIME, ATTR_HTTP_ROUTE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE] as const;

const promLabel = (attribute: string) => attribute.replace(/[^A-Za-z0-9_]/g, '_');
const LABELS = ['service_name', 'span_name', 'span_kind', 'status_code', ...SPANMETRICS_DIMENSIONS.map(promLabel)];

export interface SpanMetrics {
  /** Count and time every span once; call it with each batch of newly stored spans. */
  observe(spans: readonly StoredSpan[]): void;
}

function scalar(v: AttrValue | undefined): string | undefined {
  if (v === undefined || v === null || typeof v === 'object') return undefined;
  return String(v);
}

export function createSpanMetrics(registry: Registry): SpanMetrics {
  const registers = [registry];
  const calls = new Counter({
    name: 'traces_span_metrics_calls_total',
    help: 'Spans seen per dimension set (spanmetrics connector `traces.span.metrics.calls`).',
    labelNames: LABELS,
    registers,
  });
  const duration = new Histogram({
    name: 'traces_span_metrics_duration_seconds',
    help: 'Span durations per dimension set (spanmetrics connector `traces.span.metrics.duration`, unit s).',
    labelNames: LABELS,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  return {
    observe(spans) {
      for (const s of spans) {
        const labels: Record<string, string> = {
          service_name: s.serviceName ?? 'unknown_service',
          span_name: s.name,
          span_kind: `SPAN_KIND_${s.kind}`,
          status_code: `STATUS_CODE_${s.statusCode}`,
        };
        for (const dim of SPANMETRICS_DIMENSIONS) {
          const value = scalar(s.attributes[dim]) ?? scalar(s.resource[dim]);
          if (value !== undefined) labels[promLabel(dim)] = value;
        }
        calls.inc(labels);
        duration.observe(labels, Math.max(0, Number(s.endNs - s.startNs) / 1e9));
      }
    },
  };
}
