import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SpanStore, startReceiver, type Receiver } from '../src/collect/index.ts';
import { LATENCY_BUCKETS_SECONDS } from '../src/telemetry/metrics.ts';
import { SPANMETRICS_DIMENSIONS } from '../src/collect/spanmetrics.ts';
import { REPO_ROOT } from './support/cli.ts';

/**
 * otel-collector.yaml, checked STRUCTURALLY: no collector binary runs in this suite. What is
 * checked: every pipeline references defined components, the component names are the current
 * ones (no alias collector-contrib reports as deprecated), the k6 metrics pipeline reaches gauntlet,
 * the endpoints' defaults point at gauntlet's receiver (not back at the collector), and what the
 * otlp_http exporter sends to them (protobuf, gzip, /v1/traces and /v1/metrics) is accepted by a
 * real gauntlet receiver. Whether a given collector release starts with it is not tested here.
 */
type Pipeline = { receivers: string[]; processors?: string[]; exporters: string[] };
const config = parse(await readFile(join(REPO_ROOT, 'otel-collector.yaml'), 'utf8')) as {
  extensions: Record<string, unknown>;
  receivers: Record<string, { protocols?: Record<string, unknown> }>;
  processors: Record<string, unknown>;
  connectors: Record<string, { namespace?: string; histogram?: { unit?: string; explicit?: { buckets?: string[] } }; dimensions?: Array<{ name: string }> }>;
  exporters: Record<string, { endpoint?: string; compression?: string; encoding?: string }>;
  service: { extensions: string[]; pipelines: Record<string, Pipeline> };
};

/**
 * Deprecated aliases → current names (older collectors know only the alias). Sources:
 * open-telemetry/opentelemetry-collector PRs #14397 (otlphttp → otlp_http) and #14403
 * (otlp → otlp_grpc; the otlp *receiver* keeps its name), released in v0.144.0;
 * opentelemetry-collector-contrib PRs #47963 (spanmetrics → span_metrics, merged 2026-04-28) and
 * #48705 (prometheusremotewrite → prometheus_remote_write, v0.154.0).
 */
const DEPRECATED_ALIASES: Record<string, { current: string }> = {
  otlphttp: { current: 'otlp_http' },
  spanmetrics: { current: 'span_metrics' },
  prometheusremotewrite: { current: 'prometheus_remote_write' },
};
/** Exporter types only: `otlp` is deprecated as an exporter, current as a receiver. */
const DEPRECATED_EXPORTER_ALIASES: Record<string, { current: string }> = { otlp: { current: 'otlp_grpc' } };

/** The config for a collector older than v0.154.0: the current names back to the aliases (docs/collector.md). */
function toLegacyNames(text: string): string {
  return text.replace(/\botlp_http\b/g, 'otlphttp').replace(/\botlp_grpc\b/g, 'otlp').replace(/\bspan_metrics\b/g, 'spanmetrics').replace(/\bprometheus_remote_write\b/g, 'prometheusremotewrite');
}

/** Go duration strings (the collector's config syntax) → seconds. */
function goDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * units[u!]!;
  return Math.round(total * 1e9) / 1e9;
}

