import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { mergeRecordings } from '../src/drive/index.ts';
import { openRecording } from '../src/record/index.ts';
import { writeBigRecording } from './support/big-recording.ts';
import { runMeasured } from './support/measure.ts';
import { startServer, type TestServer } from './support/servers.ts';

/**
 * Replay streams its recordings: a 1,000,000-entry file (≈ 200 MB) is replayed with --limit and
 * with a time bound, and neither reads it whole — before, replay held every entry in memory
 * (1.6 GB before the first request) and crashed on the spread into an array.
 */
describe('replay of a 1,000,000-entry recording', () => {
  let dir: string;
  let server: TestServer;
  let big: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-replay-stream-'));
    server = await startServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":${(req.url ?? '').split('/').pop()}}`));
    big = join(dir, 'big.ndjson');
    await writeBigRecording(big, 1_000_000);
    await writeFile(
      join(dir, 'gauntlet.config.yaml'),
      ['stack:', '  services:', '    tiny:', '      primary: a', '      candidate: b', '      routes: ["/items/{id}"]', `      runtimes: { a: { url: "${server.url}" }, b: { url: "${server.url}" } }`, `store: { path: ${join(dir, 'store.duckdb')} }`, ''].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--limit sends exactly that many and reads no further; memory stays small', async () => {
    expect((await stat(big)).size).toBeGreaterThan(150 * 1024 * 1024);
    const r = await runMeasured(['replay', big, '--fast', '--limit', '2000', '--concurrency', '16', '--json', join(dir, 'limit.json')], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'limit.json'), 'utf8')) as ParityReport;
    expect(report.cases).toHaveLength(2000);
    expect(report.findings).toEqual([]);
    // The first entries in timestamp order: the reorder window put seq 7 before seq 6.
    expect(report.cases.map((c) => c.case)).toContain('big.ndjson#1');
    // Far below the whole file (≈ 200 MB of text, ≈ 1 GB as objects).
    expect(r.peakMb).toBeLessThan(450);
  }, 120_000);

  it('a time bound stops the replay by itself, without reading the rest of the file', async () => {
    const r = await runMeasured(['replay', big, '--rate', '400', '--max-duration', '3', '--concurrency', '16'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(60_000);
    expect(r.stdout).toMatch(/replay .*big\.ndjson: \d+ entries/);
    expect(r.peakMb).toBeLessThan(450);
  }, 120_000);

  it('merges recordings in timestamp order through a bounded window', async () => {
    const small = join(dir, 'small.ndjson');
    await writeBigRecording(small, 50);
    const streams = [await openRecording(small), await openRecording(small)];
    const ts: number[] = [];
    for await (const x of mergeRecordings(streams, 8)) ts.push(Date.parse(x.ts));
    expect(ts).toHaveLength(100);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });
});
