import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { SpanStore } from '../src/collect/index.ts';
import { decodeBody, type RecordedExchange } from '../src/record/format.ts';
import { readRecording } from '../src/record/reader.ts';
import { BIN, REPO_ROOT, runCli, type CliResult, withoutDefaultNote } from './support/cli.ts';
import { unusedPort, waitForPort } from './support/servers.ts';

/**
 * Real traffic: a Debian nginx (package `nginx`) serves two document roots that differ on purpose
 * in two files. `gauntlet record` proxies real requests to the first; the recording is replayed
 * against both; the report must name exactly the seeded differences.
 */
// A missing nginx is a broken environment, not a reason to skip: the test fails, saying what to install.
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082', 'hex');
const SITE: Record<string, [string | Buffer, string | Buffer]> = {
  'index.html': ['<!doctype html><title>shop</title><h1>shop</h1>\n', '<!doctype html><title>shop</title><h1>shop</h1>\n'],
  'logo.png': [PNG, PNG],
  'api/list.json': ['{"items":[7,9],"total":2}', '{"items":[7,9],"total":2}'],
  // Seeded: Rust-style float vs Go-style integer rendering of the same price …
  'api/item.json': ['{"id":7,"name":"widget","price":10.0,"tags":["x","y"]}', '{"id":7,"name":"widget","price":10,"tags":["x","y"]}'],
  // … and a field only the candidate has.
  'api/user.json': ['{"id":1,"name":"ann"}', '{"id":1,"name":"ann","nickname":"a"}'],
  'api/session.json': ['{"user":"ann","access_token":"CANARY-NGINX-TOKEN"}', '{"user":"ann","access_token":"CANARY-NGINX-TOKEN"}'],
};