describe('otel-collector.yaml', () => {
  it('every pipeline references defined components, connectors join a traces and a metrics pipeline', () => {
    const { pipelines } = config.service;
    const problems: string[] = [];
    const check = (pipeline: string, kind: string, names: string[] | undefined, ...sections: Array<Record<string, unknown>>) => {
      for (const n of names ?? []) if (!sections.some((s) => n in s)) problems.push(`${pipeline}: ${kind} ${n} is not defined`);
    };
    for (const [name, p] of Object.entries(pipelines)) {
      expect(name, 'pipeline ids are <type>[/<name>]').toMatch(/^(traces|metrics|logs)(\/[\w-]+)?$/);
      check(name, 'receiver', p.receivers, config.receivers, config.connectors);
      check(name, 'processor', p.processors, config.processors);
      check(name, 'exporter', p.exporters, config.exporters, config.connectors);
      expect(p.processors?.[0], `${name}: memory_limiter comes first`).toBe('memory_limiter');
      expect(p.processors?.at(-1), `${name}: batch comes last`).toBe('batch');
    }
    for (const e of config.service.extensions) if (!(e in config.extensions)) problems.push(`extension ${e} is not defined`);
    expect(problems).toEqual([]);
    for (const connector of Object.keys(config.connectors)) {
      expect(Object.entries(pipelines).some(([n, p]) => n.startsWith('traces') && p.exporters.includes(connector)), `${connector} fed by a traces pipeline`).toBe(true);
      expect(Object.entries(pipelines).some(([n, p]) => n.startsWith('metrics') && p.receivers.includes(connector)), `${connector} feeds a metrics pipeline`).toBe(true);
    }
  });

  it('has OTLP grpc+http in, the gauntlet receiver, Prometheus (pull and remote write) and a trace store out', () => {
    expect(Object.keys(config.receivers.otlp!.protocols!)).toEqual(['grpc', 'http']);
    expect(Object.keys(config.processors)).toEqual(expect.arrayContaining(['memory_limiter', 'batch']));
    const kinds = Object.keys(config.exporters).map((e) => e.split('/')[0]);
    expect(kinds).toEqual(expect.arrayContaining(['otlp_http', 'otlp_grpc', 'prometheus', 'prometheus_remote_write']));
    expect(config.exporters['otlp_http/gauntlet']).toMatchObject({ encoding: 'proto', compression: 'gzip' });
    expect(config.service.pipelines.traces!.exporters).toEqual(expect.arrayContaining(['otlp_http/gauntlet', 'otlp_grpc/tracestore', 'span_metrics']));
  });

  it('uses no component name collector-contrib reports as a deprecated alias', () => {
    const types = (section: Record<string, unknown>) => Object.keys(section).map((id) => id.split('/')[0]!);
    const used = [...types(config.receivers), ...types(config.processors), ...types(config.exporters), ...types(config.connectors), ...types(config.extensions)];
    const deprecated = [
      ...used.filter((t) => t in DEPRECATED_ALIASES).map((t) => `${t} → ${DEPRECATED_ALIASES[t]!.current}`),
      ...types(config.exporters).filter((t) => t in DEPRECATED_EXPORTER_ALIASES).map((t) => `exporter ${t} → ${DEPRECATED_EXPORTER_ALIASES[t]!.current}`),
    ];
    expect(deprecated).toEqual([]);
    // The negative case: the pre-v0.154 names are all caught.
    const legacy = parse(toLegacyNames(readFileSync(join(REPO_ROOT, 'otel-collector.yaml'), 'utf8'))) as typeof config;
    expect([...types(legacy.exporters), ...types(legacy.connectors)].filter((t) => t in DEPRECATED_ALIASES || t in DEPRECATED_EXPORTER_ALIASES).sort()).toEqual(['otlp', 'otlphttp', 'prometheusremotewrite', 'spanmetrics']);
  });

  it('the renames for collectors older than v0.154.0 (docs/collector.md) give a config with the same structure', () => {
    const legacy = parse(toLegacyNames(readFileSync(join(REPO_ROOT, 'otel-collector.yaml'), 'utf8'))) as typeof config;
    expect(Object.keys(legacy.exporters).sort()).toEqual(['otlp/tracestore', 'otlphttp/gauntlet', 'prometheus', 'prometheusremotewrite']);
    expect(Object.keys(legacy.connectors)).toEqual(['spanmetrics']);
    expect(legacy.service.pipelines.traces!.exporters).toEqual(['otlphttp/gauntlet', 'otlp/tracestore', 'spanmetrics']);
    expect(legacy.service.pipelines['metrics/spanmetrics']!.receivers).toEqual(['spanmetrics']);
    expect(legacy.service.pipelines['metrics/k6']!.exporters).toEqual(['otlphttp/gauntlet']);
    expect(legacy.receivers).toEqual(config.receivers);
  });

  it("the endpoints: gauntlet's receiver is not the collector itself, every default is an overridable env variable", () => {
    const text = readFileSync(join(REPO_ROOT, 'otel-collector.yaml'), 'utf8');
    const endpoints = [...text.matchAll(/^\s*endpoint: (.*)$/gm)].map((m) => m[1]!.trim());
    expect(endpoints.length).toBeGreaterThan(5);
    for (const e of endpoints) expect(e, 'every endpoint is ${env:NAME:-default}').toMatch(/^\$\{env:[A-Z_]+:-[^}]+\}$/);
    const defaultOf = (e: string | undefined) => /:-([^}]+)\}$/.exec(e ?? '')![1]!;
    const gauntlet = new URL(defaultOf(config.exporters['otlp_http/gauntlet']!.endpoint));
    const own = defaultOf((config.receivers.otlp!.protocols!.http as { endpoint: string }).endpoint);
    // Sending to the collector's own host and OTLP/HTTP port would loop everything back into it.
    expect(['127.0.0.1', 'localhost', '0.0.0.0'].includes(gauntlet.hostname) && gauntlet.port === own.split(':').at(-1)).toBe(false);
    expect(gauntlet.protocol).toBe('http:');
    expect(gauntlet.pathname, 'the exporter appends /v1/traces and /v1/metrics itself').toBe('/');
  });

  it("forwards k6's OTLP metrics (k6 --out opentelemetry) to gauntlet in a metrics pipeline of their own, filtered to k6", () => {
    const k6 = config.service.pipelines['metrics/k6'];
    expect(k6).toBeDefined();
    expect(k6!.receivers).toEqual(['otlp']);
    expect(k6!.processors).toEqual(['memory_limiter', 'filter/k6', 'batch']);
    expect(k6!.exporters).toEqual(['otlp_http/gauntlet']);
    const filter = config.processors['filter/k6'] as { metrics: { metric: string[] } };
    // A filter condition DROPS what it matches: everything whose service.name is not k6's.
    expect(filter.metrics.metric).toEqual(['resource.attributes["service.name"] != "${env:K6_SERVICE_NAME:-k6}"']);
    // No other metrics pipeline sends to gauntlet (the runtimes' own metrics stay out of the load store).
    for (const [name, p] of Object.entries(config.service.pipelines)) if (name !== 'metrics/k6' && name.startsWith('metrics')) expect(p.exporters).not.toContain('otlp_http/gauntlet');
  });

  it('spanmetrics: seconds, gauntlet buckets, the dimensions the in-process spanmetrics use', () => {
    const sm = config.connectors.span_metrics!;
    expect(sm.namespace).toBe('traces.span.metrics'); // → traces_span_metrics_* in Prometheus
    expect(sm.histogram?.unit).toBe('s'); // → …_duration_seconds
    expect(sm.histogram!.explicit!.buckets!.map(goDuration)).toEqual(LATENCY_BUCKETS_SECONDS);
    expect(sm.dimensions!.map((d) => d.name)).toEqual([...SPANMETRICS_DIMENSIONS]);
  });
});

