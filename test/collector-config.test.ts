import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SpanStore, startReceiver, type Receiver } from '../src/collect/index.ts';
import { LATENCY_BUCKETS_SECONDS } from '../src/telemetry/metrics.ts';
import { SPANMETRICS_DIMENSIONS } from '../src/collect/spanmetrics.ts';
import { REPO_ROOT } from './support/cli.ts';

type Pipeline = { receivers: string[]; processors?: string[]; exporters: string[] };
const config = parse(await readFile(join(REPO_ROOT, 'otel-collector.yaml'), 'utf8')) as {
  extensions: Record<string, unknown>;
  receivers: Record<string, { protocols?: Record<string, unknown> }>;
  processors: Record<string, unknown>;
  connectors: Record<string, { namespace?: string; histogram?: { unit?: string; explicit?: { buckets?: string[] } }; dimensions?: Array<{ name: string }> }>;
  exporters: Record<string, { endpoint?: string; compression?: string; encoding?: string }>;
  service: { extensions: string[]; pipelines: Record<string, Pipeline> };
};

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
    expect(kinds).toEqual(expect.arrayContaining(['otlphttp', 'otlp', 'prometheus', 'prometheusremotewrite']));
    expect(config.exporters['otlphttp/gauntlet']).toMatchObject({ encoding: 'proto', compression: 'gzip' });
    expect(config.service.pipelines.traces!.exporters).toEqual(expect.arrayContaining(['otlphttp/gauntlet', 'otlp/tracestore', 'spanmetrics']));
  });

  it('forwards OTLP metrics (k6 --out opentelemetry) to gauntlet in a metrics pipeline of their own', () => {
    const metrics = (config.service.pipelines as Record<string, { receivers: string[]; exporters: string[] }>).metrics;
    expect(metrics).toBeDefined();
    expect(metrics!.receivers).toEqual(['otlp']);
    expect(metrics!.exporters).toContain('otlphttp/gauntlet');
  });

  it('spanmetrics: seconds, gauntlet buckets, the dimensions the in-process spanmetrics use', () => {
    const sm = config.connectors.spanmetrics!;
    expect(sm.namespace).toBe('traces.span.metrics'); // → traces_span_metrics_* in Prometheus
    expect(sm.histogram?.unit).toBe('s'); // → …_duration_seconds
    expect(sm.histogram!.explicit!.buckets!.map(goDuration)).toEqual(LATENCY_BUCKETS_SECONDS);
    expect(sm.dimensions!.map((d) => d.name)).toEqual([...SPANMETRICS_DIMENSIONS]);
  });
});

describe('what an otlphttp exporter sends (protobuf, gzip) is accepted by the gauntlet receiver', () => {
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
    // The Collector's otlphttp exporter speaks exactly this: POST /v1/traces, protobuf, gzip.
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
});
