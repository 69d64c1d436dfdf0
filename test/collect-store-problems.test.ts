import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SpanStore, findRunSpans, openStoreForReading, startReceiver, withEachStore, type StoredSpan } from '../src/collect/index.ts';
import { GauntletError, INPUT_ERROR_CODES } from '../src/util/errors.ts';
import { runCli } from './support/cli.ts';
import { mountSmallFs, type SmallFs } from './support/small-fs.ts';

const WRITABLE_HINT = /writable file location/;

function span(i: number, attributes: StoredSpan['attributes'] = {}): StoredSpan {
  return {
    traceId: (i + 1).toString(16).padStart(32, '0'),
    spanId: '1'.padStart(16, '0'),
    parentSpanId: null,
    name: 'exchange',
    kind: 'CLIENT',
    startNs: 1n,
    endNs: 2n,
    statusCode: 'UNSET',
    statusMessage: null,
    serviceName: null,
    scopeName: null,
    resource: {},
    attributes: { 'gauntlet.run.id': 'r-1', ...attributes },
    events: [],
    links: [],
    runId: 'r-1',
  };
}

async function errorOf(p: Promise<unknown>): Promise<GauntletError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GauntletError);
  return err as GauntletError;
}

/** An input problem (exit 2) that names the store file, without the "writable location" hint. */
function expectInputErrorNaming(err: GauntletError, code: string, path: string): void {
  expect(err.code).toBe(code);
  expect(INPUT_ERROR_CODES.has(err.code)).toBe(true);
  expect(err.describe()).toContain(path);
  expect(err.facts.hint ?? '').not.toMatch(WRITABLE_HINT);
}

