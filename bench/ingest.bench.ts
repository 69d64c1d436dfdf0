/**
 * Ingest throughput: real OTLP exporter → embedded receiver → DuckDB file store, plus the stages
 * alone. A plain script (`npx tsx bench/ingest.bench.ts`); figures only, never assertions.
 *
 * End-to-end: the exporter runs in a worker thread (bench/ingest-exporter.ts) with a few exports
 * in flight, as several senders would have; a span counts once its export got its 200, which the
 * receiver sends only after the commit. The DuckDB file lives in a temp directory.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SpanStore, decodeTraces, startReceiver } from '../src/collect/index.ts';
import { exportOnce, makeBatch, newExporter, type ExporterJob, type ExporterMessage } from './ingest-exporter.ts';

const BATCH = 1024;
const BATCHES = 150; // 153,600 spans per end-to-end case
const CONCURRENT_EXPORTS = 4;

async function endToEnd(kind: 'proto' | 'json', compression: 'gzip' | 'none', dir: string): Promise<number> {
  const store = await SpanStore.open(join(dir, `${kind}-${compression}.duckdb`));
  const receiver = await startReceiver({ store });
  try {
    const job: ExporterJob = { url: receiver.url, kind, compression, batchSize: BATCH, batches: BATCHES, concurrency: CONCURRENT_EXPORTS };
    const worker = startTsWorker(new URL('./ingest-exporter.ts', import.meta.url), job);
    const result = await new Promise<{ spans: number; seconds: number }>((resolve, reject) => {
      worker.on('message', (m: ExporterMessage) => {
        if (m.type === 'done') resolve(m);
        if (m.type === 'error') reject(new Error(m.message));
      });
      worker.on('error', reject);
    });
    await worker.terminate();
    const stored = receiver.stats().spansStored;
    if (stored !== result.spans + BATCH) throw new Error(`receiver stored ${stored} spans, exporter sent ${result.spans + BATCH}`);
    return Math.round(result.spans / result.seconds);
  } finally {
    await receiver.close();
    await store.close();
  }
}

/**
 * A worker running a .ts module: loader hooks registered by tsx on the main thread don't reach
 * worker threads on Node 20, so the worker registers tsx itself before importing the module.
 */
function startTsWorker(module: URL, workerData: unknown): Worker {
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The exact bytes an exporter sends, caught by a bare HTTP server (no receiver involved). */
async function captureBody(kind: 'proto' | 'json'): Promise<Buffer> {
  let body: Buffer | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      body = Buffer.concat(chunks);
      res.writeHead(200, { 'Content-Type': kind === 'proto' ? 'application/x-protobuf' : 'application/json' });
      res.end(kind === 'proto' ? '' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = newExporter(kind, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, 'none');
  try {
    await exportOnce(exporter, makeBatch(BATCH, 'bench-run'));
  } finally {
    await exporter.shutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  if (!body) throw new Error('exporter sent nothing');
  return body;
}

function decodeOnly(body: Buffer, contentType: string): number {
  decodeTraces(body, contentType); // warm-up
  const rounds = 50;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) decodeTraces(body, contentType);
  return Math.round((rounds * BATCH) / ((performance.now() - start) / 1000));
}

/** Decoded spans into a file store, several inserts in flight as concurrent requests would have. */
async function storeOnly(proto: Buffer, dir: string): Promise<number> {
  const spans = decodeTraces(proto, 'application/x-protobuf');
  const store = await SpanStore.open(join(dir, 'store-only.duckdb'));
  try {
    await store.insert(spans);
    const start = performance.now();
    for (let i = 0; i < BATCHES; i += CONCURRENT_EXPORTS) {
      await Promise.all(Array.from({ length: CONCURRENT_EXPORTS }, () => store.insert(spans)));
    }
    return Math.round((BATCHES * spans.length) / ((performance.now() - start) / 1000));
  } finally {
    await store.close();
  }
}

export async function runIngestBench(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-ingest-'));
  try {
    const proto = await captureBody('proto');
    const json = await captureBody('json');
    return {
      batch_spans: BATCH,
      proto_bytes_per_span: Math.round(proto.length / BATCH),
      decode_proto_spans_per_s: decodeOnly(proto, 'application/x-protobuf'),
      decode_json_spans_per_s: decodeOnly(json, 'application/json'),
      store_file_spans_per_s: await storeOnly(proto, dir),
      e2e_proto_gzip_spans_per_s: await endToEnd('proto', 'gzip', dir),
      e2e_proto_none_spans_per_s: await endToEnd('proto', 'none', dir),
      e2e_json_gzip_spans_per_s: await endToEnd('json', 'gzip', dir),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runIngestBench();
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(28)} ${v.toLocaleString('en-US')}`);
}
