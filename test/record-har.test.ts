import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody, type RecordedExchange } from '../src/record/format.ts';
import { importHar } from '../src/record/har.ts';
import { readRecording } from '../src/record/reader.ts';
import { REPO_ROOT, runCli, withoutDefaultNote } from './support/cli.ts';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/record');
const PNG_HEAD = Buffer.from('89504e470d0a1a0a', 'hex');

describe('gauntlet import har (hand-written DevTools fixture, through the CLI)', () => {
  let dir: string;
  let stdout: string;
  let text: string;
  let xs: RecordedExchange[];
  const at = (path: string) => xs.find((x) => x.request.path === path)!;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-har-'));
    const out = join(dir, 'devtools.ndjson');
    const r = await runCli(['import', 'har', join(FIXTURES, 'devtools.har'), '--out', out, '--service', 'shop']);
    expect(withoutDefaultNote(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    stdout = r.stdout;
    text = await readFile(out, 'utf8');
    const rec = await readRecording(out);
    expect(rec.header).toMatchObject({ service: 'shop', source: 'har', origin: 'devtools.har' });
    xs = rec.exchanges;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts every entry it did not import, by reason, and warns about several hosts', () => {
    expect(stdout).toContain('imported 6 of 10 HAR entries');
    expect(stdout).toContain('not imported: data-url 1, no-response 1, non-http 1, websocket 1');
    expect(stdout).toMatch(/warning: entries from 2 hosts \(shop\.example\.com 5, cdn\.other\.net 1\)/);
  });

  it('orders by startedDateTime, keeps time as latency and the raw query', () => {
    expect(xs.map((x) => x.request.path)).toEqual(['/img/logo.png', '/api/items', '/api/login', '/api/cart/7', '/api/profile', '/lib.js']);
    expect(xs.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(at('/api/items').ts).toBe('2026-11-27T10:00:00.100Z');
    expect(at('/api/items').request.query).toBe('page=2&sort=price');
    expect(at('/api/items').response.latencyMs).toBe(12.3);
  });

  it('decodes base64 content: binary stays base64, text becomes text', () => {
    const png = at('/img/logo.png').response;
    expect(png.bodyEncoding).toBe('base64');
    expect((decodeBody(png) as Buffer).subarray(0, 8)).toEqual(PNG_HEAD);
    expect(at('/api/items').response).toMatchObject({ body: '{"items":[{"id":7,"price":10.0},{"id":9,"price":12.5}],"page":2}', bodyEncoding: 'utf8' });
  });

  it('imports entries with missing bodies, without inventing one', () => {
    expect(at('/api/cart/7').response.body).toBeUndefined();
    expect(at('/api/cart/7').response.status).toBe(204);
    expect(at('/api/profile').response.body).toBeUndefined();
  });

  it('drops HTTP/2 pseudo-headers and the encoding/length of the decoded body', () => {
    const items = at('/api/items');
    expect(Object.keys(items.request.headers).some((h) => h.startsWith(':'))).toBe(false);
    expect(items.request.headers['user-agent']).toMatch(/Chrome/);
    expect(items.response.headers['content-encoding']).toBeUndefined();
    expect(items.response.headers['x-request-id']).toBe('4f7c0a');
  });

  it('redacts like record does', () => {
    expect(text).not.toMatch(/CANARY/);
    expect(at('/api/login').request.body).toBe('{"user":"ann","password":"[REDACTED]"}');
  });
});

describe('import har: mitmproxy/Charles shapes and bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-har2-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rebuilds bodies from postData.params (form and multipart), counts CONNECT, tolerates a missing time', async () => {
    const out = join(dir, 'mitm.ndjson');
    const r = await importHar({ file: join(FIXTURES, 'mitmproxy.har'), out, service: 'api' });
    expect(r).toMatchObject({ entries: 3, imported: 2, unsupported: { connect: 1 }, hosts: { 'api.example.com': 2 } });
    const text = await readFile(out, 'utf8');
    expect(text).not.toMatch(/CANARY|SEFSLUNBTkFSWQ/);
    const [search, upload] = (await readRecording(out)).exchanges;
    expect(search!.request).toMatchObject({ method: 'POST', path: '/v1/search', query: 'api_key=%5BREDACTED%5D', body: 'q=blue%20shoes&page=1' });
    expect(search!.request.headers.host).toBeUndefined();
    expect(search!.response).toMatchObject({ body: '{"hits":[1.0]}', bodyEncoding: 'utf8', latencyMs: 5.5 });
    expect(upload!.request.body).toContain('------b0undary\r\ncontent-disposition: form-data; name="title"\r\n\r\ncat\r\n');
    expect(upload!.request.body).toContain('name="file"; filename="cat.jpg"');
    expect(upload!.response.latencyMs).toBe(0);
  });

  it('keeps one host with --host, counting the rest', async () => {
    const r = await importHar({ file: join(FIXTURES, 'devtools.har'), out: join(dir, 'one-host.ndjson'), service: 'shop', host: 'shop.example.com' });
    expect(r.imported).toBe(5);
    expect(r.unsupported['other-host']).toBe(1);
  });

  it('names file, line and JSON path of an invalid entry; exit 2', async () => {
    const r = await runCli(['import', 'har', join(FIXTURES, 'broken.har'), '--out', join(dir, 'never.ndjson'), '--service', 'shop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GAUNTLET_INPUT_INVALID: .*broken\.har:\d+ at log\.entries\[1\]\.request\.url/);
  });

  it('a HAR with no entries (or none replayable) is exit 2 with the reason, not an empty recording', async () => {
    const { writeFile } = await import('node:fs/promises');
    const empty = join(dir, 'empty.har');
    await writeFile(empty, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [] } }));
    const r = await runCli(['import', 'har', empty, '--out', join(dir, 'empty.ndjson'), '--service', 'shop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GAUNTLET_INPUT_INVALID: .*empty\.har: the HAR file has no entries/);
    const other = await runCli(['import', 'har', join(FIXTURES, 'devtools.har'), '--out', join(dir, 'none.ndjson'), '--service', 'shop', '--host', 'nowhere.example']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/none of the \d+ HAR entries can be replayed \(.*other-host/);
  }, 60_000);
});