describe('store problems are input errors naming the file', () => {
  let dir: string;
  let fs: SmallFs | undefined;
  afterEach(async () => {
    await fs?.dispose();
    fs = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a file that is not a DuckDB database, for writers and readers alike', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    const path = join(dir, 'store.duckdb');
    await writeFile(path, 'this is a text file, not a store\n'.repeat(200));
    expectInputErrorNaming(await errorOf(SpanStore.open(path)), 'GAUNTLET_STORE_INVALID', path);
    expectInputErrorNaming(await errorOf(openStoreForReading(path)), 'GAUNTLET_STORE_INVALID', path);
    expectInputErrorNaming(await errorOf(findRunSpans(path, 'r-1')), 'GAUNTLET_STORE_INVALID', path);
  });

  it('refuses a store with a newer schema version, saying it is newer', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    const path = join(dir, 'store.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await conn.run("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL); INSERT INTO meta VALUES ('schema_version', '2')");
    conn.closeSync();
    db.closeSync();
    for (const open of [() => SpanStore.open(path), () => openStoreForReading(path)]) {
      const err = await errorOf(open());
      expectInputErrorNaming(err, 'GAUNTLET_STORE_INVALID', path);
      expect(err.facts.hint).toMatch(/newer gauntlet/);
    }
  });

  it('reads a store on a read-only filesystem (or a read-only file) without writing to it', async () => {
    fs = await mountSmallFs('8m');
    dir = fs ? fs.dir : await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    const path = join(dir, 'store.duckdb');
    const store = await SpanStore.open(path);
    await store.insert([span(0), span(1)]);
    await store.close();
    if (fs) fs.readOnly();
    else {
      await chmod(path, 0o444);
      await chmod(dir, 0o555);
    }
    try {
      expect(await findRunSpans(path, 'r-1')).toHaveLength(2);
      const { result } = await withEachStore(path, async (s) => (await s.listRuns()).map((r) => r.runId));
      expect(result).toEqual(['r-1']);
      const reader = await openStoreForReading(path);
      expect(reader.readOnly).toBe(true);
      expect(await reader.metricsForRun('r-1')).toEqual([]);
      await expect(reader.insert([span(2)])).rejects.toMatchObject({ message: /read-only/ });
      await reader.close();
      expect(await readdir(dir)).toEqual(['store.duckdb']); // no WAL, no lock file, nothing written
      const runs = await runCli(['runs', '--store', path], { cwd: tmpdir() });
      expect(runs.code, runs.stderr).toBe(0);
      expect(runs.stdout).toContain('r-1');
    } finally {
      if (fs) fs.writable();
      else await chmod(dir, 0o755);
    }
  });

  it('says the store is locked by another process (naming it), not that the run is missing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    const path = join(dir, 'store.duckdb');
    const store = await SpanStore.open(path);
    await store.insert([span(0)]);
    await store.close();
    // Another process holds the store for writing, as a running `gauntlet run` does.
    const holder = spawn(
      process.execPath,
      ['-e', `import('@duckdb/node-api').then(async (m) => { await m.DuckDBInstance.create(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000); })`],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: holder.stdout! }).once('line', () => resolve());
        holder.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const err = await errorOf(findRunSpans(path, 'r-1'));
      expectInputErrorNaming(err, 'GAUNTLET_STORE_LOCKED', path);
      expect(err.message).toContain(`PID ${holder.pid}`);
      expect(err.code).not.toBe('GAUNTLET_RUN_NOT_FOUND');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a full disk under the store is GAUNTLET_DISK_FULL naming the path', async () => {
    fs = await mountSmallFs('1m');
    dir = fs ? fs.dir : await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    const path = join(dir, 'store.duckdb');
    const store = await SpanStore.open(path);
    let err: GauntletError | undefined;
    try {
      if (fs) {
        const big = 'x'.repeat(200_000);
        for (let i = 0; i < 50 && !err; i++) err = await store.insert([span(i, { big: `${big}${i}` })]).then(() => undefined, (e: GauntletError) => e);
      } else {
        // No mount here: the same classification, from the error DuckDB raises on ENOSPC.
        const { diskFullError, isDiskFull } = await import('../src/util/errors.ts');
        const duck = new Error(`IO Error: Could not write all bytes to file "${path}.wal": No space left on device`);
        err = isDiskFull(duck) ? diskFullError(path, 'cannot write to the span store', duck) : undefined;
      }
    } finally {
      await store.close().catch(() => undefined);
    }
    expect(err).toBeInstanceOf(GauntletError);
    expectInputErrorNaming(err!, 'GAUNTLET_DISK_FULL', path);
    expect(err!.message).toMatch(/disk .* is full/);
  });

  it('through the CLI: exit 2 with the code and the path, for `runs`, `analyze` and `gate`', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-store-cli-'));
    const bad = join(dir, 'notes.duckdb');
    await writeFile(bad, 'not a store\n'.repeat(500));
    for (const args of [['runs'], ['analyze', '--run', 'r-1'], ['gate', '--run', 'r-1']]) {
      const r = await runCli([...args, '--store', bad], { cwd: dir });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('GAUNTLET_STORE_INVALID');
      expect(r.stderr).toContain(bad);
      expect(r.stderr).not.toMatch(WRITABLE_HINT);
    }

    // A store another process holds: analyze says so (with its pid), not "run not found".
    const path = join(dir, 'store.duckdb');
    const store = await SpanStore.open(path);
    await store.insert([span(0)]);
    await store.close();
    const holder = spawn(
      process.execPath,
      ['-e', `import('@duckdb/node-api').then(async (m) => { await m.DuckDBInstance.create(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000); })`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => createInterface({ input: holder.stdout! }).once('line', () => resolve()));
      const r = await runCli(['analyze', '--run', 'r-1', '--store', path], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('GAUNTLET_STORE_LOCKED');
      expect(r.stderr).toContain(`PID ${holder.pid}`);
      expect(r.stderr).not.toContain('GAUNTLET_RUN_NOT_FOUND');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('the receiver answers 503 on a full disk and keeps the GAUNTLET_DISK_FULL for the run to report', async () => {
    fs = await mountSmallFs('1m');
    dir = fs ? fs.dir : await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    const path = join(dir, 'store.duckdb');
    const store = await SpanStore.open(path);
    if (!fs) await store.close(); // not root: a store that cannot write stands in for the full disk
    const receiver = await startReceiver({ store });
    try {
      const big = 'x'.repeat(200_000);
      let status = 200;
      for (let i = 0; i < 50 && status === 200; i++) {
        const body = JSON.stringify({
          resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: (i + 1).toString(16).padStart(32, '0'), spanId: '01'.repeat(8), attributes: [{ key: 'big', value: { stringValue: `${big}${i}` } }] }] }] }],
        });
        const res = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        status = res.status;
        await res.arrayBuffer();
      }
      expect(status).toBe(503); // retryable for the exporter
      const err = receiver.storeError();
      expect(err).toBeInstanceOf(GauntletError);
      if (fs) expectInputErrorNaming(err!, 'GAUNTLET_DISK_FULL', path);
      else expect(err!.code).toBe('GAUNTLET_STORE');
    } finally {
      await receiver.close();
      await store.close().catch(() => undefined);
    }
  });
});
