import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { SpanStore } from '../src/collect/index.ts';
import { runCli, type CliResult, withoutDefaultNote } from './support/cli.ts';
import { unusedPort, waitForPort } from './support/servers.ts';

/**
 * The header corpus (issue 12 item 14): two real static servers of different make from Debian —
 * nginx and lighttpd — serve the same files and a redirect. A hand-written recording of the
 * traffic (split over two files, as several recordings replayed at once) is replayed against both
 * and judged from the store. Every header difference is a `header` finding at `/headers/<name>` or
 * noise with its reason; nothing else is reported.
 *
 * Planted: Content-Type `text/plain` vs `text/plain;charset=utf-8`; Cache-Control max-age 3600 vs
 * 60; nginx adds its headers to 2xx/3xx only, lighttpd's mod_setenv to 2xx/4xx but not to
 * mod_redirect's 301. Equal by meaning and so not findings: the redirect's Location (nginx absolute,
 * lighttpd relative). Noise: Server, ETag (each server's own format), Date.
 */
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const LIGHTTPD = ['/usr/sbin/lighttpd', '/usr/bin/lighttpd'].find((p) => existsSync(p));

const FILES: Record<string, string> = { 'hello.txt': 'hello\n', 'new.txt': 'new\n', 'data.json': '{"a":1,"b":[1,2]}\n' };

