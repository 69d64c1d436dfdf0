import { describe, expect, it } from 'vitest';
import { comparePair, type PairFinding } from '../src/analyze/compare.ts';
import type { ObservedExchange, ObservedPair } from '../src/analyze/exchanges.ts';
import { compareHeaders, type HeaderSide } from '../src/analyze/headers.ts';
import { NoiseModel } from '../src/analyze/noise.ts';
import { sameVolatileFormat, volatileFormat } from '../src/analyze/volatile.ts';
import { NoiseSchema } from '../src/config/schema.ts';
import { recordedHeaders } from '../src/telemetry/probe-spans.ts';

const j = (v: unknown) => JSON.stringify(v);

describe('id-shaped volatile values (issue 12 item 2)', () => {
  it.each([
    ['req-0000001a', 'counter-id'],
    ['req-42', 'counter-id'],
    ['txn_00000017', 'counter-id'],
    ['order-0001a3', 'counter-id'],
    ['2ak5LDHRzrxWXESyKrxTzjZtkVe', 'ksuid'],
  ])('%s is %s', (value, format) => expect(volatileFormat(value)).toBe(format));

  it.each([['item-7'], ['v1.2'], ['sku-12'], ['page-3'], ['REQ-00aB12']])('%s is not an id', (value) => expect(volatileFormat(value)).toBeUndefined());

  // Both sides must come from one generator: same prefix, same width/alphabet.
  it.each([
    [j('req-0000001a'), j('req-0000001b'), 'counter-id'],
    [j('req-0000001a'), j('req-00000019'), 'counter-id'],
    [j('req-42'), j('req-1337'), 'counter-id'],
    [j('req-0000001a'), j('req-000001a'), undefined],
    [j('req-0000001a'), j('rsp-0000001a'), undefined],
    [j('req-42'), j('42'), undefined],
    [j('item-7'), j('item-9'), undefined],
    [j('2ak5LDHRzrxWXESyKrxTzjZtkVe'), j('2ak5LB8xfDRPNKLHzZ4PXW9dNxN'), 'ksuid'],
    // Snowflakes: the timestamp bits agree (Twitter epoch, same hour); the low bits differ.
    ['175928847299117063', '175928847299117999', 'snowflake'],
    [j('175928847299117063'), j('175928847299117999'), 'hex-id'],
    // 19 digits fall in the epoch-ns window first: still volatile, named by the first detector.
    ['1541815603606036480', '1541815603614425088', 'epoch-ns'],
    // A large count that changed is not a snowflake: its "timestamps" are days apart.
    ['123456789012345', '923456789012345', undefined],
    ['1541815603606036480', j('1541815603614425088'), undefined],
  ])('%s vs %s → %s', (l, r, format) => expect(sameVolatileFormat(l, r)).toBe(format));

  it('a 19-digit snowflake in a field named as an id is a snowflake, elsewhere the epoch-ns it also looks like', () => {
    expect(sameVolatileFormat('1998459467434541072', '1998459467438735377', '/order_id')).toBe('snowflake');
    expect(sameVolatileFormat('1998459467434541072', '1998459467438735377', '/at')).toBe('epoch-ns');
  });

  it('counter ids are reported as noise with their reason by default', () => {
    const model = new NoiseModel(NoiseSchema.parse({}));
    const f: PairFinding = { kind: 'value', class: 'value-change', path: '/request_id', left: j('req-0000001a'), right: j('req-00000101'), cause: '', hint: '' };
    expect(model.filterPair({ service: 's', method: 'GET', route: '/' }, [f]).suppressed.map((s) => s.reason)).toEqual(['volatile counter-id (compared by format)']);
  });
});

/** `body` is a value, or a string holding the raw JSON text (to keep lexemes such as `1.0`). */
function exchange(role: string, body: unknown, over: Partial<ObservedExchange> = {}): ObservedExchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    traceId: 't', spanId: role, driver: 'parity', service: 's', runtime: role, role, caseId: 'c', pairId: 'p', route: '/r', method: 'GET',
    url: 'http://127.0.0.1:1/r', startNs: 0n, status: 200, errorType: undefined, errorMessage: undefined, contentType: 'application/json',
    headers: {}, body: text, bodyTruncated: false, shapeHash: undefined, bodyHash: text, clientMs: 1, serverMs: undefined, serverRoute: undefined, ...over,
  };
}

