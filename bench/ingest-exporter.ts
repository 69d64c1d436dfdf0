/**
 * Child process for bench/ingest.bench.ts: the sending side. A real OTLP exporter exports
 * pre-built batches of probe-shaped spans to the receiver under test. It is a separate process
 * because in gauntlet the senders (daemons, drivers, k6) are: their serialisation and gzip must
 * not be billed to the receiver, whose CPU the bench measures.
 */
import { pathToFileURL } from 'node:url';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface ExporterJob {
  url: string;
  kind: 'proto' | 'json';
  compression: 'gzip' | 'none';
  batchSize: number;
  batches: number;
  concurrency: number;
}

/** Messages to the parent: 'ready' after the warm-up export, then the timed result. */
export type ExporterMessage = { type: 'ready' } | { type: 'done'; spans: number; seconds: number } | { type: 'error'; message: string };

/** Spans shaped like the probe's: semconv HTTP attributes, the gauntlet namespace, a body event. */
export function makeBatch(size: number, runId: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'gauntlet', 'service.version': '0.1.0', 'host.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('gauntlet', '0.1.0');
  const body = JSON.stringify({
    id: 'c0ffee',
    valid: false,
    errors: [{ field: 'schema.fields[3].type', message: 'unknown type "decimal(38,9)"' }],
    took_ms: 12.5,
  });
  for (let i = 0; i < size; i++) {
    const runtime = i % 2 === 0 ? 'rust' : 'go';
    const span = tracer.startSpan('POST /v1/validate', {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'url.full': `http://127.0.0.1:${runtime === 'rust' ? 8081 : 8082}/v1/validate?case=${i}`,
        'server.address': '127.0.0.1',
        'server.port': runtime === 'rust' ? 8081 : 8082,
        'http.response.status_code': 422,
        'http.request.body.size': 412,
        'http.response.body.size': body.length,
        'gauntlet.run.id': runId,
        'gauntlet.driver': 'parity',
        'gauntlet.service': 'validatord',
        'gauntlet.runtime': runtime,
        'gauntlet.case': `schema-invalid-${i % 50}`,
        'gauntlet.pair.id': `pair-${i >> 1}`,
        'gauntlet.response.shape': '{errors:[{field:s,message:s}],id:s,took_ms:n,valid:b}',
        'gauntlet.response.shape.hash': 'a1b2c3d4e5f60718',
        'gauntlet.response.body.hash': '9f86d081884c7d659a2feaa0c55ad015',
        'gauntlet.timing.connect_ms': 0.21,
        'gauntlet.timing.ttfb_ms': 3.7,
        'gauntlet.timing.total_ms': 3.9,
      },
    });
    span.addEvent('gauntlet.response.body', { 'gauntlet.body.text': body, 'gauntlet.response.body.truncated': false });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 422' });
    span.end();
  }
  return memory.getFinishedSpans();
}

export function exportOnce(exporter: { export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void }, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))),
  );
}

export function newExporter(kind: 'proto' | 'json', url: string, compression: 'gzip' | 'none') {
  const Exporter = kind === 'proto' ? ProtoTraceExporter : JsonTraceExporter;
  // The config type names the exporter's own CompressionAlgorithm enum; its values are these strings.
  return new Exporter({ url, compression: compression as never, timeoutMillis: 60_000 });
}

/**
 * Distinct batches the senders rotate through: enough distinct ids and URLs that DuckDB's
 * checkpoint compression sees data close to a real run's, without building every span up front.
 */
const DISTINCT_BATCHES = 16;

async function runJob(job: ExporterJob, post: (m: ExporterMessage) => void): Promise<void> {
  const batches = Array.from({ length: DISTINCT_BATCHES }, () => makeBatch(job.batchSize, 'bench-run'));
  const exporter = newExporter(job.kind, `${job.url}/v1/traces`, job.compression);
  await exportOnce(exporter, batches[0]!); // warm-up: connection, receiver JIT, appender
  post({ type: 'ready' });
  const start = performance.now();
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < job.batches) await exportOnce(exporter, batches[next++ % DISTINCT_BATCHES]!);
  };
  await Promise.all(Array.from({ length: job.concurrency }, sender));
  post({ type: 'done', spans: job.batches * job.batchSize, seconds: (performance.now() - start) / 1000 });
  await exporter.shutdown();
}

/** Started by the bench (fork) with the job as JSON in argv[2] and an IPC channel for the messages. */
if (process.send && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const send = (m: ExporterMessage): void => void process.send!(m);
  runJob(JSON.parse(process.argv[2] ?? '{}') as ExporterJob, send)
    .catch((err: unknown) => send({ type: 'error', message: String((err as Error)?.stack ?? err) }))
    .finally(() => process.disconnect());
}
