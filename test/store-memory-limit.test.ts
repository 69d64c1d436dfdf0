import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanStore } from '../src/collect/span-store.ts';
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