describe('record real nginx traffic through `gauntlet record`, replay it against two nginx sites', () => {
  let dir: string;
  let nginx: ChildProcess | undefined;
  let portA: number;
  let portB: number;
  let recordOut: string;
  let recorded: RecordedExchange[];
  let replay: CliResult;
  let report: ParityReport;
  const responses: Record<string, { status: number; body: Buffer }> = {};

  beforeAll(async () => {
    if (!NGINX) throw new Error('nginx is required: install the Debian package `nginx` (apt-get install -y nginx; .ci/run does)');
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-nginx-'));
    [portA, portB] = [await unusedPort(), await unusedPort()];
    for (const [i, site] of ['a', 'b'].entries()) {
      for (const [file, bodies] of Object.entries(SITE)) {
        await mkdir(join(dir, site, file, '..'), { recursive: true });
        await writeFile(join(dir, site, file), bodies[i]!);
      }
    }
    await mkdir(join(dir, 'logs'));
    // Single-process mode: no workers switching to another user (the temp dir is private).
    const conf = `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn;
events { worker_connections 128; }
http {
  types { text/html html; application/json json; image/png png; }
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/tmp-body; proxy_temp_path ${dir}/tmp-proxy; fastcgi_temp_path ${dir}/tmp-fcgi; uwsgi_temp_path ${dir}/tmp-uwsgi; scgi_temp_path ${dir}/tmp-scgi;
  server { listen 127.0.0.1:${portA}; root ${dir}/a; }
  server { listen 127.0.0.1:${portB}; root ${dir}/b; }
}
`;
    await writeFile(join(dir, 'nginx.conf'), conf);
    let nginxErr = '';
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx.stderr!.on('data', (d: Buffer) => (nginxErr += d.toString()));
    await waitForPort(portA, nginx, () => nginxErr, 'nginx');
    await waitForPort(portB, nginx, () => nginxErr, 'nginx');

    recordOut = join(dir, 'nginx.ndjson');
    const rec = spawn(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${portA}`, '--out', recordOut, '--service', 'shop'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let recErr = '';
    rec.stderr.on('data', (d: Buffer) => (recErr += d.toString()));
    const proxyUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: rec.stdout }).on('line', (l) => {
        const m = /listening on (\S+)/.exec(l);
        if (m) resolve(m[1]!);
      });
      rec.once('exit', (c) => reject(new Error(`gauntlet record exited ${c}: ${recErr}`)));
    });
    const send = async (name: string, path: string, opts: Parameters<typeof request>[1] = {}) => {
      const r = await request(proxyUrl + path, opts);
      responses[name] = { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
    };
    await send('index', '/index.html');
    await send('logo', '/logo.png');
    await send('list', '/api/list.json?page=1');
    await send('item', '/api/item.json', { headers: { authorization: 'Bearer CANARY-NGINX-AUTH' } });
    await send('user', '/api/user.json');
    await send('session', '/api/session.json', { headers: { cookie: 'sid=CANARY-NGINX-COOKIE' } });
    await send('missing', '/api/missing.json');
    await send('head', '/index.html', { method: 'HEAD' });
    await send('post', '/api/item.json', { method: 'POST', body: '{"price":11}', headers: { 'content-type': 'application/json' } });
    const exited = new Promise<number | null>((resolve) => rec.once('exit', (c) => resolve(c)));
    rec.kill('SIGTERM');
    expect(await exited).toBe(0);
    recorded = (await readRecording(recordOut)).exchanges;

    const config = join(dir, 'gauntlet.config.yaml');
    await writeFile(config, `stack:
  services:
    shop:
      primary: site-a
      candidate: site-b
      runtimes:
        site-a: { url: "http://127.0.0.1:${portA}" }
        site-b: { url: "http://127.0.0.1:${portB}" }
store: { path: ${join(dir, 'store.duckdb')} }
`);
    replay = await runCli(['replay', recordOut, '--config', config, '--fast', '--json', join(dir, 'replay.json')]);
    expect(withoutDefaultNote(replay.stderr), `stdout:\n${replay.stdout}`).toBe('');
    expect(replay.code).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'replay.json'), 'utf8')) as ParityReport;
  }, 120_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const gone = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT');
      await gone;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('proxied real nginx answers faithfully and recorded them', () => {
    expect(responses.index!.status).toBe(200);
    expect(Buffer.compare(responses.logo!.body, PNG)).toBe(0);
    expect(responses.missing!.status).toBe(404);
    expect(responses.post!.status).toBe(405);
    expect(responses.head!.body.length).toBe(0);
    expect(recorded.map((x) => `${x.request.method} ${x.request.path} ${x.response.status}`)).toEqual([
      'GET /index.html 200', 'GET /logo.png 200', 'GET /api/list.json 200', 'GET /api/item.json 200', 'GET /api/user.json 200',
      'GET /api/session.json 200', 'GET /api/missing.json 404', 'HEAD /index.html 200', 'POST /api/item.json 405',
    ]);
    const logo = recorded[1]!;
    expect(logo.response.headers['content-type']).toBe('image/png');
    expect(logo.response.headers.server).toMatch(/^nginx/);
    expect(Buffer.compare(decodeBody(logo.response) as Buffer, PNG)).toBe(0);
    expect(recorded[2]!.request.query).toBe('page=1');
    expect(recorded[3]!.response.body).toBe(SITE['api/item.json']![0]);
  });

  it('reports exactly the seeded differences, classified', () => {
    const findings = report.findings.map((f) => `${f.route} ${f.kind}/${f.class} ${f.path}`).sort();
    expect(findings).toEqual(['/api/item.json value/number-repr /price', '/api/user.json shape/extra-field /nickname']);
    const identical = report.cases.filter((c) => c.bodyMatch).map((c) => c.route).sort();
    expect(identical).toEqual(['/api/list.json', '/api/missing.json', '/api/session.json', '/index.html', '/index.html', '/logo.png']);
    expect(report.services[0]).toMatchObject({ service: 'shop', primary: 'site-a', candidate: 'site-b', cases: 8, statusMatch: 8 });
  });

  it('skips the recorded POST (unsafe) and says so', () => {
    expect(replay.stdout).toContain('skipped 1 unsafe-method entry: POST /api/item.json ×1');
  });

  it('redaction canary: no secret in the recording, the replay output, the JSON report or the span store', async () => {
    expect(await readFile(recordOut, 'utf8')).not.toMatch(/CANARY/);
    expect(replay.stdout).not.toMatch(/CANARY/);
    expect(await readFile(join(dir, 'replay.json'), 'utf8')).not.toMatch(/CANARY/);
    const store = await SpanStore.open(join(dir, 'store.duckdb'));
    try {
      const spans = await store.spansForRun(report.runId);
      expect(spans.length).toBeGreaterThan(16);
      const text = JSON.stringify(spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      expect(text).toContain('[REDACTED]');
      expect(text).not.toMatch(/CANARY/);
    } finally {
      await store.close();
    }
  });
});
