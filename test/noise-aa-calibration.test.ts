import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { runCli, withoutDefaultNote } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';

/**
 * A/A against one real server whose answers are full of values that change on every request: a
 * per-process request counter (`req-0000001a`), a UUID, a snowflake id, timestamps, and an object
 * whose keys come out in a different order each time (Go map iteration). With calibration on:
 * zero findings. Then the same server with one planted divergence — `issued_at` as an epoch-ms
 * number for one runtime and an RFC 3339 string for the other — which calibration must not hide
 * even though the field changes between identical requests (issue 12 items 1 and 2).
 */
const TWITTER_EPOCH = 1288834974657n;

describe('A/A with volatile fields, calibration on', () => {
  let dir: string;
  let server: TestServer;
  let counter = 0x10;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-aa-cal-'));
    server = await startServer((req, res) => {
      counter++;
      const now = Date.now();
      const labels = Object.fromEntries(['zone', 'rack', 'host', 'pool'].map((k) => [k, `${k}-x`]).sort(() => Math.random() - 0.5));
      const rfc3339 = req.headers['x-variant'] === 'rfc3339';
      const snowflake = (((BigInt(now) - TWITTER_EPOCH) << 22n) | BigInt(counter & 0xfff)).toString();
      const issued = rfc3339 ? JSON.stringify(new Date(now).toISOString()) : String(now);
      res.writeHead(200, { 'content-type': 'application/json' });
      // Built as text: the snowflake does not fit a double.
      res.end(`{"request_id":"req-${counter.toString(16).padStart(8, '0')}","trace":"${randomUUID()}","id":${snowflake},"issued_at":${issued},"served_at":"${new Date(now).toISOString()}","labels":${JSON.stringify(labels)},"path":${JSON.stringify(req.url)}}`);
    });
    await writeFile(join(dir, 'cases.yaml'), ['service: svc', 'cases:', ...Array.from({ length: 5 }, (_, i) => `  - id: c${i}\n    request: { path: /v1/things/${i}, route: "/v1/things/{id}" }`)].join('\n'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, candidateHeaders: string, noise: string[]): Promise<ParityReport> {
    const cfg = join(dir, `${name}.yaml`);
    await writeFile(
      cfg,
      [
        'stack:',
        '  services:',
        '    svc:',
        '      primary: a',
        '      candidate: b',
        '      runtimes:',
        `        a: { url: "${server.url}" }`,
        `        b: { url: "${server.url}"${candidateHeaders} }`,
        'parity: { cases: [cases.yaml], repeat: 8 }',
        `store: { path: ${name}.duckdb }`,
        'noise:',
        ...noise.map((n) => `  ${n}`),
      ].join('\n'),
    );
    const r = await runCli(['parity', '--config', cfg, '--json', join(dir, `${name}.json`)]);
    expect(withoutDefaultNote(r.stderr)).toBe('');
    return JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as ParityReport;
  }

  it('A/A: 0 findings; ids and clocks are noise with their reasons', async () => {
    const report = await run('aa', '', ['calibration: { sample: 0.5 }']);
    expect(report.findings).toEqual([]);
    expect(report.services[0]).toMatchObject({ cases: 5, pairs: 40, identical: 5 });
    const reasons = Object.fromEntries(report.noise.map((n) => [n.path, n.reason]));
    expect(reasons['/request_id']).toBe('volatile counter-id (compared by format)');
    expect(reasons['/trace']).toBe('volatile uuid (compared by format)');
    expect(reasons['/id']).toBe('volatile snowflake (compared by format)');
    expect(reasons['/served_at']).toBe('volatile rfc3339 (compared by format)');
    expect(reasons['/labels']).toBeUndefined(); // key order is not a JSON difference
  }, 60_000);

  it('counter ids are volatile by default, without calibration', async () => {
    const report = await run('nocal', '', ['calibration: { sample: 0 }', 'ignore: [{ path: /issued_at, reason: "epoch clock" }]']);
    expect(report.findings).toEqual([]);
    expect(report.noise.find((n) => n.path === '/request_id')).toMatchObject({ reason: 'volatile counter-id (compared by format)', count: 40 });
  }, 60_000);

  it('a planted type change (epoch-ms number vs RFC 3339 string) is found even though calibration sees the field change', async () => {
    const report = await run('typechange', ', headers: { x-variant: rfc3339 }', ['calibration: { sample: 0.5 }']);
    expect(report.findings.map((f) => `${f.kind}/${f.class} ${f.path}`)).toEqual(['shape/type-change /issued_at']);
    expect(report.findings[0]!.count).toBe(40);
    expect(report.noise.some((n) => n.path === '/issued_at')).toBe(false);
  }, 60_000);
});
