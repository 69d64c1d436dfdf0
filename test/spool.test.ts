import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { SpanStore, startReceiver } from '../src/collect/index.ts';
import { startTelemetry } from '../src/telemetry/tracing.ts';

function emit(tracer: ReturnType<typeof startTelemetry>['tracer'], n: number, phase: string): void {
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(`exchange ${phase} ${i}`, { kind: SpanKind.CLIENT, attributes: { 'gauntlet.run.id': 'r-spool', 'gauntlet.case': `${phase}-${i}` } });
    span.end();
  }
}

/**
 * Fault tolerance: the receiver stops mid-run and comes back. Nothing is lost — spans wait in the
 * disk spool and arrive when it returns — and the accounting says so.
 */
describe('collector outage mid-run', () => {
  it('spools while the receiver is down and delivers when it returns: emitted == stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-spool-'));
    const store = await SpanStore.open(join(dir, 'store.duckdb'));
    let receiver = await startReceiver({ store });
    const port = receiver.port;
    const spoolDir = join(dir, 'spool');
    const telemetry = startTelemetry({ endpoint: receiver.url, runId: 'r-spool', spoolDir });
    try {
      emit(telemetry.tracer, 100, 'before');
      await telemetry.flush();
      expect(await store.count()).toBe(100);

      await receiver.close();
      emit(telemetry.tracer, 250, 'during');
      // The collector is down: the flush gives up after its deadline and leaves the spool on disk.
      await telemetry.flush(300);
      const spooled = telemetry.spool()!;
      expect(spooled.spooled).toBe(250);
      expect(spooled.pending).toBe(250);
      expect(telemetry.spansFailed()).toBe(250);
      expect((await readdir(spoolDir)).filter((f) => f.endsWith('.pb')).length).toBeGreaterThan(0);

      receiver = await startReceiver({ store, port });
      emit(telemetry.tracer, 50, 'after');
      await telemetry.flush();
      const stats = telemetry.spool()!;
      expect(stats).toMatchObject({ spooled: 250, recovered: 250, pending: 0, rejected: 0 });
      expect(telemetry.spansFailed()).toBe(0);
      expect(telemetry.spansEnded()).toBe(400);
      expect(await store.count()).toBe(400);
      expect(await store.count({ runId: 'r-spool' })).toBe(400);
      expect((await readdir(spoolDir)).filter((f) => f.endsWith('.pb'))).toEqual([]);
    } finally {
      await telemetry.shutdown();
      await receiver.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A full disk under the spool: a clear GAUNTLET_DISK_FULL naming the directory, counted, no partial file. */
describe('spool on a full disk', () => {
  it('fails the batch with GAUNTLET_DISK_FULL, counts the spans lost and leaves no .tmp', async () => {
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const { ExportResultCode } = await import('@opentelemetry/core');
    const { SpoolingExporter } = await import('../src/telemetry/spool.ts');
    const { mountSmallFs } = await import('./support/small-fs.ts');
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 200; i++) tracer.startSpan(`s${i}`, { attributes: { pad: 'x'.repeat(2_000) } }).end();
    const spans = memory.getFinishedSpans();

    const fs = await mountSmallFs('64k');
    const dir = fs?.dir ?? (await mkdtemp(join(tmpdir(), 'gauntlet-spool-full-')));
    const spoolDir = join(dir, 'spool');
    // Without a mount of our own (not root), ENOSPC is injected where the spool writes its file.
    const injected = fs
      ? {}
      : {
          writeFile: async (path: string, data: Uint8Array) => {
            const { writeFile } = await import('node:fs/promises');
            await writeFile(path, data.subarray(0, 10));
            throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
          },
        };
    const collectorDown = { export: (_s: unknown, done: (r: { code: number }) => void) => done({ code: ExportResultCode.FAILED }), shutdown: async () => {} };
    const spool = new SpoolingExporter(collectorDown as never, { dir: spoolDir, tracesUrl: 'http://127.0.0.1:9/v1/traces', ...(injected as object) });
    try {
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => spool.export(spans, resolve));
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toMatchObject({ code: 'GAUNTLET_DISK_FULL', facts: { file: spoolDir } });
      expect(result.error!.message).toMatch(/disk .* is full/);
      expect(result.error!.message).not.toMatch(/[\u0000-\u0008]/); // never raw protobuf bytes
      expect(spool.getError()?.code).toBe('GAUNTLET_DISK_FULL');
      expect(spool.getStats()).toMatchObject({ lost: 200, spooled: 0, pending: 0 });
      expect(await readdir(spoolDir)).toEqual([]); // no partial .tmp, no .pb
    } finally {
      await provider.shutdown();
      await fs?.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
