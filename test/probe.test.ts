import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { runExchange, type ExchangeRequest, type ProbeSubscriber } from '../src/probe/index.ts';
import { startServer, unusedPort, type TestServer } from './support/servers.ts';

function req(baseUrl: string, path: string, extra: Partial<ExchangeRequest> = {}): ExchangeRequest {
  return {
    runId: 'r-test', driver: 'parity', service: 'svc', runtime: 'rust', role: 'primary', caseId: 'c', pairId: 'p',
    baseUrl, method: 'GET', path, route: path, headers: {}, ...extra,
  };
}

describe('probe: one exchange, never an exception', () => {
  let srv: TestServer;
  const agent = new Agent({ keepAliveTimeout: 10_000 });

  beforeAll(async () => {
    srv = await startServer((r, res, body) => {
      if (r.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ b: 1, a: [true, 'x'], echo: body }));
      } else if (r.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(3 * 1024 * 1024) });
        res.end(Buffer.alloc(3 * 1024 * 1024, 'a'));
      } else if (r.url === '/reset') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (r.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync('{"zipped":true}'));
      } else if (r.url === '/bad-gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end('definitely not gzip');
      } else if (r.url === '/trickle') {
        // A byte every 100 ms: never idle long enough for undici's body timeout, yet never done.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('.')), 100);
        res.on('close', () => clearInterval(t));
      } else if (r.url === '/hang') {
        // never answers
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  afterAll(async () => {
    await agent.close();
    await srv.close();
  });

  it('times connect (fresh vs reused socket), TTFB and total; describes the JSON shape', async () => {
    const first = await runExchange(req(srv.url, '/json', { method: 'POST', body: 'hi' }), { timeoutMs: 5000, maxBodyBytes: 1 << 20, dispatcher: agent });
    expect(first.status).toBe(200);
    expect(first.timing.connectMs).toBeGreaterThan(0);
    expect(first.timing.ttfbMs!).toBeLessThanOrEqual(first.timing.totalMs);
    expect(first.shape).toBe('{a:[bool|str],b:num,echo:str}');
    expect(first.shapeHash).toMatch(/^[0-9a-f]{16}$/);
    expect(first.requestBodyBytes).toBe(2);
    expect(JSON.parse(first.bodyText).echo).toBe('hi');
    // undici may open a second pooled connection right after the first response; after that the
    // keep-alive sockets are reused and cost no connect time.
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await runExchange(req(srv.url, '/json'), { timeoutMs: 5000, maxBodyBytes: 1 << 20, dispatcher: agent }));
    expect(later.map((r) => r.timing.connectMs).filter((ms) => ms === 0).length).toBeGreaterThanOrEqual(2);
    expect(later[0]!.shape).toBe(first.shape);
  });

  it('compares bodies decoded: a gzip answer is captured as its JSON', async () => {
    const r = await runExchange(req(srv.url, '/gzip'), { timeoutMs: 5000, maxBodyBytes: 1 << 20 });
    expect(r.bodyText).toBe('{"zipped":true}');
    expect(r.shape).toBe('{zipped:bool}');
    expect(r.bodyTruncated).toBe(false);
  });

  it('caps a large body and marks it truncated, reporting the declared size', async () => {
    const r = await runExchange(req(srv.url, '/big'), { timeoutMs: 5000, maxBodyBytes: 64 * 1024 });
    expect(r.status).toBe(200);
    expect(r.bodyTruncated).toBe(true);
    expect(Buffer.byteLength(r.bodyText)).toBe(64 * 1024);
    expect(r.bodyBytes).toBe(3 * 1024 * 1024);
  });

  it.each([
    ['refused', async () => `http://127.0.0.1:${await unusedPort()}`, '/json', 'connection_refused'],
    ['reset mid-body', async () => srv.url, '/reset', 'connection_reset'],
    ['hang', async () => srv.url, '/hang', 'timeout'],
    ['trickle past the deadline', async () => srv.url, '/trickle', 'timeout'],
    ['undecodable gzip', async () => srv.url, '/bad-gzip', 'invalid_content_encoding'],
  ])('%s becomes an exchange with error.type', async (_name, base, path, type) => {
    const r = await runExchange(req(await base(), path), { timeoutMs: 300, maxBodyBytes: 1 << 20 });
    expect(r.status).toBeUndefined();
    expect(r.errorType).toBe(type);
    expect(r.errorMessage).toBeTruthy();
  });

  it('a throwing subscriber cannot fail the exchange; onStart can add headers', async () => {
    const seen: string[] = [];
    const subs: ProbeSubscriber[] = [
      { onStart: (e) => { e.headers['x-probe'] = 'yes'; } },
      { onStart: () => { throw new Error('boom'); }, onEnd: () => { throw new Error('boom'); } },
      { onEnd: (e, r) => seen.push(`${e.headers['x-probe']} ${r.status}`) },
    ];
    const warn = process.emitWarning;
    process.emitWarning = () => {};
    try {
      const r = await runExchange(req(srv.url, '/json'), { timeoutMs: 5000, maxBodyBytes: 1 << 20, subscribers: subs });
      expect(r.status).toBe(200);
    } finally {
      process.emitWarning = warn;
    }
    expect(seen).toEqual(['yes 200']);
  });
});
