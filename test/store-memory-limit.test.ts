import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanStore } from '../src/collect/span-store.ts';
import type { StoredSpan } from '../src/collect/index.ts';
import { readConfig } from '../src/config/index.ts';
import { DAEMON_STORE_MEMORY_MB, openSession } from '../src/app/session.ts';

/**
 * A watch or mirror runs for weeks: DuckDB's default buffer pool (80% of RAM) lets its block cache
 * grow with the host, which a watch soak showed as resident memory rising while the JS heap stayed
 * flat. Those daemons get a bounded pool by default; `store.memoryLimitMb` sets it for any command.
 */
const dir = await mkdtemp(join(tmpdir(), 'gauntlet-memlimit-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('store memory limit', () => {
  it('SpanStore.open passes memoryLimitMb to DuckDB; unset leaves DuckDB its default', async () => {
    const bounded = await SpanStore.open(join(dir, 'a.duckdb'), { memoryLimitMb: 64 });
    expect(await bounded.memoryLimit()).toMatch(/^64(\.0)? MiB$/);
    await bounded.close();
    const plain = await SpanStore.open(join(dir, 'b.duckdb'));
    expect(await plain.memoryLimit()).not.toMatch(/^64(\.0)? MiB$/);
    await plain.close();
  });

  it('reads a run whose rows are several times the capped pool (gate or analyze after a long mirror): streamed and sorted in the reader — a materialised, DuckDB-sorted result failed with "Out of Memory"', async () => {
    // 80,000 spans of ~1.2 KB of JSON each ≈ 96 MB of rows, inserted out of start order, read back
    // by a fresh process's store under a 32 MiB pool.
    const file = join(dir, 'big.duckdb');
    const writer = await SpanStore.open(file);
    const pad = 'x'.repeat(900);
    const make = (i: number): StoredSpan => ({
      traceId: i.toString(16).padStart(32, '0'),
      spanId: i.toString(16).padStart(16, '0'),
      parentSpanId: null,
      name: 'POST /v1/validate',
      kind: 'CLIENT',
      startNs: 1_700_000_000_000_000_000n + BigInt((i * 7919) % 80_000) * 1000n,
      endNs: 1_700_000_000_000_000_000n + BigInt((i * 7919) % 80_000) * 1000n + 500n,
      statusCode: 'OK',
      statusMessage: null,
      serviceName: 'gauntlet',
      scopeName: 'gauntlet',
      resource: { 'service.name': 'gauntlet' },
      attributes: { 'gauntlet.run.id': 'big', 'gauntlet.driver': 'replay', note: pad },
      events: [],
      links: [],
      runId: 'big',
    });
    for (let b = 0; b < 40; b++) await writer.insert(Array.from({ length: 2000 }, (_, k) => make(b * 2000 + k)));
    await writer.close();
    const reader = await SpanStore.open(file, { memoryLimitMb: 32 });
    try {
      const spans = await reader.spansForRun('big');
      expect(spans).toHaveLength(80_000);
      expect(new Set(spans.map((x) => x.spanId)).size).toBe(80_000);
      expect(spans.every((x, i) => i === 0 || x.startNs > spans[i - 1]!.startNs)).toBe(true);
    } finally {
      await reader.close();
    }
    // Reads at once (the Prometheus e2e test reads every run together) must not cut each other
    // short: each streams on its own connection.
    const shared = await SpanStore.open(file);
    try {
      const [one, two, runs] = await Promise.all([shared.spansForRun('big'), shared.spansForRun('big'), shared.listRuns()]);
      expect(one).toHaveLength(80_000);
      expect(two).toHaveLength(80_000);
      expect(runs.map((r) => r.runId)).toEqual(['big']);
    } finally {
      await shared.close();
    }
  }, 120_000);

  it('a daemon session (watch, mirror) is bounded by default; the config overrides it for every command', async () => {
    const loaded = await readConfig(undefined, dir);
    const watchLike = await openSession(loaded, { services: new Set(['validatord']), daemon: true, storePath: join(dir, 'c.duckdb') });
    try {
      expect(await watchLike.store.memoryLimit()).toMatch(new RegExp(`^${DAEMON_STORE_MEMORY_MB}(\\.0)? MiB$`));
    } finally {
      await watchLike.close();
    }
    const set = { ...loaded, config: { ...loaded.config, store: { ...loaded.config.store, memoryLimitMb: 96 } } };
    const batch = await openSession(set, { services: new Set(['validatord']), storePath: join(dir, 'd.duckdb') });
    try {
      expect(await batch.store.memoryLimit()).toMatch(/^96(\.0)? MiB$/);
    } finally {
      await batch.close();
    }
  }, 60_000);
});
