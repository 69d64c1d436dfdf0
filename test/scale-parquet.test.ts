/**
 * Runs as files any engine can read: `gauntlet export --run ID --format parquet DIR` writes the run
 * as hive-partitioned Parquet (DuckDB's own writer), and `analyze --source parquet GLOB` judges it
 * exactly as `analyze --run ID` judges the store: the same JSON, the same exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyVectordScenario } from './support/scenarios.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin/gauntlet.mjs');

async function cli(args: string[]) {
  return exec('node', [CLI, ...args], { cwd: ROOT, timeout: 120_000, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Parquet export round-trip', () => {
  it('analyze/gate --source parquet equal analyze/gate --run on the same run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-parquet-'));
    const store = join(dir, 'store/store.duckdb');
    const parity = await cli(['parity', '--store', store, '--repeat', '3', '--quiet']);
    expect([0, 1], parity.stderr).toContain(parity.code);
    const runs = await cli(['runs', '--store', store]);
    const runId = runs.stdout.split('\n')[1]!.split(/\s+/)[0]!;
    expect(runId).toMatch(/^r-/);

    const lake = join(dir, 'lake');
    const exported = await cli(['export', '--run', runId, '--format', 'parquet', lake, '--store', store]);
    expect(exported.code, exported.stderr).toBe(0);
    // Hive layout: run=<id>/date=<UTC day of the run's first span>/; no temp directory left behind.
    expect(await readdir(lake)).toEqual([`run=${runId}`]);
    const [dateDir] = await readdir(join(lake, `run=${runId}`));
    expect(dateDir).toMatch(/^date=\d{4}-\d{2}-\d{2}$/);

    // Any engine reads it: plain DuckDB SQL over the files sees every span and the partition columns.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const glob = join(lake, 'run=*/date=*/*.parquet');
    // Spans are data_<n>.parquet (metric points, when a run has them, metrics_<n>.parquet).
    const spanGlob = join(lake, 'run=*/date=*/data_*.parquet');
    const rows = (await conn.runAndReadAll(`SELECT run, count(*)::INTEGER AS n, count(DISTINCT trace_id)::INTEGER AS traces FROM read_parquet('${spanGlob}', hive_partitioning = true) GROUP BY run`)).getRowObjects();
    conn.closeSync();
    db.closeSync();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.run).toBe(runId);
    expect(exported.stdout).toContain(`exported ${rows[0]!.n} spans`);

    const fromStore = await cli(['analyze', '--run', runId, '--store', store, '--json', join(dir, 'store.json'), '--quiet']);
    const fromParquet = await cli(['analyze', '--source', 'parquet', glob, '--json', join(dir, 'parquet.json'), '--quiet']);
    expect(fromParquet.code, fromParquet.stderr).toBe(fromStore.code);
    expect(fromParquet.stdout).toBe(fromStore.stdout);
    expect(JSON.parse(await readFile(join(dir, 'parquet.json'), 'utf8'))).toEqual(JSON.parse(await readFile(join(dir, 'store.json'), 'utf8')));

    // gate too: the same gate JSON (verdict, rules, findings) and exit code.
    const gateStore = await cli(['gate', '--run', runId, '--store', store, '--gate-json', join(dir, 'gate-store.json'), '--quiet']);
    const gateParquet = await cli(['gate', '--source', 'parquet', glob, '--run', runId, '--gate-json', join(dir, 'gate-parquet.json'), '--quiet']);
    expect([0, 1], gateStore.stderr).toContain(gateStore.code);
    expect(gateParquet.code, gateParquet.stderr).toBe(gateStore.code);
    expect(JSON.parse(await readFile(join(dir, 'gate-parquet.json'), 'utf8'))).toEqual(JSON.parse(await readFile(join(dir, 'gate-store.json'), 'utf8')));

    // A second export of the same run replaces the first whole (temp dir + rename).
    const again = await cli(['export', '--run', runId, '--format', 'parquet', lake, '--store', store]);
    expect(again.code, again.stderr).toBe(0);
    expect(await readdir(lake)).toEqual([`run=${runId}`]);

    // Errors a user can fix exit 2 with the file named.
    const missing = await cli(['analyze', '--source', 'parquet', join(dir, 'nothing/*.parquet')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nothing/*.parquet');
  }, 240_000);

  it('a load run travels whole: its engine points export beside its spans, and gate --source parquet equals gate --run, load verdict included', async () => {
    const work = await mkdtemp(join(tmpdir(), 'gauntlet-parquet-load-'));
    try {
      const store = join(work, 'store.duckdb');
      const scenarios = join(work, 'tiny.scenarios.yaml');
      // p(95) < 1 ns: no runtime meets it, so the gate fails on the load.
      await writeFile(scenarios, tinyVectordScenario({ duration: '2s', p95Below: '0.000001' }));
      const load = await cli(['load', scenarios, '--store', store, '--workers', '1', '--quiet']);
      expect(load.code, load.stderr).toBe(1);
      const runs = await cli(['runs', '--store', store]);
      const runId = runs.stdout.split('\n')[1]!.split(/\s+/)[0]!;
      expect(runId).toMatch(/^r-/);

      const lake = join(work, 'lake');
      const exported = await cli(['export', '--run', runId, '--format', 'parquet', lake, '--store', store]);
      expect(exported.code, exported.stderr).toBe(0);
      const points = Number(/exported \d+ spans and (\d+) metric points/.exec(exported.stdout)?.[1]);
      expect(points).toBeGreaterThan(0);
      const [dateDir] = await readdir(join(lake, `run=${runId}`));
      expect((await readdir(join(lake, `run=${runId}`, dateDir!))).sort()).toEqual(['data_0.parquet', 'metrics_0.parquet']);
      // Any engine reads the points too.
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const rows = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT name)::INTEGER AS names FROM read_parquet('${join(lake, 'run=*/date=*/metrics_*.parquet')}', hive_partitioning = true) WHERE run = '${runId}'`)).getRowObjects();
      conn.closeSync();
      db.closeSync();
      expect(rows[0]!.n).toBe(points);
      expect(rows[0]!.names).toBeGreaterThan(1);

      const glob = join(lake, 'run=*/date=*/*.parquet');
      const gateStore = await cli(['gate', '--run', runId, '--store', store, '--gate-json', join(work, 'gate-store.json'), '--quiet']);
      const gateParquet = await cli(['gate', '--source', 'parquet', glob, '--run', runId, '--gate-json', join(work, 'gate-parquet.json'), '--quiet']);
      expect(gateStore.code, gateStore.stderr).toBe(1);
      expect(gateParquet.code, gateParquet.stderr).toBe(1);
      const fromStore = JSON.parse(await readFile(join(work, 'gate-store.json'), 'utf8'));
      expect(JSON.parse(await readFile(join(work, 'gate-parquet.json'), 'utf8'))).toEqual(fromStore);
      // The verdict is the load's: the threshold no runtime meets.
      expect(JSON.stringify(fromStore)).toContain('p(95)<0.000001');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 240_000);
});
