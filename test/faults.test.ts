import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { SpanStore } from '../src/collect/index.ts';
import { runCli } from './support/cli.ts';
import { startServer, unusedPort, type TestServer } from './support/servers.ts';

/**
 * The harness keeps its promises when targets misbehave: every fault becomes a classified finding
 * and the run completes. A real misbehaving server on port 0 plays the primary; a well-behaved one
 * the candidate.
 */
describe('target faults become findings, never a crashed run', () => {
  let dir: string;
  let bad: TestServer;
  let good: TestServer;
  let report: ParityReport;
  let truncated: Map<string, unknown>;
  const OK = '{"ok":true,"items":[1,2,3]}';
  const BOMB = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20)); // 200 MB of spaces, ~200 KB on the wire
  const BIG = Buffer.alloc(50 * 1024 * 1024, 'a');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-faults-'));
    good = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(OK);
    });
    bad = await startServer((req, res) => {
      switch (req.url) {
        case '/reset':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
          res.write('{"ok":');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        case '/hang':
          return; // never answers
        case '/storm':
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end('{"error":"overloaded"}');
          return;
        case '/invalid-json':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"ok":tru');
          return;
        case '/big':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(BIG.length) });
          res.end(BIG);
          return;
        case '/bomb':
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(BOMB);
          return;
        case '/trickle': {
          res.writeHead(200, { 'content-type': 'application/json' });
          let n = 0;
          const t = setInterval(() => {
            if (res.destroyed || n++ > 100) return clearInterval(t);
            res.write(' ');
          }, 100);
          return;
        }
        default:
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(OK);
      }
    });
    const paths = ['reset', 'hang', 'storm', 'invalid-json', 'big', 'bomb', 'trickle', 'fine'];
    await writeFile(join(dir, 'cases.yaml'), ['service: svc', 'cases:', ...paths.map((p) => `  - id: ${p}\n    request: { path: /${p} }`)].join('\n'));
    await writeFile(
      join(dir, 'cfg.yaml'),
      [
        'stack:',
        '  services:',
        '    svc:',
        '      primary: flaky',
        '      candidate: steady',
        '      runtimes:',
        `        flaky: { url: "${bad.url}" }`,
        `        steady: { url: "${good.url}" }`,
        'parity: { cases: [cases.yaml] }',
        'probe: { timeoutMs: 1500, maxBodyBytes: 1048576, concurrency: 8 }',
        'store: { path: store.duckdb }',
      ].join('\n'),
    );
    const r = await runCli(['parity', '--config', join(dir, 'cfg.yaml'), '--json', join(dir, 'faults.json')]);
    expect(r.code, r.stderr).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'faults.json'), 'utf8')) as ParityReport;
    const store = await SpanStore.open(join(dir, 'store.duckdb'));
    try {
      const spans = (await store.spansForRun(report.runId)).filter((x) => x.kind === 'CLIENT' && x.attributes['gauntlet.runtime'] === 'flaky');
      truncated = new Map(spans.map((x) => [String(x.attributes['gauntlet.case']), x.attributes['gauntlet.response.body.truncated']]));
    } finally {
      await store.close();
    }
  }, 90_000);

  afterAll(async () => {
    await bad.close();
    await good.close();
    await rm(dir, { recursive: true, force: true });
  });

  const findingsOf = (id: string) => report.cases.find((c) => c.case === id)!.findings.map((f) => `${f.kind}/${f.class}`);
  const primaryOf = (id: string) => report.cases.find((c) => c.case === id)!.primary!;

  it.each([
    ['reset', 'transport/transport', 'connection_reset'],
    ['hang', 'transport/transport', 'timeout'],
    ['trickle', 'transport/transport', 'timeout'],
  ])('%s → %s (%s)', (id, finding, errorType) => {
    expect(findingsOf(id)).toEqual([finding]);
    expect(primaryOf(id).errorType).toBe(errorType);
  });

  it('a 5xx storm is a status finding', () => {
    expect(findingsOf('storm')).toContain('status/status');
    expect(primaryOf('storm').status).toBe(503);
  });

  it('invalid JSON is compared as text', () => {
    expect(findingsOf('invalid-json')).toEqual(['body/text-change']);
  });

  it('a 50 MB body is capped, marked truncated, and still compared', () => {
    expect(findingsOf('big').length).toBeGreaterThan(0);
    expect(truncated.get('big')).toBe(true);
    expect(truncated.get('fine')).toBe(false);
    expect(report.cases.find((c) => c.case === 'big')!.primary!.status).toBe(200);
  });

  it('a gzip bomb is decompressed only up to the cap', () => {
    expect(primaryOf('bomb').status).toBe(200);
    expect(findingsOf('bomb').length).toBeGreaterThan(0);
    expect(truncated.get('bomb')).toBe(true);
  });

  it('the well-behaved case still matches, and the run covered every case', () => {
    expect(findingsOf('fine')).toEqual([]);
    expect(report.services[0]!.cases).toBe(8);
    expect(report.telemetry.clientSpans).toBe(16);
  });
});

describe('an unreachable runtime fails each exchange, not the run', () => {
  it('connection refused is a transport finding', async () => {
    const port = await unusedPort();
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-refused-'));
    const up = await startServer((_q, res) => res.end('{}'));
    try {
      await writeFile(join(dir, 'cases.yaml'), 'service: svc\ncases:\n  - id: a\n    request: { path: /a }\n');
      await writeFile(join(dir, 'cfg.yaml'), `stack:\n  services:\n    svc:\n      primary: a\n      candidate: b\n      runtimes:\n        a: { url: "${up.url}" }\n        b: { url: "http://127.0.0.1:${port}" }\nparity: { cases: [cases.yaml] }\nstore: { path: s.duckdb }\n`);
      const r = await runCli(['parity', '--config', join(dir, 'cfg.yaml'), '--json', join(dir, 'r.json')]);
      expect(r.code).toBe(0);
      const rep = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as ParityReport;
      expect(rep.cases[0]!.candidate!.errorType).toBe('connection_refused');
    } finally {
      await up.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
