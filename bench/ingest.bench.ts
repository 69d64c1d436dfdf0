/**
 * Ingest throughput: real OTLP exporter → embedded receiver → DuckDB file store, plus the stages
 * alone. A plain script (`npx tsx bench/ingest.bench.ts`); figures only, never assertions.
 *
 * End-to-end: the exporter runs in a child process (bench/ingest-exporter.ts) with a few exports
 * in flight, as several senders would have; a span counts once its export got its 200, which the
 * receiver sends only after the commit. The DuckDB file lives in a temp directory.
 *
 * Next to the wall-clock rate, two costs that say more on a small or shared machine (where the
 * exporter, DuckDB and other work compete for the same cores):
 * - `*_event_loop_us_per_span`: event-loop busy time per span (HTTP, inflate, decode, row
 *   building, appends). The receiver's ceiling is 1e6 / this, when its thread has a core.
 * - `*_receiver_cpu_us_per_span`: all of this process's CPU per span (event loop + DuckDB's
 *   commit/checkpoint threads + GC helpers).
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { SpanStore, decodeTraces, startReceiver } from '../src/collect/index.ts';
import { exportOnce, makeBatch, newExporter, type ExporterJob, type ExporterMessage } from './ingest-exporter.ts';

const BATCH = 1024;
const BATCHES = 150; // 153,600 spans per end-to-end case
const CONCURRENT_EXPORTS = 4;

interface EndToEnd {
  rate: number;
  eventLoopUsPerSpan: number;
  cpuUsPerSpan: number;
}

async function endToEnd(kind: 'proto' | 'json', compression: 'gzip' | 'none', dir: string): Promise<EndToEnd> {
  const store = await SpanStore.open(join(dir, `${kind}-${compression}.duckdb`));
  const receiver = await startReceiver({ store });
  try {
    const job: ExporterJob = { url: receiver.url, kind, compression, batchSize: BATCH, batches: BATCHES, concurrency: CONCURRENT_EXPORTS };
    // tsx resolved from here, so the child runs .ts whatever the working directory.
    const child = fork(fileURLToPath(new URL('./ingest-exporter.ts', import.meta.url)), [JSON.stringify(job)], {
      execArgv: ['--import', import.meta.resolve('tsx')],
    });
    let cpuAtStart: NodeJS.CpuUsage | undefined;
    let eluAtStart: EventLoopUtilization | undefined;
    const result = await new Promise<{ spans: number; seconds: number }>((resolve, reject) => {
      child.on('message', (m: ExporterMessage) => {
        if (m.type === 'ready') {
          cpuAtStart = process.cpuUsage();
          eluAtStart = performance.eventLoopUtilization();
        }
        if (m.type === 'done') resolve(m);
        if (m.type === 'error') reject(new Error(m.message));
      });
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`exporter process exited with code ${code}`)));
    });
    const cpu = process.cpuUsage(cpuAtStart);
    const elu = performance.eventLoopUtilization(eluAtStart);
    child.kill();
    const stored = receiver.stats().spansStored;
    if (stored !== result.spans + BATCH) throw new Error(`receiver stored ${stored} spans, exporter sent ${result.spans + BATCH}`);
    return {
      rate: Math.round(result.spans / result.seconds),
      eventLoopUsPerSpan: Math.round((elu.active * 1000) / result.spans),
      cpuUsPerSpan: Math.round((cpu.user + cpu.system) / result.spans),
    };
  } finally {
    await receiver.close();
    await store.close();
  }
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
    const results: Record<string, number> = {
      batch_spans: BATCH,
      proto_bytes_per_span: Math.round(proto.length / BATCH),
      decode_proto_spans_per_s: decodeOnly(proto, 'application/x-protobuf'),
      decode_json_spans_per_s: decodeOnly(json, 'application/json'),
      store_file_spans_per_s: await storeOnly(proto, dir),
    };
    for (const [kind, compression] of [['proto', 'gzip'], ['proto', 'none'], ['json', 'gzip']] as const) {
      const { rate, eventLoopUsPerSpan, cpuUsPerSpan } = await endToEnd(kind, compression, dir);
      results[`e2e_${kind}_${compression}_spans_per_s`] = rate;
      results[`e2e_${kind}_${compression}_event_loop_us_per_span`] = eventLoopUsPerSpan;
      results[`e2e_${kind}_${compression}_receiver_cpu_us_per_span`] = cpuUsPerSpan;
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runIngestBench();
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(44)} ${v.toLocaleString('en-US')}`);
}
