import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runCli, type CliResult } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';

/**
 * Redaction canary end to end: secrets in an Authorization header, a Cookie, an `api_key` query
 * parameter and a configured JSON body key (`redact.bodyPointers: /**\/pin`) go through
 * `gauntlet record`; the recording is replayed by `gauntlet run` (replay phase) against two
 * runtimes that are sent *real* credentials from the config and echo everything back (as a
 * misbehaving API would) plus secrets of their own. No canary may appear in any file written —
 * recording, span store, spool, and every report (JSON, gate JSON, JUnit, Markdown, HTML) — nor
 * in any output.
 */
const CANARY = /CANARY/;

function echoRuntime(side: 'upstream' | 'a' | 'b', seen: string[]): Promise<TestServer> {
  return startServer((req, res, body) => {
    seen.push(`${req.headers.authorization ?? ''} ${req.headers.cookie ?? ''}`);
    const { traceparent: _t, tracestate: _s, host: _h, ...headers } = req.headers;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/echo/text') {
      // A plain-text answer quoting the credential it was sent (B adds a newline: a text-change).
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`you sent authorization: ${req.headers.authorization ?? '-'}${side === 'b' ? '\n' : ''}`);
      return;
    }
    let parsed: unknown = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      // echoed as text
    }
    const token = `CANARY-TOKEN-${side}`;
    res.setHeader('set-cookie', `sid=CANARY-SETCOOKIE-${side}; HttpOnly`);
    res.writeHead(200, { 'content-type': 'application/json' });
    // B spells the session key the Go way and drops the float's `.0`: findings whose snippets sit
    // right next to the secrets, so the reports have to show them.
    res.end(
      side === 'b'
        ? `{"method":${JSON.stringify(req.method)},"url":${JSON.stringify(req.url)},"headers":${JSON.stringify(headers)},"body":${JSON.stringify(parsed)},"session":{"accessToken":"${token}"},"account":{"pin":"CANARY-PIN-${side}","balance":10}}`
        : `{"method":${JSON.stringify(req.method)},"url":${JSON.stringify(req.url)},"headers":${JSON.stringify(headers)},"body":${JSON.stringify(parsed)},"session":{"access_token":"${token}"},"account":{"pin":"CANARY-PIN-${side}","balance":10.0}}`,
    );
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