function judge(noise: object, primary: unknown, calibration: unknown, candidate: unknown) {
  const model = new NoiseModel(NoiseSchema.parse(noise));
  const p = exchange('primary', primary);
  const pair: ObservedPair = { pairId: 'p', service: 's', caseId: 'c', route: '/r', method: 'GET', startNs: 0n, primary: p, candidate: exchange('candidate', candidate), calibration: exchange('calibration', calibration), secondaries: [] };
  model.learn([pair]);
  return model.filterPair(pair, comparePair(pair.primary!, pair.candidate!, model.diffOptions(pair)));
}

describe('calibration hides only value-level differences (issue 12 item 1)', () => {
  const cal = { calibration: { sample: 1 }, volatile: false };
  it.each([
    // [case, primary, calibration, candidate, kept classes]
    ['same class, same representation: hidden', { at: 1795790620067 }, { at: 1795790620999 }, { at: 1795790621500 }, []],
    ['epoch-ms number vs RFC 3339 string: kept', { at: 1795790620067 }, { at: 1795790620999 }, { at: '2026-11-27T14:43:40.067Z' }, ['type-change']],
    // One difference, one class (item 9): an integer against a fraction is number-repr, whatever the values.
    ['integer vs fraction: kept', { n: 17 }, { n: 18 }, { n: 18.5 }, ['number-repr']],
    ['RFC 3339 string vs plain digits string: kept', { at: '2026-11-27T14:43:40Z' }, { at: '2026-11-27T14:43:41Z' }, { at: '1795790620' }, ['value-change']],
    ['counter vs counter with another prefix: kept', { id: 'req-000001' }, { id: 'req-000002' }, { id: 'rsp-000003' }, ['value-change']],
    ['plain strings that change on their own: hidden', { who: 'worker-a' }, { who: 'worker-b' }, { who: 'worker-c' }, []],
  ])('%s', (_name, primary, calibration, candidate, kept) => {
    const r = judge(cal, primary, calibration, candidate);
    expect(r.kept.map((f) => f.class)).toEqual(kept);
    if (kept.length === 0) expect(r.suppressed.map((s) => s.reason)).toEqual(['calibration: changes between two identical requests to the primary']);
  });
});

describe('numericTolerance is reported as noise (issue 12 item 8)', () => {
  const tol = { numericTolerance: { abs: 1e-9, rel: 0 } };
  it.each([
    ['numbers within tolerance', tol, '{"v":0.3}', '{"v":0.30000000000000004}', [], ['numeric tolerance: within abs 1e-9 / rel 0']],
    ['numbers outside tolerance', tol, '{"v":0.3}', '{"v":0.31}', ['value-change'], []],
    ['numeric strings without the opt-in', tol, '{"v":"0.3"}', '{"v":"0.30000000000000004"}', ['value-change'], []],
    ['numeric strings with numericStrings', { ...tol, numericStrings: true }, '{"v":"0.3"}', '{"v":"0.30000000000000004"}', [], ['numeric tolerance (numeric strings): within abs 1e-9 / rel 0']],
    ['number vs numeric string is a type change', { ...tol, numericStrings: true }, '{"v":0.3}', '{"v":"0.3"}', ['type-change'], []],
    ['1 vs 1.0 stays number-repr (representation, not value)', tol, '{"v":1}', '{"v":1.0}', ['number-repr'], []],
  ])('%s', (_name, noise, left, right, kept, reasons) => {
    const model = new NoiseModel(NoiseSchema.parse({ volatile: false, ...noise }));
    const pair = { service: 's', method: 'GET', route: '/r' };
    const found = comparePair(exchange('primary', left), exchange('candidate', right), model.diffOptions(pair));
    const { kept: k, suppressed } = model.filterPair(pair, found);
    expect(k.map((f) => f.class)).toEqual(kept);
    expect(suppressed.map((s) => s.reason)).toEqual(reasons);
  });
});

