import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { runCli, withoutDefaultNote } from './support/cli.ts';
import { startServer, unusedPort, type TestServer } from './support/servers.ts';

/**
 * What the README promises a user: point gauntlet at *your own* two runtimes. Two independent
 * servers (not the reference twins) written the way a Rust and a Go port of one API drift apart.
 */
describe('parity against your own two runtimes', () => {
  let dir: string;
  let rust: TestServer;
  let goSrv: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-own-'));
    rust = await startServer((req, res) => {
      if (req.url === '/v1/items/7') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":7,"created_at":"2026-11-27T10:00:00Z","tags":[],"price":1.0}');
      } else if (req.url === '/v1/version') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('validatord 1.4.2 (rust)');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
      }
    });
    goSrv = await startServer((req, res) => {
      if (req.url === '/v1/items/7') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":7,"createdAt":"2026-11-27T10:00:00Z","tags":null,"price":1}');
      } else if (req.url === '/v1/version') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('validatord 1.4.2 (go)');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
      }
    });
    await writeFile(
      join(dir, 'items.cases.yaml'),
      [
        'service: items',
        'cases:',
        '  - id: get-item',
        '    request: { method: GET, path: /v1/items/7, route: "/v1/items/{id}" }',
        '  - id: version',
        '    request: { method: GET, path: /v1/version }',
        '  - id: missing',
        '    request: { method: GET, path: /v1/nope }',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await rust.close();
    await goSrv.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function configWith(rustUrl: string, goUrl: string, name: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(
      file,
      [
        'stack:',
        '  services:',
        '    items:',
        '      primary: rust',
        '      candidate: go',
        '      runtimes:',
        `        rust: { url: "${rustUrl}" }`,
        `        go: { url: "${goUrl}" }`,
        'parity:',
        '  cases: [items.cases.yaml]',
        'store:',
        `  path: ${name}.duckdb`,
      ].join('\n'),
    );
    return file;
  }

  it('classifies key-case, null-vs-empty, number-repr and a text difference; identical bodies match', async () => {
    const cfg = await configWith(rust.url, goSrv.url, 'own.yaml');
    const r = await runCli(['parity', '--config', cfg, '--json', join(dir, 'own.json')]);
    expect(withoutDefaultNote(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3/3 status codes match · 2/3 body shapes diverge');
    const report = JSON.parse(await readFile(join(dir, 'own.json'), 'utf8')) as ParityReport;
    const item = report.cases.find((c) => c.case === 'get-item')!;
    expect(item.route).toBe('/v1/items/{id}');
    const classes = item.findings.map((f) => `${f.class} ${f.path}`);
    expect(classes).toContain('key-case ');
    expect(classes).toContain('null-vs-empty /tags');
    expect(classes).toContain('number-repr /price');
    const version = report.cases.find((c) => c.case === 'version')!;
    expect(version.findings.map((f) => f.class)).toEqual(['text-change']);
    expect(report.cases.find((c) => c.case === 'missing')!.bodyMatch).toBe(true);
    // Neither server is instrumented: latency falls back to client spans and nothing is joined.
    expect(report.telemetry.joined).toBe(0);
  });

  it('turns an unreachable runtime into a transport finding and completes the run', async () => {
    const port = await unusedPort();
    const cfg = await configWith(rust.url, `http://127.0.0.1:${port}`, 'down.yaml');
    const r = await runCli(['parity', '--config', cfg, '--json', join(dir, 'down.json')]);
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'down.json'), 'utf8')) as ParityReport;
    expect(report.cases).toHaveLength(3);
    for (const c of report.cases) {
      expect(c.findings.map((f) => f.class)).toEqual(['transport']);
      expect(c.candidate!.errorType).toBe('connection_refused');
      expect(c.primary!.status).not.toBeNull();
    }
    expect(r.stdout).toContain('0/3 status codes match · 0/3 body shapes diverge');
    // A runtime that is down is a transport divergence, not a body one; its findings have no body path.
    expect(report.services[0]!.shapeDiverge).toBe(0);
    expect(r.stdout).toMatch(/ ≠ connection_refused +transport \(connection_refused\)/);
    expect(r.stdout).not.toMatch(/shape diverges|\(body\)/);
  });

  it('--fail-on-divergence exits 1 when anything diverges', async () => {
    const cfg = await configWith(rust.url, goSrv.url, 'gate.yaml');
    const r = await runCli(['parity', '--config', cfg, '--quiet', '--fail-on-divergence']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe('3/3 status codes match · 2/3 body shapes diverge');
  });
});