describe('what an otlp_http exporter sends (protobuf, gzip) is accepted by the gauntlet receiver', () => {
  let store: SpanStore;
  let receiver: Receiver;
  const seen: Array<{ type?: string | undefined; encoding?: string | undefined; status: number }> = [];
  let front: ReturnType<typeof createServer>;
  let frontUrl: string;

  beforeAll(async () => {
    store = await SpanStore.open(':memory:');
    receiver = await startReceiver({ store });
    // A transparent front that records the wire headers, so the test proves gzip was really used.
    front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const headers = { 'content-type': req.headers['content-type'] ?? '', ...(req.headers['content-encoding'] ? { 'content-encoding': req.headers['content-encoding'] } : {}) };
        const upstream = await fetch(`${receiver.url}${req.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) });
        seen.push({ type: req.headers['content-type'], encoding: req.headers['content-encoding'], status: upstream.status });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-protobuf' }).end(Buffer.from(await upstream.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    front.closeAllConnections();
    await new Promise((r) => front.close(r));
    await receiver.close();
    await store.close();
  });

  it('stores the spans with their resource (service.name, gauntlet.runtime)', async () => {
    type Config = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;
    // The Collector's otlp_http exporter speaks exactly this: POST /v1/traces, protobuf, gzip.
    const exporter = new OTLPTraceExporter({ url: `${frontUrl}/v1/traces`, compression: 'gzip' as Config['compression'] });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'validatord', 'gauntlet.runtime': 'go' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('collector-stand-in');
    for (let i = 0; i < 3; i++) {
      tracer.startSpan('POST /v1/validate', { kind: SpanKind.SERVER, attributes: { 'http.route': '/v1/validate', 'http.response.status_code': 422, 'gauntlet.run.id': 'r-collector' } }).end();
    }
    await provider.forceFlush();
    await provider.shutdown();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.type === 'application/x-protobuf' && s.encoding === 'gzip' && s.status === 200)).toBe(true);
    const spans = await store.spansForRun('r-collector');
    expect(spans).toHaveLength(3);
    expect(spans[0]).toMatchObject({ kind: 'SERVER', serviceName: 'validatord', resource: expect.objectContaining({ 'gauntlet.runtime': 'go' }) });
  });

  it('stores k6\'s metrics forwarded by the metrics/k6 pipeline (POST /v1/metrics, protobuf, gzip)', async () => {
    type Config = NonNullable<ConstructorParameters<typeof OTLPMetricExporter>[0]>;
    const before = seen.length;
    const exporter = new OTLPMetricExporter({ url: `${frontUrl}/v1/metrics`, compression: 'gzip' as Config['compression'] });
    // What k6's OpenTelemetry output names its resource (the pipeline's filter keeps only this).
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'k6' }), readers: [reader] });
    const duration = provider.getMeter('k6').createHistogram('k6_http_req_duration', { unit: 'ms' });
    for (const ms of [1.5, 2.5, 9]) duration.record(ms, { runtime: 'go', name: '/v1/validate' });
    await provider.forceFlush();
    await provider.shutdown();
    const posted = seen.slice(before);
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.every((s) => s.type === 'application/x-protobuf' && s.encoding === 'gzip' && s.status === 200)).toBe(true);
    expect(receiver.stats().metricPointsStored).toBeGreaterThan(0);
  });
});