describe('header comparison (issue 12 item 14)', () => {
  const rules = NoiseSchema.parse({}).headers;
  const side = (url: string, headers: Record<string, string>, contentType?: string): HeaderSide => ({ runtime: url.includes(':1/') ? 'a' : 'b', url, contentType, headers });
  it.each([
    ['absolute vs relative Location to the same target', { location: 'http://127.0.0.1:1/new.txt' }, { location: '/new.txt' }, []],
    ['Location to another path', { location: '/new.txt' }, { location: '/other.txt' }, ['/headers/location']],
    ['Location to another host', { location: 'http://example.com/new.txt' }, { location: '/new.txt' }, ['/headers/location']],
    ['Allow in another order and spacing', { allow: 'GET,POST' }, { allow: 'POST, GET' }, []],
    ['Allow with another method', { allow: 'GET' }, { allow: 'GET, POST' }, ['/headers/allow']],
    ['Cache-Control directive order and case', { 'cache-control': 'public, Max-Age=60' }, { 'cache-control': 'max-age=60, public' }, []],
    ['Cache-Control on one side only', { 'cache-control': 'no-cache' }, {}, ['/headers/cache-control']],
    ['Vary differs', { vary: 'Accept-Encoding' }, { vary: 'Origin' }, ['/headers/vary']],
    ['CORS origin differs', { 'access-control-allow-origin': '*' }, { 'access-control-allow-origin': 'https://a.example' }, ['/headers/access-control-allow-origin']],
    ['uncompared headers are left alone', { 'x-powered-by': 'a', 'accept-ranges': 'bytes' }, {}, []],
    ['Date, Server, ETag differences are findings the noise model then suppresses', { date: 'x', server: 'nginx', etag: '"1"' }, { date: 'y', server: 'lighttpd', etag: '"2"' }, ['/headers/date', '/headers/etag', '/headers/server']],
  ])('%s', (_name, l, r, paths) => {
    expect(compareHeaders(side('http://127.0.0.1:1/old.txt', l), side('http://127.0.0.1:2/old.txt', r), rules).map((f) => f.path)).toEqual(paths);
  });

  it.each([
    ['text/plain', 'text/plain;charset=utf-8', ['/headers/content-type']],
    ['text/plain; charset=UTF-8', 'text/plain;charset="utf-8"', []],
    ['application/json', 'application/json; charset=utf-8', []], // JSON is UTF-8 by definition
    ['application/json', 'application/json; charset=iso-8859-1', ['/headers/content-type']],
    ['text/html', 'application/json', []], // a media-type mismatch is the content-type finding's
  ])('Content-Type %s vs %s', (l, r, paths) => {
    const found = compareHeaders(side('http://127.0.0.1:1/', {}, l), side('http://127.0.0.1:2/', {}, r), rules);
    expect(found.map((f) => f.path)).toEqual(paths);
    for (const f of found) expect(f).toMatchObject({ kind: 'header', class: 'header' });
  });

  it('volatile headers are noise with their reason; compared ones stay findings', () => {
    const model = new NoiseModel(NoiseSchema.parse({}));
    const findings = compareHeaders(side('http://127.0.0.1:1/', { date: 'x', server: 'nginx', etag: '"1"', 'last-modified': 'a', vary: 'Origin' }), side('http://127.0.0.1:2/', { date: 'y', server: 'lighttpd', etag: '"2"', 'last-modified': 'b' }), rules);
    const { kept, suppressed } = model.filterPair({ service: 's', method: 'GET', route: '/' }, findings);
    expect(kept.map((f) => f.path)).toEqual(['/headers/vary']);
    expect(suppressed.map((s) => s.reason)).toEqual([
      'volatile header date: the clock at answer time',
      'volatile header etag: validator format is server-specific',
      'volatile header last-modified: file or build timestamps differ between deployments',
      'volatile header server: names the server software',
    ]);
  });
});

describe('response headers recorded on spans', () => {
  it('keeps the allowlist only, never credentials, and redacts secrets in redirect targets', () => {
    const recorded = recordedHeaders(
      {
        'set-cookie': 'sid=CANARY', authorization: 'Bearer CANARY', 'x-api-key': 'CANARY', 'x-powered-by': 'php',
        location: '/cb?code=1&access_token=CANARY#top', 'www-authenticate': 'Basic realm="shop"', 'access-control-allow-origin': '*', etag: '"1"',
      },
      undefined,
    );
    expect(Object.keys(recorded).sort()).toEqual(['access-control-allow-origin', 'etag', 'location', 'www-authenticate']);
    expect(recorded.location).toBe('/cb?code=1&access_token=%5BREDACTED%5D#top');
    expect(recorded['www-authenticate']).toBe('Basic realm="shop"'); // a challenge, not a credential
    expect(JSON.stringify(recorded)).not.toMatch(/CANARY/);
    expect(recordedHeaders({ location: 'https://u:CANARY@example.com/x?token=CANARY' }, undefined).location).not.toMatch(/CANARY/);
    // Extra names (config noise.headers.compare) are recorded too, still through redaction.
    expect(recordedHeaders({ 'x-ratelimit-limit': '100', 'x-api-key': 'CANARY' }, undefined, ['x-ratelimit-limit', 'x-api-key'])).toEqual({ 'x-ratelimit-limit': '100', 'x-api-key': '[REDACTED]' });
  });
});
