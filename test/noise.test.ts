import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { volatileFormat } from '../src/analyze/volatile.ts';
import { NoiseModel } from '../src/analyze/noise.ts';
import type { PairFinding } from '../src/analyze/compare.ts';
import { NoiseSchema } from '../src/config/schema.ts';
import { runCli, withoutDefaultNote } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';

describe('volatile value detectors', () => {
  it.each([
    ['2026-11-27T10:00:00Z', 'rfc3339'],
    ['2026-11-27T10:00:00.123456+01:00', 'rfc3339'],
    [1795790620, 'epoch-s'],
    [1795790620067, 'epoch-ms'],
    ['3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b', 'uuid'],
    ['01JDXKQ3V5W8Y2Z4A6B8C0D2E4', 'ulid'],
    ['4bf92f3577b34da6a3ce929d0e0e4736', 'hex-id'],
    ['dGhpcyBpcyBhbiBpZDEyMzQ1', 'base64-id'],
    ['1.25ms', 'duration'],
    ['1h2m3.5s', 'duration'],
    ['PT0.25S', 'duration'],
  ])('%s is %s', (value, format) => {
    expect(volatileFormat(value)).toBe(format);
  });

  it.each([['hello'], [42], [3.14], ['open'], [true], [null], ['2026-13-45'], ['abcdefghijklmnopqrst']])('%s is not volatile', (value) => {
    expect(volatileFormat(value)).toBeUndefined();
  });
});

describe('redacted values', () => {
  it('a value redacted on one side only is noise with its reason, never a finding; redacted on both is equal', () => {
    const model = new NoiseModel(NoiseSchema.parse({}));
    const pair = { service: 'svc', method: 'POST', route: '/v1/x' };
    const f = (left: string, right: string): PairFinding => ({ kind: 'value', class: 'value-change', path: '/span_id', left, right, cause: '', hint: '' });
    // A 16-digit span id that passes Luhn looks like a card number to the redactor; the other side's does not.
    const { kept, suppressed } = model.filterPair(pair, [f('"[REDACTED]"', '"9c1725521b36692e"'), f('"a"', '"b"')]);
    expect(suppressed.map((s) => s.reason)).toEqual(['redacted on one side: a secret is not compared']);
    expect(kept.map((k) => k.right)).toEqual(['"b"']);
  });
});

/**
 * A/A: two (three) instances of the *same* runtime whose answers carry request ids, timestamps,
 * durations and a per-instance counter. Nothing may be reported as a divergence; every suppressed
 * difference must be reported as noise with its reason.
 */
describe('noise model end to end (A/A, calibration, secondary)', () => {
  let dir: string;
  const servers: TestServer[] = [];

  function volatileServer(instance: string, firstSeq: number): Promise<TestServer> {
    // Counters far apart: the instances' sequence numbers never coincide by chance.
    let seq = firstSeq;
    return startServer((req, res) => {
      seq++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          request_id: randomUUID(),
          served_at: new Date(Date.now() + seq).toISOString(),
          took: `${(0.1 + Math.random()).toFixed(3)}ms`,
          seq,
          instance,
          path: req.url,
          items: [1, 2, 3],
        }),
      );
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-noise-'));
    servers.push(await volatileServer('a', 0), await volatileServer('b', 100_000), await volatileServer('c', 200_000));
    await writeFile(
      join(dir, 'cases.yaml'),
      ['service: svc', 'cases:', ...Array.from({ length: 10 }, (_, i) => `  - id: c${i}\n    request: { path: /v1/things/${i}, route: "/v1/things/{id}" }`)].join('\n'),
    );
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, runtimes: string[], noise: string[]): Promise<ParityReport> {
    const cfg = join(dir, `${name}.yaml`);
    await writeFile(
      cfg,
      [
        'stack:',
        '  services:',
        '    svc:',
        '      primary: rust',
        '      candidate: go',
        '      runtimes:',
        ...runtimes.map((r) => `        ${r}`),
        'parity: { cases: [cases.yaml], repeat: 20 }',
        `store: { path: ${name}.duckdb }`,
        'noise:',
        ...noise.map((n) => `  ${n}`),
      ].join('\n'),
    );
    const r = await runCli(['parity', '--config', cfg, '--json', join(dir, `${name}.json`)]);
    expect(withoutDefaultNote(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as ParityReport;
  }

  it('volatile formats + calibration: zero divergences over 200 pairs, noise reported with reasons', async () => {
    const report = await run('aa', [`rust: { url: "${servers[0]!.url}" }`, `go: { url: "${servers[1]!.url}" }`], [
      'calibration: { sample: 0.25 }',
      'ignore: [{ path: /instance, reason: "instance name differs by design" }]',
    ]);
    expect(report.findings).toEqual([]);
    expect(report.services[0]).toMatchObject({ cases: 10, pairs: 200, identical: 10 });
    const reasons = Object.fromEntries(report.noise.map((n) => [n.path, n.reason]));
    expect(reasons['/request_id']).toMatch(/volatile uuid/);
    expect(reasons['/served_at']).toMatch(/volatile rfc3339/);
    expect(reasons['/took']).toMatch(/volatile duration/);
    expect(reasons['/seq']).toMatch(/calibration/);
    expect(reasons['/instance']).toMatch(/ignore rule: instance name differs by design/);
    expect(report.noise.find((n) => n.path === '/seq')!.count).toBe(200);
  }, 60_000);

  it('A/A secondary: a difference the secondary shows just as often is noise (Diffy thresholds)', async () => {
    const report = await run(
      'secondary',
      [`rust: { url: "${servers[0]!.url}" }`, `go: { url: "${servers[1]!.url}" }`, `rust-b: { url: "${servers[2]!.url}" }`],
      ['calibration: { sample: 0.25 }'],
    );
    expect(report.findings).toEqual([]);
    expect(report.noise.find((n) => n.path === '/instance')!.reason).toMatch(/^A\/A: the secondary differs here too/);
  }, 60_000);

  it('without the noise model the same traffic would cry wolf', async () => {
    const report = await run('raw', [`rust: { url: "${servers[0]!.url}" }`, `go: { url: "${servers[1]!.url}" }`], ['volatile: false']);
    const paths = report.findings.map((f) => f.path).sort();
    expect(paths).toEqual(['/instance', '/request_id', '/seq', '/served_at', '/took']);
  }, 60_000);
});
