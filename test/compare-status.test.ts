import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePair, type ObservedExchange, type ParityReport } from '../src/analyze/index.ts';
import type { RecordedExchange } from '../src/record/format.ts';
import { runCli, withoutDefaultNote } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';
import { writeRecording } from './support/validatord-traffic.ts';

function exchange(runtime: string, status: number, body: string, contentType = 'application/json'): ObservedExchange {
  return {
    traceId: 't', spanId: runtime, driver: 'replay', service: 's', runtime, role: 'primary', caseId: '1', pairId: 'p', route: '/r', method: 'POST',
    url: `http://127.0.0.1/${runtime}`, startNs: 0n, status, errorType: undefined, errorMessage: undefined, contentType, body, bodyTruncated: false,
    shapeHash: undefined, bodyHash: undefined, clientMs: 1, serverMs: undefined, serverRoute: undefined,
  };
}

const classes = (fs: ReturnType<typeof comparePair>) => fs.map((f) => `${f.kind}/${f.class} ${f.path}`);

describe('comparePair: status divergences (issue 12 items 5, 6, 7, 14)', () => {
  it('2xx vs 4xx: one status finding with both bodies, no body diff, "validation differs" and no serde story', () => {
    const fs = comparePair(exchange('rust', 422, '{"error":"qty: invalid type: floating point `1e3`, expected u32"}'), exchange('go', 200, '{"id":7,"qty":1000,"note":null}'));
    expect(classes(fs)).toEqual(['status/status ']);
    const [f] = fs;
    expect(f?.identity).toBe('422→200');
    expect(f?.cause).toMatch(/^validation differs: go accepted the request \(200\) where rust rejected it \(422\)/);
    expect(`${f?.cause} ${f?.hint}`).not.toMatch(/Option|pointer|omitempty|serde/);
    expect(f?.detail).toContain('rust: {"error":"qty: invalid type: floating point `1e3`, expected u32"}');
    expect(f?.detail).toContain('go: {"id":7,"qty":1000,"note":null}');
  });

  it.each([
    [404, /^lookup differs: a accepted the request \(200\) where b did not find/],
    [403, /^authorization differs/],
    [405, /^method handling differs/],
    [429, /^the outcome differs/],
  ])('a %i against a 200 says what differs, from the code', (code, cause) => {
    const [f] = comparePair(exchange('a', 200, '{}'), exchange('b', code, '{}'));
    expect(f?.cause).toMatch(cause);
  });

  it('a media-type difference between an error page and a result is not a separate finding either', () => {
    const fs = comparePair(exchange('a', 200, '{"id":1}'), exchange('b', 404, 'not found\n', 'text/plain; charset=utf-8'));
    expect(classes(fs)).toEqual(['status/status ']);
    expect(fs[0]?.detail).toContain('b: "not found\\n"');
  });

  it('same class (422 vs 400): the error envelopes are still compared', () => {
    const fs = comparePair(exchange('rust', 422, '{"error":"invalid","field":"qty"}'), exchange('go', 400, '{"error":"invalid"}'));
    expect(classes(fs)).toEqual(['status/status ', 'shape/missing-field /field']);
    expect(fs[0]?.identity).toBe('422→400');
    expect(fs[0]?.hint).toMatch(/IntoResponse/);
  });

  it('hints name axum/serde/Go only for a declared Rust/Go pair', () => {
    const nginx = comparePair(exchange('nginx', 422, '{"e":1,"x":null}'), exchange('lighttpd', 400, '{"e":1}', 'text/json'));
    const text = nginx.map((f) => `${f.cause} ${f.hint}`).join('\n');
    expect(text).not.toMatch(/serde|axum|Rust|Go\b|omitempty|encoding\/json|IntoResponse|http\.Error/);
    expect(classes(nginx)).toEqual(['status/status ', 'header/content-type /headers/content-type', 'shape/null-vs-missing /x']);
    const rustGo = comparePair(exchange('rust', 200, '{"x":null}'), exchange('go', 200, '{}'));
    expect(rustGo[0]?.cause).toMatch(/Option/);
  });
});

/**
 * Two real servers on port 0, replayed and judged from the store: one route whose requests end in
 * four different status pairs (item 5), and a sorted list that differs by a few elements (item 4).
 */
