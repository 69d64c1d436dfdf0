import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody, type RecordedExchange } from '../src/record/format.ts';
import { startRecordProxy, type RecordProxy } from '../src/record/proxy.ts';
import { readRecording } from '../src/record/reader.ts';
import { BIN, REPO_ROOT } from './support/cli.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082', 'hex');

/** A gate the test opens: proves bytes flowed before the other side finished. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const firstRequestChunk = gate();
const releaseResponse = gate();

async function readAll(req: IncomingMessage, onFirst?: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    if (chunks.length === 0) onFirst?.();
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** The upstream: echoes what reached it, streams, serves binary, sets hop-by-hop headers of its own. */
async function startUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    // A request the proxy aborts (body over its limit) is expected to fail here.
    handle(req, res).catch(() => res.destroy());
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.startsWith('/upload')) {
      const body = await readAll(req, () => firstRequestChunk.open());
      res.writeHead(201, { 'content-type': 'text/plain' }).end(`got ${body.length} bytes: ${body.toString()}`);
    } else if (url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk;');
      await releaseResponse.wait;
      res.end('second chunk');
    } else if (url === '/logo.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    } else if (url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(10_000));
    } else {
      const body = await readAll(req);
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.writeHead(418, { 'content-type': 'application/json', 'x-custom': 'kept', 'keep-alive': 'timeout=99', 'proxy-authenticate': 'Basic realm=x', upgrade: 'h2c' });
      res.end(JSON.stringify({ method: req.method, url, headers: req.headers, body: body.toString() }));
    }
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('gauntlet record: a faithful recording reverse proxy', () => {
  let dir: string;
  let upstream: { url: string; server: Server };
  let proxy: RecordProxy;
  let recorded: RecordedExchange[];
  const out = () => join(dir, 'proxy.ndjson');
  const seen: Record<string, { status: number; headers: Record<string, unknown>; body: Buffer }> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-proxy-'));
    upstream = await startUpstream();
    proxy = await startRecordProxy({ upstream: upstream.url, out: out(), service: 'demo', maxBodyBytes: 4096, maxRequestBytes: 100_000 });
    const send = async (name: string, path: string, opts: Parameters<typeof request>[1] = {}) => {
      const r = await request(proxy.url + path, opts);
      seen[name] = { status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) };
    };
    // node:http as the client here: undici refuses to send hop-by-hop headers at all.
    seen.echo = await new Promise((resolve, reject) => {
      const req = httpRequest(proxy.url + '/echo/1?b=%20x&a=1&a=2', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic cHJveHk=', 'x-keep': 'yes', 'x-forwarded-for': '10.0.0.9' },
      }, async (res) => resolve({ status: res.statusCode!, headers: res.headers, body: await readAll(res) }));
      req.on('error', reject);
      req.end('{"qty":1.0}');
    });
    await send('png', '/logo.png');
    await send('big', '/big');
    // Request streaming: the second chunk is sent only once the upstream has seen the first.
    const upload = send('upload', '/upload', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Readable.from((async function* () {
        yield Buffer.from('part-one;');
        await firstRequestChunk.wait;
        yield Buffer.from('part-two');
      })()),
    });
    await upload;
    // Response streaming: the client reads the first chunk while the upstream still holds the second.
    const r = await request(proxy.url + '/stream');
    const it = (r.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await it.next();
    seen.streamFirst = { status: r.statusCode, headers: r.headers, body: first.value as Buffer };
    releaseResponse.open();
    for (let n = await it.next(); !n.done; n = await it.next());
    const tooBig = await request(proxy.url + '/echo/big', { method: 'POST', body: 'y'.repeat(200_000) });
    seen.tooBig = { status: tooBig.statusCode, headers: tooBig.headers, body: Buffer.from(await tooBig.body.arrayBuffer()) };
    // No content-length: the limit is enforced while streaming.
    const chunked = await request(proxy.url + '/upload-chunked', { method: 'POST', body: Readable.from((function* () {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(10_000, 'z');
    })()) });
    seen.tooBigChunked = { status: chunked.statusCode, headers: chunked.headers, body: Buffer.from(await chunked.body.arrayBuffer()) };
    const stats = await proxy.close();
    expect(stats).toMatchObject({ requests: 7, exchanges: 5, rejected: 2, upstreamErrors: 0, inFlight: 0 });
    recorded = (await readRecording(out())).exchanges;
  }, 30_000);

  afterAll(async () => {
    await proxy?.close();
    upstream?.server.closeAllConnections();
    upstream?.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const find = (path: string) => recorded.find((x) => x.request.path === path)!;

  it('forwards method, path, raw query, headers and body; rewrites Host; adds x-forwarded-*; strips hop-by-hop', () => {
    expect(seen.echo!.status).toBe(418);
    const echo = JSON.parse(seen.echo!.body.toString()) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(echo.method).toBe('PUT');
    expect(echo.url).toBe('/echo/1?b=%20x&a=1&a=2');
    expect(echo.body).toBe('{"qty":1.0}');
    expect(echo.headers.host).toBe(new URL(upstream.url).host);
    expect(echo.headers['x-keep']).toBe('yes');
    expect(echo.headers['x-forwarded-for']).toBe('10.0.0.9, 127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    for (const h of ['x-drop-me', 'te', 'proxy-authorization', 'keep-alive']) expect(echo.headers[h], `upstream saw ${h}`).toBeUndefined();
  });

  it('returns the upstream status and end-to-end headers (both set-cookies), not its hop-by-hop ones', () => {
    const h = seen.echo!.headers;
    expect(h['x-custom']).toBe('kept');
    expect(h['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(h['proxy-authenticate']).toBeUndefined();
    expect(h.upgrade).toBeUndefined();
    expect(h['keep-alive']).not.toBe('timeout=99');
  });

  it('streams request and response bodies instead of buffering them', () => {
    expect(seen.upload!.status).toBe(201);
    expect(seen.upload!.body.toString()).toBe('got 17 bytes: part-one;part-two');
    expect(seen.streamFirst!.body.toString()).toBe('first chunk;');
    expect(find('/stream').response.body).toBe('first chunk;second chunk');
  });

  it('records each exchange: binary as base64, text as text, capped bodies marked truncated, hop-by-hop left out', () => {
    expect(recorded.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    const png = find('/logo.png');
    expect(png.response.bodyEncoding).toBe('base64');
    expect(Buffer.compare(decodeBody(png.response) as Buffer, PNG)).toBe(0);
    expect(Buffer.compare(seen.png!.body, PNG)).toBe(0);
    const echo = find('/echo/1');
    expect(echo.request).toMatchObject({ method: 'PUT', query: 'b=%20x&a=1&a=2', body: '{"qty":1.0}', bodyEncoding: 'utf8' });
    expect(echo.request.headers['x-keep']).toBe('yes');
    for (const h of ['host', 'connection', 'x-drop-me', 'te', 'keep-alive', 'proxy-authorization']) expect(echo.request.headers[h], `recorded ${h}`).toBeUndefined();
    expect(echo.response.status).toBe(418);
    expect(echo.response.headers['set-cookie']).toBe('[REDACTED]');
    expect(echo.response.latencyMs).toBeGreaterThan(0);
    const big = find('/big');
    expect(seen.big!.body.length).toBe(10_000);
    expect(big.response).toMatchObject({ bodyTruncated: true });
    expect(big.response.body).toHaveLength(4096);
    expect(find('/upload').request.body).toBe('part-one;part-two');
  });

  it('refuses a request body over the listener limit with 413 and records nothing for it', () => {
    expect(seen.tooBig!.status).toBe(413);
    expect(seen.tooBigChunked!.status).toBe(413);
    expect(recorded.some((x) => x.request.path === '/echo/big')).toBe(false);
  });

  it('on close, finishes an in-flight exchange (and records it) before renaming the file', async () => {
    const slow = gate();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('started;');
      void slow.wait.then(() => res.end('finished'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const file = join(dir, 'inflight.ndjson');
    const p = await startRecordProxy({ upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, out: file, service: 'demo' });
    try {
      const res = await request(p.url + '/slow');
      const closing = p.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(p.stats().inFlight).toBe(1);
      slow.open();
      expect(await res.body.text()).toBe('started;finished');
      expect((await closing).exchanges).toBe(1);
      expect((await readRecording(file)).exchanges[0]!.response.body).toBe('started;finished');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('binds loopback only unless told otherwise', async () => {
    await expect(startRecordProxy({ host: '0.0.0.0', upstream: upstream.url, out: join(dir, 'never.ndjson'), service: 'demo' })).rejects.toThrow(/loopback only/);
  });
});

describe('redaction canary through the real `gauntlet record` CLI', () => {
  it('no secret from Authorization, Cookie, an api-key query param or a JSON password reaches the recording', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-canary-'));
    const upstream = await startUpstream();
    const file = join(dir, 'canary.ndjson');
    const child = spawn(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--out', file, '--service', 'demo'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (l) => {
          stdout += `${l}\n`;
          const m = /listening on (\S+)/.exec(l);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (c) => reject(new Error(`record exited ${c}: ${stderr}`)));
      });
      // The upstream echoes the request back, so the secrets also appear in the response body.
      const r = await request(`${url}/echo/login?api_key=CANARY-QUERY-5b1e&page=2`, {
        method: 'POST',
        headers: { authorization: 'Bearer CANARY-AUTH-9f3a', cookie: 'session=CANARY-COOKIE-77c2; theme=dark', 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'ann', password: 'CANARY-PASSWORD-e41d' }),
      });
      expect(r.statusCode).toBe(418);
      await r.body.dump();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/recorded 1 exchange of 1 request to .*canary\.ndjson/);
      const text = await readFile(file, 'utf8');
      expect(text).not.toMatch(/CANARY/);
      expect(text).toContain('"authorization":"[REDACTED]"');
      expect(text).toContain('api_key=%5BREDACTED%5D&page=2');
    } finally {
      child.kill('SIGKILL');
      upstream.server.closeAllConnections();
      upstream.server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
