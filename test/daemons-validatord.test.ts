import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spawnDaemon, type RunningDaemon } from '../src/daemons/index.ts';
import { findSample } from './support/prometheus.ts';

interface ParityCase {
  id: string;
  request: { method: 'POST'; path: string; headers: Record<string, string>; json: unknown };
}
const CASES_FILE = new URL('../harness/parity/validatord.cases.yaml', import.meta.url);
const cases = (parse(readFileSync(CASES_FILE, 'utf8')) as { cases: ParityCase[] }).cases;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

async function send(base: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await request(`${base}${path}`, { method, headers, body });
  return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
}

const sendCase = (daemon: RunningDaemon, c: ParityCase) =>
  send(daemon.url, c.request.method, c.request.path, JSON.stringify(c.request.json), c.request.headers);

describe('validatord twins (rust vs go wire formats)', () => {
  let rust: RunningDaemon;
  let go: RunningDaemon;

  beforeAll(async () => {
    [rust, go] = await Promise.all([spawnDaemon({ service: 'validatord', flavour: 'rust' }), spawnDaemon({ service: 'validatord', flavour: 'go' })]);
  });
  afterAll(async () => {
    await Promise.all([rust?.stop(), go?.stop()]);
  });

  it('reports who it is', () => {
    expect(rust).toMatchObject({ service: 'validatord', runtime: 'rust' });
    expect(go).toMatchObject({ service: 'validatord', runtime: 'go' });
    expect(rust.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('has exactly six parity cases', () => {
    expect(cases.map((c) => c.id)).toEqual([
      'valid-order',
      'missing-required-id',
      'qty-wrong-type',
      'qty-out-of-range',
      'status-not-in-enum',
      'customer-missing-email',
    ]);
  });

  it('reproduces the finding: 6/6 statuses match, 5/6 bodies diverge', async () => {
    const pairs = await Promise.all(cases.map(async (c) => ({ id: c.id, rust: await sendCase(rust, c), go: await sendCase(go, c) })));
    expect(pairs.map((p) => [p.id, p.rust.status, p.go.status])).toEqual(
      cases.map((c, i) => [c.id, i === 0 ? 200 : 422, i === 0 ? 200 : 422]),
    );
    const [valid, ...invalid] = pairs;
    expect(valid!.rust.body).toBe('{"valid":true,"errors":[]}');
    expect(valid!.go.body).toBe(valid!.rust.body);
    for (const p of invalid) {
      expect(p.rust.body, p.id).not.toBe(p.go.body);
      expect(p.rust.headers['content-type'], p.id).toBe('application/json');
      expect(p.go.headers['content-type'], p.id).toBe('application/json');
    }
  });

  it('rust speaks serde: externally tagged variants, snake_case fields, f64 with .0', async () => {
    const [, missing, wrongType, range, badEnum, nested] = await Promise.all(cases.map((c) => sendCase(rust, c)));
    expect(JSON.parse(missing!.body)).toEqual({ valid: false, errors: [{ Required: { field: 'id', reason: 'missing required field' } }] });
    expect(JSON.parse(wrongType!.body).errors).toEqual([
      { Type: { field: 'qty', reason: 'expected integer', expected: 'integer', found: 'string' } },
    ]);
    expect(range!.body).toBe(
      '{"valid":false,"errors":[{"Range":{"field":"qty","reason":"out of range","min":1.0,"max":100.0,"value":500.0}}]}',
    );
    expect(badEnum!.body).toContain('{"Enum":{"field":"status","reason":"not an allowed value","allowed":["open","closed","pending"]}}');
    expect(JSON.parse(nested!.body).errors).toEqual([{ Schema: { field: 'customer.email', reason: 'missing required field' } }]);
  });

  it('go speaks encoding/json: flat struct, exported names, zero values, nil slice → null', async () => {
    const [, missing, , range, badEnum, nested] = await Promise.all(cases.map((c) => sendCase(go, c)));
    expect(missing!.body).toBe(
      '{"valid":false,"errors":[{"Kind":"required","Field":"id","Reason":"missing required field",' +
        '"Expected":"","Found":"","Min":0,"Max":0,"Value":0,"Allowed":null}]}',
    );
    expect(range!.body).toContain('"Kind":"range","Field":"qty","Reason":"out of range","Expected":"","Found":"","Min":1,"Max":100,"Value":500');
    expect(JSON.parse(badEnum!.body).errors[0]).toMatchObject({ Kind: 'enum', Allowed: ['open', 'closed', 'pending'] });
    expect(JSON.parse(nested!.body).errors[0]).toMatchObject({ Kind: 'schema', Field: 'customer.email', Reason: 'missing required field' });
    for (const c of cases.slice(1)) {
      const body = (await sendCase(go, c)).body;
      for (const key of ['"Kind":', '"Field":', '"Reason":']) expect(body, c.id).toContain(key);
    }
  });

  it.each(['rust', 'go'] as const)('%s: 400 with the same {"error"} shape on malformed input', async (flavour) => {
    const daemon = flavour === 'rust' ? rust : go;
    const malformed = await send(daemon.url, 'POST', '/v1/validate', '{"schema": ', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({ error: 'request body is not valid JSON' });
    const noRecord = await send(daemon.url, 'POST', '/v1/validate', '{"schema":{"fields":{}}}');
    expect(noRecord.status).toBe(400);
    expect(JSON.parse(noRecord.body)).toEqual({ error: 'missing field `record`' });
  });

  it.each(['rust', 'go'] as const)('%s: /healthz, 404 and 405 as its framework answers them', async (flavour) => {
    const daemon = flavour === 'rust' ? rust : go;
    const health = await send(daemon.url, 'GET', '/healthz');
    expect([health.status, health.body]).toEqual([200, '{"status":"ok"}']);
    const missing = await send(daemon.url, 'GET', '/v2/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body).toBe(flavour === 'rust' ? '' : '404 page not found\n');
    const wrongMethod = await send(daemon.url, 'PUT', '/v1/validate');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });

  it.each(['rust', 'go'] as const)('%s: /metrics counts requests by route template', async (flavour) => {
    const daemon = flavour === 'rust' ? rust : go;
    await sendCase(daemon, cases[0]!);
    await send(daemon.url, 'GET', '/v1/validate/../nowhere?id=42');
    const metrics = await send(daemon.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    const want = {
      service: 'validatord',
      runtime: flavour,
      http_request_method: 'POST',
      http_route: '/v1/validate',
      http_response_status_code: '200',
    };
    expect(findSample(metrics.body, 'http_server_requests_total', want)).toBeGreaterThanOrEqual(1);
    expect(findSample(metrics.body, 'http_server_request_duration_seconds_count', want)).toBeGreaterThanOrEqual(1);
    expect(findSample(metrics.body, 'http_server_request_duration_seconds_bucket', { ...want, le: '0.005' })).toBeDefined();
    expect(findSample(metrics.body, 'http_server_request_duration_seconds_bucket', { ...want, le: '10' })).toBeDefined();
    expect(metrics.body).toMatch(/^process_cpu_user_seconds_total\{/m);
    expect(metrics.body).toContain('gauntlet_daemon_build_info{');
    expect(metrics.body).not.toContain('nowhere'); // raw URLs never become label values
  });
});

describe('validatord tracing and shutdown', () => {
  const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
  const CLIENT_SPAN_ID = 'b7ad6b7169203331';
  let otlp: FakeOtlp;

  beforeAll(async () => {
    otlp = await startFakeOtlp();
  });
  afterAll(() => new Promise<void>((resolve) => otlp.server.close(() => resolve())));

  it('joins the caller trace with a SERVER span, flushes on SIGTERM and exits 0', async () => {
    const daemon = await spawnDaemon({ service: 'validatord', flavour: 'go', otlpEndpoint: otlp.url });
    const traceparent = `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01`;
    const answer = await sendCase(daemon, { ...cases[3]!, request: { ...cases[3]!.request, headers: { ...cases[3]!.request.headers, traceparent } } });
    expect(answer.status).toBe(422);

    // The batch processor exports within ~100 ms, long before shutdown.
    const span = await waitFor(() => otlp.spans.find((s) => s.traceId === TRACE_ID && s.parentSpanId === CLIENT_SPAN_ID));
    expect(span).toMatchObject({ name: 'POST /v1/validate', kind: 2, parentSpanId: CLIENT_SPAN_ID });
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/validate',
      'url.path': '/v1/validate',
      'http.response.status_code': 422,
      'server.address': '127.0.0.1',
      'network.protocol.version': '1.1',
    });
    expect(span.attributes['server.port']).toBe(Number(new URL(daemon.url).port));
    expect(span.resource).toMatchObject({ 'service.name': 'validatord', 'gauntlet.runtime': 'go', 'process.runtime.name': 'nodejs' });
    expect(otlp.contentTypes.every((type) => type === 'application/x-protobuf')).toBe(true);

    // A span still in the batch when SIGTERM arrives must be flushed, not lost.
    await send(daemon.url, 'GET', '/healthz', undefined, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    await daemon.stop();
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(otlp.spans.some((s) => s.name === 'GET /healthz' && s.parentSpanId === '00f067aa0ba902b7')).toBe(true);
  });

  it('adds fault latency to /v1/validate only, inside the measured server time', async () => {
    const daemon = await spawnDaemon({ service: 'validatord', flavour: 'rust', env: { GAUNTLET_FAULT_LATENCY_MS: '150' } });
    try {
      const started = performance.now();
      expect((await sendCase(daemon, cases[0]!)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      await send(daemon.url, 'GET', '/healthz');
      const metrics = (await send(daemon.url, 'GET', '/metrics')).body;
      const validate = { http_route: '/v1/validate', http_response_status_code: '200' };
      expect(findSample(metrics, 'http_server_request_duration_seconds_sum', validate)).toBeGreaterThanOrEqual(0.15);
      expect(findSample(metrics, 'http_server_request_duration_seconds_bucket', { ...validate, le: '0.1' })).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it('fails with GAUNTLET_DAEMON_START and the stderr tail when the daemon cannot start', async () => {
    await expect(spawnDaemon({ service: 'validatord', flavour: 'rust', extraArgs: ['--port', 'nope'] })).rejects.toMatchObject({
      code: 'GAUNTLET_DAEMON_START',
      message: expect.stringContaining('--port must be'),
    });
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing arrived within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// --- a fake OTLP/HTTP endpoint with just enough protobuf decoding to read spans -------------

interface DecodedSpan {
  traceId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}
interface FakeOtlp {
  server: Server;
  url: string;
  contentTypes: string[];
  spans: DecodedSpan[];
}

async function startFakeOtlp(): Promise<FakeOtlp> {
  const fake: Omit<FakeOtlp, 'url'> & { url: string } = { server: undefined as never, url: '', contentTypes: [], spans: [] };
  fake.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        fake.contentTypes.push(String(req.headers['content-type']));
        fake.spans.push(...decodeTraceRequest(Buffer.concat(chunks)));
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); // empty ExportTraceServiceResponse
    });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

/** Protobuf fields of one message: field number → raw values (varints as bigint, the rest as bytes). */
function readFields(buf: Buffer): Map<number, Array<bigint | Buffer>> {
  const fields = new Map<number, Array<bigint | Buffer>>();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 1 || wire === 5) value = buf.subarray(pos, (pos += wire === 1 ? 8 : 4));
    else {
      const length = Number(varint());
      value = buf.subarray(pos, (pos += length));
    }
    fields.set(key >> 3, [...(fields.get(key >> 3) ?? []), value]);
  }
  return fields;
}

const bytes = (f: Map<number, Array<bigint | Buffer>>, n: number) => (f.get(n) ?? []) as Buffer[];

function decodeAttributes(keyValues: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of keyValues) {
    const f = readFields(kv);
    const any = readFields(bytes(f, 2)[0] ?? Buffer.alloc(0));
    const [[field, [raw]] = [0, []]] = [...any];
    out[bytes(f, 1)[0]!.toString()] =
      field === 1 ? (raw as Buffer).toString() : field === 2 ? raw === 1n : field === 3 ? Number(raw) : field === 4 ? (raw as Buffer).readDoubleLE() : raw;
  }
  return out;
}

function decodeTraceRequest(body: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const resourceSpans of bytes(readFields(body), 1)) {
    const rs = readFields(resourceSpans);
    const resource = decodeAttributes(bytes(readFields(bytes(rs, 1)[0] ?? Buffer.alloc(0)), 1));
    for (const scopeSpans of bytes(rs, 2)) {
      for (const raw of bytes(readFields(scopeSpans), 2)) {
        const s = readFields(raw);
        spans.push({
          traceId: bytes(s, 1)[0]?.toString('hex') ?? '',
          parentSpanId: bytes(s, 4)[0]?.toString('hex') ?? '',
          name: bytes(s, 5)[0]?.toString() ?? '',
          kind: Number((s.get(6) ?? [0n])[0]),
          attributes: decodeAttributes(bytes(s, 9)),
          resource,
        });
      }
    }
  }
  return spans;
}