/** One recorded GET per line; `seq` restarts in each file, as it does in real recordings. */
function recording(paths: string[]): string {
  const header = { format: 'gauntlet-recording', version: 1, service: 'static', createdAt: '2026-12-01T10:00:00.000Z', source: 'generated' };
  const lines = paths.map((p, i) => {
    const [path, query = ''] = p.split('?');
    return { seq: i + 1, ts: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(), request: { method: 'GET', path, query, headers: { accept: '*/*' } }, response: { status: 200, headers: {}, latencyMs: 1 } };
  });
  return [header, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n';
}

describe('header corpus: nginx vs lighttpd on the same files', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  let portN: number;
  let portL: number;
  let replay: CliResult;
  let report: ParityReport;

  async function start(bin: string, args: string[], port: number, name: string): Promise<void> {
    let err = '';
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    children.push(child);
    await waitForPort(port, child, () => err, name);
  }

  beforeAll(async () => {
    // Fail loudly: a missing server is a broken environment, not a reason to skip the corpus.
    if (!NGINX) throw new Error('nginx is required: apt-get install -y nginx (listed in .ci/run)');
    if (!LIGHTTPD) throw new Error('lighttpd is required: apt-get install -y lighttpd (listed in .ci/run)');
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-headers-'));
    await mkdir(join(dir, 'www'));
    await mkdir(join(dir, 'logs'));
    for (const [f, body] of Object.entries(FILES)) await writeFile(join(dir, 'www', f), body);
    [portN, portL] = [await unusedPort(), await unusedPort()];
    await writeFile(
      join(dir, 'nginx.conf'),
      `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn;
events { worker_connections 64; }
http {
  types { text/plain txt; application/json json; }
  access_log off;
  client_body_temp_path ${dir}/tb; proxy_temp_path ${dir}/tp; fastcgi_temp_path ${dir}/tf; uwsgi_temp_path ${dir}/tu; scgi_temp_path ${dir}/ts;
  server {
    listen 127.0.0.1:${portN};
    root ${dir}/www;
    add_header Cache-Control "max-age=3600";
    add_header Access-Control-Allow-Origin "*";
    location = /old.txt { return 301 /new.txt; }
  }
}
`,
    );
    await writeFile(
      join(dir, 'lighttpd.conf'),
      `server.document-root = "${dir}/www"
server.bind = "127.0.0.1"
server.port = ${portL}
server.errorlog = "${dir}/logs/lighttpd.log"
server.modules = ("mod_redirect", "mod_setenv")
mimetype.assign = (".txt" => "text/plain;charset=utf-8", ".json" => "application/json")
url.redirect = ("^/old\\.txt$" => "/new.txt")
setenv.add-response-header = ("Cache-Control" => "max-age=60", "Access-Control-Allow-Origin" => "*")
`,
    );
    await start(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')], portN, 'nginx');
    await start(LIGHTTPD, ['-D', '-f', join(dir, 'lighttpd.conf')], portL, 'lighttpd');

    await writeFile(join(dir, 'a.ndjson'), recording(['/hello.txt', '/data.json', '/old.txt']));
    await writeFile(join(dir, 'b.ndjson'), recording(['/missing.txt', '/hello.txt?v=2']));
    await writeFile(
      join(dir, 'gauntlet.config.yaml'),
      `stack:
  services:
    static:
      primary: nginx
      candidate: lighttpd
      runtimes:
        nginx: { url: "http://127.0.0.1:${portN}" }
        lighttpd: { url: "http://127.0.0.1:${portL}" }
store: { path: ${join(dir, 'store.duckdb')} }
`,
    );
    replay = await runCli(['replay', join(dir, 'a.ndjson'), join(dir, 'b.ndjson'), '--config', join(dir, 'gauntlet.config.yaml'), '--fast', '--json', join(dir, 'report.json')]);
    expect(withoutDefaultNote(replay.stderr), replay.stdout).toBe('');
    report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ParityReport;
  }, 120_000);

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode !== null) continue;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await gone;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the servers really differ as planted (raw headers)', async () => {
    const get = async (port: number, path: string) => {
      const r = await request(`http://127.0.0.1:${port}${path}`);
      await r.body.dump();
      return { status: r.statusCode, headers: r.headers as Record<string, string> };
    };
    const [n, l] = [await get(portN, '/hello.txt'), await get(portL, '/hello.txt')];
    expect([n.headers['content-type'], l.headers['content-type']]).toEqual(['text/plain', 'text/plain;charset=utf-8']);
    expect(n.headers.server).toMatch(/^nginx/);
    expect(l.headers.server).toMatch(/^lighttpd/);
    expect(n.headers.etag).not.toBe(l.headers.etag);
    const [rn, rl] = [await get(portN, '/old.txt'), await get(portL, '/old.txt')];
    expect([rn.status, rl.status]).toEqual([301, 301]);
    expect([rn.headers.location, rl.headers.location]).toEqual([`http://127.0.0.1:${portN}/new.txt`, '/new.txt']);
  });

  it('case ids are unique per recording and show the query: 5 entries from two files are 5 cases', () => {
    expect(report.cases.map((c) => c.case).sort()).toEqual(['a.ndjson#1', 'a.ndjson#2', 'a.ndjson#3', 'b.ndjson#1', 'b.ndjson#2?v=2']);
    expect(report.services[0]).toMatchObject({ cases: 5, pairs: 5, statusMatch: 5 });
  });

  it('finds every header difference (class header, header name in the path) and nothing else', () => {
    const found = report.findings.map((f) => `${f.route} ${f.kind}/${f.class} ${f.path}`).sort();
    expect(found).toEqual(
      [
        '/data.json header/header /headers/cache-control',
        '/hello.txt header/header /headers/cache-control',
        '/hello.txt header/header /headers/content-type',
        '/missing.txt header/header /headers/access-control-allow-origin',
        '/missing.txt header/header /headers/cache-control',
        '/missing.txt body/text-change ',
        '/old.txt header/header /headers/access-control-allow-origin',
        '/old.txt header/header /headers/cache-control',
        '/old.txt header/content-type /headers/content-type',
        '/old.txt body/text-change ',
      ].sort(),
    );
    const ct = report.findings.find((f) => f.route === '/hello.txt' && f.path === '/headers/content-type')!;
    expect([ct.example.left, ct.example.right]).toEqual(['text/plain', 'text/plain;charset=utf-8']);
    // Location: absolute on nginx, relative on lighttpd, the same target → not a finding.
    expect(report.findings.some((f) => f.path === '/headers/location')).toBe(false);
  });

  it('reports Server and ETag differences as noise with their reason, never silently', () => {
    const noise = report.noise.filter((n) => n.path.startsWith('/headers/'));
    for (const route of ['/hello.txt', '/data.json']) {
      expect(noise.find((n) => n.route === route && n.path === '/headers/server')?.reason).toBe('volatile header server: names the server software');
      expect(noise.find((n) => n.route === route && n.path === '/headers/etag')?.reason).toBe('volatile header etag: validator format is server-specific');
    }
    for (const n of noise) expect(n.reason, n.path).toMatch(/^volatile header (date|server|etag|last-modified): /);
  });

  it('records the compared headers on the CLIENT spans (semconv http.response.header.*), no credentials', async () => {
    const store = await SpanStore.open(join(dir, 'store.duckdb'));
    try {
      const spans = (await store.spansForRun(report.runId)).filter((s) => s.kind === 'CLIENT');
      const redirect = spans.find((s) => String(s.attributes['url.full']).endsWith('/old.txt') && s.attributes['gauntlet.runtime'] === 'lighttpd')!;
      expect(redirect.attributes['http.response.header.location']).toEqual(['/new.txt']);
      for (const s of spans) for (const k of Object.keys(s.attributes)) expect(k).not.toMatch(/http\.response\.header\.(set-cookie|authorization|cookie)/);
    } finally {
      await store.close();
    }
  });
});
