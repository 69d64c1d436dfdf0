import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanStore, STORE_SCHEMA_VERSION, type StoredSpan } from '../src/collect/index.ts';
import { GauntletError } from '../src/util/errors.ts';

let seq = 0;
/** A span with every field populated; ids are unique per call unless given. */
function span(overrides: Partial<StoredSpan> = {}): StoredSpan {
  seq++;
  const resource = { 'service.name': 'gauntlet', 'host.name': 'ci' };
  return {
    traceId: seq.toString(16).padStart(32, '0'),
    spanId: seq.toString(16).padStart(16, 'a'),
    parentSpanId: null,
    name: 'POST /v1/validate',
    kind: 'CLIENT',
    startNs: 1_700_000_000_000_000_000n + BigInt(seq) * 1000n,
    endNs: 1_700_000_000_000_000_000n + BigInt(seq) * 1000n + 500n,
    statusCode: 'OK',
    statusMessage: null,
    serviceName: 'gauntlet',
    scopeName: 'gauntlet',
    resource,
    attributes: { 'gauntlet.run.id': 'run-a', 'gauntlet.driver': 'parity', 'http.response.status_code': 200 },
    events: [],
    links: [],
    runId: 'run-a',
    ...overrides,
  };
}

describe('SpanStore', () => {
  let dir: string;
  let store: SpanStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-store-'));
    store = await SpanStore.open(join(dir, 'nested', 'store.duckdb'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips every StoredSpan field, including values JSON cannot hold natively', async () => {
    const original = span({
      parentSpanId: 'ffffffffffffffff',
      kind: 'SERVER',
      statusCode: 'ERROR',
      statusMessage: 'boom',
      attributes: {
        'gauntlet.run.id': 'run-a',
        str: 'x',
        int: 42,
        big: '9223372036854775807',
        dbl: 2.5,
        nan: 'NaN',
        bool: false,
        arr: ['a', 1, true, null],
        kv: { nested: { deeper: [1, 2] } },
        ['__proto__']: 'an attribute, not a prototype',
      },
      events: [{ name: 'gauntlet.response.body', timeNs: 18_446_744_073_709_551_615n, attributes: { 'gauntlet.body.text': '{"ok":true}' } }],
      links: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), attributes: { why: 'retry' } }],
    });
    expect(Object.keys(original.attributes)).toContain('__proto__');
    await expect(store.insert([original])).resolves.toBe(1);
    const [back] = await store.spansForRun('run-a');
    expect(back).toEqual(original);
    expect(Object.getPrototypeOf(back!.attributes)).toBe(Object.prototype);
  });

  it('returns a run as its tagged spans plus every span sharing their traces, ordered by start then span id', async () => {
    const client = span({ runId: 'run-a' });
    const server = span({ traceId: client.traceId, parentSpanId: client.spanId, kind: 'SERVER', runId: null, attributes: {}, startNs: client.startNs + 10n });
    const sameStart = span({ traceId: client.traceId, runId: null, attributes: {}, startNs: client.startNs + 10n, spanId: '0000000000000001' });
    const otherRun = span({ runId: 'run-b', attributes: { 'gauntlet.run.id': 'run-b' } });
    const unrelated = span({ runId: null, attributes: {} });
    await store.insert([otherRun, server, unrelated, client, sameStart]);

    const run = await store.spansForRun('run-a');
    expect(run.map((s) => s.spanId)).toEqual([client.spanId, sameStart.spanId, server.spanId]);
    expect(await store.count({ runId: 'run-a' })).toBe(3);
    expect(await store.count()).toBe(5);
    expect(await store.spansForRun('no-such-run')).toEqual([]);
  });

  it('returns one row per span when an exporter retry stored it twice', async () => {
    const s = span();
    await store.insert([s]);
    await store.insert([s]);
    expect(await store.spansForRun('run-a')).toHaveLength(1);
    expect(await store.count()).toBe(1);
  });

  it('lists runs with driver, time range and span count including trace-joined spans', async () => {
    const a1 = span({ runId: 'run-a' });
    const a2 = span({ runId: 'run-a' });
    const aServer = span({ traceId: a2.traceId, runId: null, attributes: {}, endNs: a2.endNs + 1_000_000n });
    const b = span({ runId: 'run-b', attributes: { 'gauntlet.run.id': 'run-b' }, resource: { 'gauntlet.driver': 'smoke' } });
    await store.insert([b, a1, aServer, a2]);
    expect(await store.listRuns()).toEqual([
      { runId: 'run-a', driver: 'parity', firstNs: a1.startNs, lastNs: aServer.endNs, spans: 3 },
      { runId: 'run-b', driver: 'smoke', firstNs: b.startNs, lastNs: b.endNs, spans: 1 },
    ]);
  });

  it('commits concurrent inserts without losing or interleaving any', async () => {
    const batches = Array.from({ length: 25 }, (_, i) => Array.from({ length: 40 }, () => span({ runId: `run-${i % 3}` })));
    const stored = await Promise.all(batches.map((b) => store.insert(b)));
    expect(stored).toEqual(batches.map((b) => b.length));
    expect(await store.count()).toBe(1000);
  });

  it('persists across close and reopen, with a versioned schema', async () => {
    const path = store.path;
    await store.insert([span(), span()]);
    await store.close();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")).getRows();
    conn.closeSync();
    db.closeSync();
    expect(rows).toEqual([[String(STORE_SCHEMA_VERSION)]]);
    store = await SpanStore.open(path);
    expect(await store.count()).toBe(2);
  });

  it('refuses a store written with another schema version', async () => {
    const path = store.path;
    await store.close();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await conn.run("UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    conn.closeSync();
    db.closeSync();
    const err = await SpanStore.open(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    // An input problem (exit 2) that names the file, not an internal one.
    expect((err as GauntletError).code).toBe('GAUNTLET_STORE_INVALID');
    expect((err as GauntletError).message).toMatch(/schema version 999/);
    expect((err as GauntletError).facts).toMatchObject({ file: path, hint: expect.stringMatching(/newer gauntlet/) });
    store = await SpanStore.open(':memory:');
  });

  it('refuses to open a file this process already has open', async () => {
    await expect(SpanStore.open(store.path)).rejects.toMatchObject({ code: 'GAUNTLET_STORE', message: /already open in this process/ });
  });

  it('rejects use after close with GAUNTLET_STORE', async () => {
    const closed = await SpanStore.open(':memory:');
    await closed.close();
    await expect(closed.insert([span()])).rejects.toMatchObject({ code: 'GAUNTLET_STORE' });
    await expect(closed.count()).rejects.toMatchObject({ code: 'GAUNTLET_STORE' });
  });
});
