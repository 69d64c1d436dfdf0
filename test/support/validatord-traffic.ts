/**
 * Seeded validatord traffic as a recording: the mix of harness/recordings/make-validatord.ts
 * (valid and broken orders, malformed bodies, health checks, unknown routes, a wrong method), with
 * the answers the Rust twin gives under `--volatile-fields` computed in-process — so a recording
 * of any size is written in a second instead of being captured through the proxy for minutes.
 */
import { randomUUID } from 'node:crypto';
import { FRAMEWORKS } from '../../src/daemons/common/frameworks.ts';
import { parseValidateRequest } from '../../src/daemons/validatord/schema.ts';
import { validateRecord } from '../../src/daemons/validatord/validate.ts';
import { formatDuration, rfc3339Nanos, ulid } from '../../src/daemons/validatord/volatile.ts';
import { rustWire } from '../../src/daemons/validatord/encode-rust.ts';
import { makeHeader, type RecordedExchange } from '../../src/record/format.ts';
import { RecordingWriter } from '../../src/record/writer.ts';

/** mulberry32: a tiny seeded PRNG, so the traffic mix is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORDER_SCHEMA = {
  fields: {
    order_id: { type: 'string', required: true },
    customer: { type: 'object', required: true, fields: { email: { type: 'string', required: true }, tier: { type: 'string', enum: ['free', 'pro', 'enterprise'] } } },
    qty: { type: 'integer', required: true, min: 1, max: 100 },
    amount: { type: 'number', min: 0 },
    currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
    tags: { type: 'array', items: { type: 'string' } },
    submitted_at: { type: 'string', required: true },
    request_id: { type: 'string' },
  },
};

const BREAKAGES: Array<(o: Record<string, unknown>) => void> = [
  (o) => delete o.order_id,
  (o) => (o.qty = 0),
  (o) => (o.qty = 500),
  (o) => (o.qty = '3'),
  (o) => (o.currency = 'JPY'),
  (o) => (o.customer = { tier: 'gold' }),
  (o) => (o.amount = -5),
  (o) => (o.tags = ['ok', 7]),
];

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The Rust twin's answer, as the recorder would have captured it. */
function answer(method: string, path: string, body: string | undefined, atNs: bigint): RecordedExchange['response'] {
  const respond = (status: number, headers: Record<string, string>, text: string) => ({ status, headers, ...(text ? { body: text } : {}), bodyEncoding: 'utf8' as const, latencyMs: 0.4 });
  if (path === '/healthz' && method === 'GET') return respond(200, JSON_HEADERS, rustWire.encodeHealth());
  if (path !== '/v1/validate') return respond(404, {}, FRAMEWORKS.rust.notFound().body ?? '');
  if (method !== 'POST') return respond(405, { allow: 'POST' }, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return respond(400, JSON_HEADERS, rustWire.encodeError('request body is not valid JSON'));
  }
  const request = parseValidateRequest(parsed);
  if (!request.ok) return respond(400, JSON_HEADERS, rustWire.encodeError(request.message));
  const issues = validateRecord(request.request.schema, request.request.record);
  const ms = Number(atNs / 1_000_000n);
  const meta = { request_id: randomUUID(), event_id: ulid(ms), span_id: randomUUID().replace(/-/g, '').slice(0, 16), validated_at: rfc3339Nanos(atNs, 'rust'), validated_at_ms: ms, took: formatDuration(0.05 + (ms % 7) / 10) };
  const text = rustWire.encodeResult(issues);
  return respond(issues.length ? 422 : 200, JSON_HEADERS, `${text.slice(0, -1)},"meta":${JSON.stringify(meta)}}`);
}

/** `count` exchanges of an ingest client, a few milliseconds apart, starting at `startMs`. */
export function generateValidatordTraffic(opts: { count: number; seed?: number; startMs?: number }): Array<Omit<RecordedExchange, 'seq'>> {
  const rand = rng(opts.seed ?? 20261127);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let t = opts.startMs ?? Date.parse('2026-11-27T12:00:00.000Z');
  const order = (n: number): Record<string, unknown> => ({
    order_id: `ord-${String(100000 + n)}`,
    customer: { email: `buyer${n % 37}@example.com`, tier: pick(['free', 'pro', 'enterprise']) },
    qty: 1 + Math.floor(rand() * 20),
    amount: Math.round(rand() * 50000) / 100,
    currency: pick(['EUR', 'USD', 'GBP']),
    tags: rand() < 0.5 ? ['web'] : ['api', 'bulk'],
    submitted_at: new Date(t).toISOString(),
    request_id: randomUUID(),
  });
  const out: Array<Omit<RecordedExchange, 'seq'>> = [];
  for (let n = 0; n < opts.count; n++) {
    // Bursty like a real client: mostly short gaps, now and then a pause.
    t += rand() < 0.1 ? 40 + Math.floor(rand() * 40) : 1 + Math.floor(rand() * 6);
    const r = rand();
    const query = rand() < 0.3 ? `tenant=${pick(['acme', 'globex', 'initech'])}&dry_run=${rand() < 0.5}` : '';
    let req: { method: string; path: string; body?: string; contentType?: string };
    if (r < 0.52) req = { method: 'POST', path: '/v1/validate', body: JSON.stringify({ schema: ORDER_SCHEMA, record: order(n) }), contentType: 'application/json' };
    else if (r < 0.82) {
      const o = order(n);
      pick(BREAKAGES)(o);
      if (rand() < 0.3) pick(BREAKAGES)(o);
      req = { method: 'POST', path: '/v1/validate', body: JSON.stringify({ schema: ORDER_SCHEMA, record: o }), contentType: 'application/json' };
    } else if (r < 0.87) req = { method: 'POST', path: '/v1/validate', body: pick(['{"schema":', '{"record":{}}', '[]', 'order=1']), contentType: pick(['application/json', 'text/plain']) };
    else if (r < 0.95) req = { method: 'GET', path: '/healthz' };
    else if (r < 0.98) req = { method: 'GET', path: `/v1/orders/ord-${100000 + n}` };
    else req = { method: 'GET', path: '/v1/validate' };
    out.push({
      ts: new Date(t).toISOString(),
      request: {
        method: req.method,
        path: req.path,
        query: req.path === '/v1/validate' ? query : '',
        headers: {
          'user-agent': 'lakehouse-ingest/2.3.1',
          'x-request-id': randomUUID(),
          authorization: '[REDACTED]',
          accept: 'application/json',
          ...(req.contentType ? { 'content-type': req.contentType } : {}),
        },
        ...(req.body !== undefined ? { body: req.body } : {}),
        bodyEncoding: 'utf8',
      },
      response: answer(req.method, req.path, req.body, BigInt(t) * 1_000_000n + BigInt(Math.floor(rand() * 1e6))),
    });
  }
  return out;
}

/** Write exchanges as a `generated` recording through the real writer (each line schema-checked). */
export async function writeRecording(file: string, service: string, exchanges: ReadonlyArray<Omit<RecordedExchange, 'seq'>>, origin = 'test/support/validatord-traffic.ts'): Promise<void> {
  const writer = await RecordingWriter.open(file, makeHeader(service, 'generated', { origin }));
  for (const x of exchanges) await writer.append(x);
  await writer.close();
}
