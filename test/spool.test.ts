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