describe('redaction canary: record → replay → every report', () => {
  let dir: string;
  let out: string;
  const servers: TestServer[] = [];
  const seen: string[] = [];
  let recordStdout = '';
  let recordStderr = '';
  let run: CliResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-canary-e2e-'));
    // Config apart from the outputs: it holds the real credentials, everything under out/ must not.
    out = join(dir, 'out');
    await mkdir(join(dir, 'config'));
    await mkdir(out);
    for (const side of ['upstream', 'a', 'b'] as const) servers.push(await echoRuntime(side, seen));
    const [upstream, a, b] = servers as [TestServer, TestServer, TestServer];
    const creds = '{ authorization: "Bearer CANARY-AUTH-REPLAY", cookie: "session=CANARY-COOKIE-REPLAY; theme=dark" }';
    const config = join(dir, 'config', 'gauntlet.config.yaml');
    await writeFile(
      config,
      `stack:
  services:
    shop:
      primary: a
      candidate: b
      runtimes:
        a: { url: "${a.url}", headers: ${creds} }
        b: { url: "${b.url}", headers: ${creds} }
redact:
  bodyPointers: ["/**/pin"]
replay:
  safeRoutes: [{ method: POST, route: /echo/login }]
run:
  phases: [replay]
  replay: { recordings: [../out/canary.ndjson] }
store: { path: ../out/store.duckdb }
reports: { dir: ../out/reports }
`,
    );

    const recording = join(out, 'canary.ndjson');
    const rec = spawn(process.execPath, [BIN, 'record', '--config', config, '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--out', recording, '--service', 'shop'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    rec.stderr.on('data', (d: Buffer) => (recordStderr += d.toString()));
    try {
      const proxy = await new Promise<string>((resolve, reject) => {
        createInterface({ input: rec.stdout }).on('line', (l) => {
          recordStdout += `${l}\n`;
          const m = /listening on (\S+)/.exec(l);
          if (m) resolve(m[1]!);
        });
        rec.once('exit', (c) => reject(new Error(`gauntlet record exited ${c}: ${recordStderr}`)));
      });
      const login = await request(`${proxy}/echo/login?api_key=CANARY-QUERY-5b1e&page=2`, {
        method: 'POST',
        headers: { authorization: 'Bearer CANARY-AUTH-9f3a', cookie: 'session=CANARY-COOKIE-77c2; theme=dark', 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'ann', account: { pin: 'CANARY-PIN-e41d', remember: true } }),
      });
      expect(await login.body.text()).toMatch(CANARY); // the upstream really echoed the secrets
      const text = await request(`${proxy}/echo/text?api_key=CANARY-QUERY-0c11`, { headers: { authorization: 'Bearer CANARY-AUTH-9f3a' } });
      expect(await text.body.text()).toMatch(CANARY);
      const exited = new Promise<number | null>((resolve) => rec.once('exit', (c) => resolve(c)));
      rec.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      rec.kill('SIGKILL');
    }

    seen.length = 0;
    run = await runCli(['run', '--config', config]);
    // The seeded key-case / number-repr / text-change findings are new divergences: the gate fails.
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the replay really sent real credentials, and the runtimes really answered with secrets', () => {
    expect(seen.length).toBe(4); // two entries × two runtimes
    expect(seen.every((s) => s.includes('CANARY-AUTH-REPLAY') && s.includes('CANARY-COOKIE-REPLAY'))).toBe(true);
  });

  it('no canary in any output of record or run', () => {
    expect(recordStdout + recordStderr).not.toMatch(CANARY);
    expect(run.stdout + run.stderr).not.toMatch(CANARY);
  });

  it('every report format was written, shows the findings next to the secrets, and shows them redacted', async () => {
    const reports = (await filesUnder(join(out, 'reports'))).map((f) => f.slice(f.lastIndexOf('/') + 1));
    expect(reports).toEqual(expect.arrayContaining(['report.json', 'gate.json', 'junit.xml', 'summary.md', 'report.html']));
    const [runDir] = await readdir(join(out, 'reports'));
    const read = (name: string) => readFile(join(out, 'reports', runDir!, name), 'utf8');
    const report = JSON.parse(await read('report.json')) as { findings: Array<{ kind: string; class: string; path: string; example: { left?: string } }> };
    expect(report.findings.map((f) => `${f.kind}/${f.class} ${f.path}`).sort()).toEqual(['body/text-change ', 'shape/key-case /session', 'value/number-repr /account/balance']);
    expect(report.findings.find((f) => f.class === 'key-case')!.example.left).toBe('{"access_token":"[REDACTED]"}');
    for (const name of ['report.html', 'summary.md', 'junit.xml']) expect(await read(name), name).toContain('/session');
    expect(await read('report.html')).toContain('[REDACTED]');
  });

  it('no canary in any file written: recording, reports, spool, store files', async () => {
    const files = await filesUnder(out);
    expect(files.some((f) => f.endsWith('canary.ndjson'))).toBe(true);
    expect(files.some((f) => f.endsWith('store.duckdb'))).toBe(true);
    const leaks: string[] = [];
    for (const f of files) if (CANARY.test((await readFile(f)).toString('latin1'))) leaks.push(f);
    expect(leaks).toEqual([]);
  });

  it('no canary in any row of the span store (DuckDB compresses strings, so the rows are read back too)', async () => {
    const instance = await DuckDBInstance.create(join(out, 'store.duckdb'), { access_mode: 'READ_ONLY' });
    try {
      const conn = await instance.connect();
      const spans = JSON.stringify((await conn.runAndReadAll('SELECT * FROM spans')).getRowObjectsJson());
      const metrics = JSON.stringify((await conn.runAndReadAll('SELECT * FROM metrics')).getRowObjectsJson());
      conn.closeSync();
      expect(spans.length).toBeGreaterThan(1000);
      expect(spans).toContain('[REDACTED]');
      expect(spans).not.toMatch(CANARY);
      expect(metrics).not.toMatch(CANARY);
    } finally {
      instance.closeSync();
    }
  });
});