describe('status pairs and aligned lists, judged from the store', () => {
  let dir: string;
  const servers: TestServer[] = [];
  let report: ParityReport;
  // What each runtime answers per request: the `n` query parameter picks the case.
  const rust: Record<string, [number, string]> = {
    '1': [422, '{"error":"invalid"}'],
    '2': [400, '{"error":"bad request"}'],
    '3': [422, '{"error":"invalid"}'],
    '4': [422, '{"error":"invalid"}'],
    '5': [404, '{"error":"not found"}'],
  };
  const go: Record<string, [number, string]> = {
    '1': [400, '{"error":"invalid"}'],
    '2': [200, '{"ok":true}'],
    '3': [200, '{"ok":true}'],
    '4': [200, '{"ok":true}'],
    '5': [200, '{"ok":true}'],
  };
  const list = Array.from({ length: 60 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
  const goList = [...list.slice(0, 10), ...list.slice(11, 40), 'item-040a', ...list.slice(40, 55), ...list.slice(56)];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-status-pairs-'));
    for (const [answers, items] of [[rust, list], [go, goList]] as const) {
      servers.push(
        await startServer((req, res) => {
          const url = new URL(req.url ?? '/', 'http://x');
          if (url.pathname === '/v1/items') {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
            return;
          }
          const [status, body] = answers[url.searchParams.get('n') ?? ''] ?? [500, '{}'];
          res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        }),
      );
    }
    const [a, b] = servers as [TestServer, TestServer];
    const t0 = Date.parse('2026-12-01T12:00:00.000Z');
    const traffic: Array<Omit<RecordedExchange, 'seq'>> = [];
    const request = (path: string, query: string) => ({ method: 'GET', path, query, headers: { accept: 'application/json' }, bodyEncoding: 'utf8' as const });
    for (const n of ['1', '2', '3', '4', '5']) {
      traffic.push({ ts: new Date(t0 + traffic.length).toISOString(), request: request('/v1/check', `n=${n}`), response: { status: 200, headers: {}, bodyEncoding: 'utf8', latencyMs: 1 } });
    }
    for (let i = 0; i < 3; i++) {
      traffic.push({ ts: new Date(t0 + traffic.length).toISOString(), request: request('/v1/items', ''), response: { status: 200, headers: {}, bodyEncoding: 'utf8', latencyMs: 1 } });
    }
    const recording = join(dir, 'rec.ndjson');
    await writeRecording(recording, 'svc', traffic, 'test/compare-status.test.ts');
    const config = join(dir, 'gauntlet.config.yaml');
    await writeFile(
      config,
      `stack:
  services:
    svc:
      primary: rust
      candidate: go
      runtimes:
        rust: { url: "${a.url}" }
        go: { url: "${b.url}" }
store: { path: store.duckdb }
`,
    );
    const replay = await runCli(['replay', recording, '--config', config, '--fast', '--json', join(dir, 'replay.json')]);
    expect(withoutDefaultNote(replay.stderr), replay.stdout).toBe('');
    report = JSON.parse(await readFile(join(dir, 'replay.json'), 'utf8')) as ParityReport;
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('each status pair is its own finding with its own count', () => {
    const status = report.findings.filter((f) => f.class === 'status').map((f) => `${f.example.left}→${f.example.right} ×${f.count}`);
    expect(status.sort()).toEqual(['400→200 ×1', '404→200 ×1', '422→200 ×2', '422→400 ×1']);
    expect(new Set(report.findings.filter((f) => f.class === 'status').map((f) => f.id)).size).toBe(4);
  });

  it('status pairs across classes raise nothing else (no body diff of an error envelope against a result)', () => {
    const check = report.findings.filter((f) => f.route === '/v1/check');
    expect(check.filter((f) => f.class !== 'status')).toEqual([]);
  });

  it('a sorted list differing by three elements: one array-shape naming them, no value-change', () => {
    const items = report.findings.filter((f) => f.route === '/v1/items');
    expect(items.map((f) => `${f.class} ${f.path} ×${f.count}`)).toEqual(['array-shape /items ×3']);
    expect(items[0]?.example.detail).toBe('length 60 vs 59; missing /items/10 "item-010", /items/55 "item-055"; extra /items/39 "item-040a"');
    expect(items[0]?.details).toEqual(['extra-element', 'missing-element']);
  });
});
