import { randomUUID } from 'node:crypto';
import { gzipSync, createGzip } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore, startReceiver, type Receiver, type StoredSpan } from '../src/collect/index.ts';
import { ATTR_GAUNTLET_RUN_ID } from '../src/contract/attributes.ts';

const rpcRoot = new protobuf.Root();
rpcRoot.resolvePath = (_o, target) => join(fileURLToPath(new URL('../src/collect/proto/', import.meta.url)), target);
rpcRoot.loadSync('google/rpc/status.proto');
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');

let store: SpanStore;
let receiver: Receiver;

beforeAll(async () => {
  store = await SpanStore.open(':memory:');
  receiver = await startReceiver({ store });
});
afterAll(async () => {
  await receiver.close();
  await store.close();
});

type ExporterKind = 'proto' | 'json';

/** A provider exporting through the real OTLP exporter, as gauntlet's drivers and the daemons do. */
function providerFor(kind: ExporterKind, compression: 'gzip' | 'none', resource: Record<string, string>): BasicTracerProvider {
  const Exporter = kind === 'proto' ? ProtoTraceExporter : JsonTraceExporter;
  // The config type names the exporter's own CompressionAlgorithm enum; its values are these strings.
  const exporter = new Exporter({ url: `${receiver.url}/v1/traces`, compression: compression as never });
  return new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new BatchSpanProcessor(exporter)] });
}

/** One exchange as the probe records it: a client span, an internal child, and the runtime's server span. */
function emitExchange(harness: Tracer, runtime: Tracer, runId: string, i: number): void {
  const client = harness.startSpan('POST /v1/validate', {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_GAUNTLET_RUN_ID]: runId,
      'gauntlet.driver': 'parity',
      'http.request.method': 'POST',
      'server.port': 8081,
      'gauntlet.timing.total_ms': 3.25,
      'gauntlet.response.body.truncated': false,
      'gauntlet.shape.keys': ['errors', 'id'],
      'gauntlet.codes': [400, 422],
      index: i,
    },
  });
  client.addEvent('gauntlet.response.body', { 'gauntlet.body.text': '{"id":"x"}', 'gauntlet.body.bytes': 10 });
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 422' });
  const ctx = trace.setSpan(context.active(), client);
  harness.startSpan('parse body', { kind: SpanKind.INTERNAL }, ctx).end();
  // The runtime's span joins the trace through traceparent; it carries no run id.
  runtime.startSpan('POST /v1/validate', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 422 } }, ctx).end();
  client.end();
}

/** Assertions that name the span and attribute that differ. */
function expectClientSpan(s: StoredSpan, runId: string): void {
  const where = `client span ${s.spanId}`;
  expect(s.traceId, `${where} traceId`).toMatch(/^[0-9a-f]{32}$/);
  expect(s.spanId, `${where} spanId`).toMatch(/^[0-9a-f]{16}$/);
  expect(s.parentSpanId, `${where} parentSpanId`).toBeNull();
  expect(s.kind, `${where} kind`).toBe('CLIENT');
  expect(s.serviceName, `${where} resource service.name`).toBe('gauntlet');
  expect(s.scopeName, `${where} scope`).toBe('gauntlet');
  expect(s.runId, `${where} runId`).toBe(runId);
  expect(s.statusCode, `${where} status`).toBe('ERROR');
  expect(s.statusMessage, `${where} status message`).toBe('HTTP 422');
  expect(s.endNs >= s.startNs, `${where} end >= start`).toBe(true);
  const a = s.attributes;
  expect(a['http.request.method'], `${where} string attribute`).toBe('POST');
  expect(a['server.port'], `${where} int attribute`).toBe(8081);
  expect(a['gauntlet.timing.total_ms'], `${where} double attribute`).toBe(3.25);
  expect(a['gauntlet.response.body.truncated'], `${where} bool attribute`).toBe(false);
  expect(a['gauntlet.shape.keys'], `${where} string array attribute`).toEqual(['errors', 'id']);
  expect(a['gauntlet.codes'], `${where} int array attribute`).toEqual([400, 422]);
  expect(s.events, `${where} events`).toEqual([
    { name: 'gauntlet.response.body', timeNs: expect.any(BigInt), attributes: { 'gauntlet.body.text': '{"id":"x"}', 'gauntlet.body.bytes': 10 } },
  ]);
}

describe('receiver with the real OTLP exporters', () => {
  it.each([
    ['proto', 'gzip'],
    ['proto', 'none'],
    ['json', 'gzip'],
    ['json', 'none'],
  ] as const)('stores every span exported by the %s exporter with compression %s', async (kind, compression) => {
    const runId = `run-${kind}-${compression}-${randomUUID()}`;
    const before = receiver.stats();
    const harness = providerFor(kind, compression, { 'service.name': 'gauntlet' });
    const runtime = providerFor(kind, compression, { 'service.name': 'validatord', 'gauntlet.runtime': 'rust' });
    const exchanges = 25;
    for (let i = 0; i < exchanges; i++) emitExchange(harness.getTracer('gauntlet'), runtime.getTracer('validatord'), runId, i);
    await Promise.all([harness.forceFlush(), runtime.forceFlush()]);
    await Promise.all([harness.shutdown(), runtime.shutdown()]);

    const spans = await store.spansForRun(runId);
    expect(spans).toHaveLength(exchanges * 3);
    const clients = spans.filter((s) => s.kind === 'CLIENT');
    expect(clients.map((s) => s.attributes.index).sort((x, y) => Number(x) - Number(y))).toEqual([...Array(exchanges).keys()]);
    for (const client of clients) {
      expectClientSpan(client, runId);
      const inTrace = spans.filter((s) => s.traceId === client.traceId);
      const server = inTrace.find((s) => s.kind === 'SERVER');
      const internal = inTrace.find((s) => s.kind === 'INTERNAL');
      expect(server, `server span in trace ${client.traceId}`).toMatchObject({
        parentSpanId: client.spanId,
        serviceName: 'validatord',
        resource: { 'service.name': 'validatord', 'gauntlet.runtime': 'rust' },
        runId: null,
        attributes: { 'http.response.status_code': 422 },
      });
      expect(internal, `internal span in trace ${client.traceId}`).toMatchObject({ parentSpanId: client.spanId, name: 'parse body' });
    }

    const after = receiver.stats();
    const emitted = exchanges * 3;
    expect(after.spansAccepted - before.spansAccepted).toBe(emitted);
    expect(after.spansStored - before.spansStored).toBe(emitted);
    expect(after.spansFailed).toBe(before.spansFailed);
    expect(after.rejected).toBe(before.rejected);
    expect(await store.listRuns()).toContainEqual({ runId, driver: 'parity', firstNs: expect.any(BigInt), lastNs: expect.any(BigInt), spans: emitted });
  });
});

describe('receiver robustness', () => {
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    request(`${receiver.url}${path}`, { method: 'POST', body, headers });

  /** A small valid JSON export: proves the receiver still works after whatever came before. */
  async function expectStillAccepting(): Promise<void> {
    const runId = `alive-${randomUUID()}`;
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: randomUUID().replaceAll('-', ''), spanId: '0102030405060708', attributes: [{ key: ATTR_GAUNTLET_RUN_ID, value: { stringValue: runId } }] }] }] }],
    });
    const res = await post('/v1/traces', body, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(await res.body.text()).toBe('{}');
    expect(await store.count({ runId })).toBe(1);
  }

  it('answers a malformed protobuf body with 400 and a google.rpc.Status reason, then keeps serving', async () => {
    const before = receiver.stats();
    const res = await post('/v1/traces', Buffer.from([0x0a, 0x50, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const status = RpcStatus.decode(Buffer.from(await res.body.arrayBuffer())) as unknown as { code: number; message: string };
    expect(status.code).toBe(3); // INVALID_ARGUMENT
    expect(status.message).toMatch(/malformed protobuf/);
    expect(receiver.stats().rejected).toBe(before.rejected + 1);
    await expectStillAccepting();
  });

  it('answers malformed JSON (plain and gzipped) with 400 and a JSON reason, then keeps serving', async () => {
    for (const [body, headers] of [
      ['{"resourceSpans": [', { 'content-type': 'application/json' }],
      [gzipSync('{"resourceSpans": 1}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ] as const) {
      const res = await post('/v1/traces', body, headers);
      expect(res.statusCode).toBe(400);
      const reason = (await res.body.json()) as { code: number; message: string };
      expect(reason.code).toBe(3);
      expect(reason.message).toMatch(/malformed JSON|resourceSpans: expected an array/);
    }
    const res = await post('/v1/traces', Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toMatch(/malformed gzip body/);
    await expectStillAccepting();
  });

  it('answers a gzip bomb with 413 without inflating it, then keeps serving', async () => {
    const bomb = await gzipZeros(100 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await post('/v1/traces', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(413);
    const status = RpcStatus.decode(Buffer.from(await res.body.arrayBuffer())) as unknown as { message: string };
    expect(status.message).toMatch(/inflates past the 67108864-byte limit/);
    await expectStillAccepting();
  });

  it('answers a body over maxBodyBytes with 413', async () => {
    const small = await startReceiver({ store, maxBodyBytes: 1024 });
    try {
      const res = await request(`${small.url}/v1/traces`, { method: 'POST', body: Buffer.alloc(4096), headers: { 'content-type': 'application/x-protobuf' } });
      expect(res.statusCode).toBe(413);
      await res.body.dump();
      expect(small.stats()).toMatchObject({ requests: 1, rejected: 1, spansAccepted: 0 });
    } finally {
      await small.close();
    }
  });

  it.each([
    ['GET', '/v1/traces', 405],
    ['POST', '/v1/nope', 404],
    ['POST', '/', 404],
    ['PUT', '/healthz', 405],
  ] as const)('%s %s → %i', async (method, path, status) => {
    const res = await request(`${receiver.url}${path}`, { method, body: method === 'GET' ? null : '{}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(status);
    await res.body.dump();
  });

  it('refuses unsupported content types and encodings with 415', async () => {
    const a = await post('/v1/traces', 'x', { 'content-type': 'text/plain' });
    expect(a.statusCode).toBe(415);
    expect(await a.body.text()).toMatch(/application\/x-protobuf or application\/json/);
    const b = await post('/v1/traces', 'x', { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(b.statusCode).toBe(415);
    await b.body.dump();
  });

  it('answers /healthz, and acknowledges and counts /v1/metrics and /v1/logs', async () => {
    const health = await request(`${receiver.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const before = receiver.stats();
    for (const path of ['/v1/metrics', '/v1/logs']) {
      const res = await post(path, gzipSync(Buffer.alloc(100)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-protobuf');
      expect((await res.body.arrayBuffer()).byteLength).toBe(0);
    }
    const json = await post('/v1/metrics', '{}', { 'content-type': 'application/json' });
    expect(await json.body.text()).toBe('{}');
    expect(receiver.stats()).toMatchObject({ metricsRequests: before.metricsRequests + 2, logsRequests: before.logsRequests + 1 });
  });

  it('answers 503 (retryable) without reading the body while the store is too far behind', async () => {
    // A stand-in store that is always behind: the receiver only consults pendingSpans first.
    const behind = { pendingSpans: 10, insert: () => Promise.reject(new Error('not reached')) } as unknown as SpanStore;
    const rx = await startReceiver({ store: behind, maxPendingSpans: 5 });
    try {
      const res = await request(`${rx.url}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(((await res.body.json()) as { message: string }).message).toMatch(/10 spans behind/);
      expect(rx.stats()).toMatchObject({ rejected: 1, spansAccepted: 0 });
    } finally {
      await rx.close();
    }
  });

  it('answers 503 (retryable) and counts spansFailed when the store cannot write', async () => {
    const broken = await SpanStore.open(':memory:');
    const rx = await startReceiver({ store: broken });
    await broken.close();
    try {
      const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1' }] }] }] });
      const res = await request(`${rx.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(((await res.body.json()) as { message: string }).message).toMatch(/span store is closed/);
      expect(rx.stats()).toMatchObject({ spansAccepted: 1, spansStored: 0, spansFailed: 1, rejected: 1 });
    } finally {
      await rx.close();
    }
  });
});

/**
 * The collector's conventions for hostile bodies: a nesting depth limit (400, not a stack
 * overflow), invalid (all-zero) ids refused with 400, and attribute count/length limits applied
 * with the dropped count recorded — as the OTel SDK/Collector limits do.
 */
describe('receiver limits', () => {
  const post = (url: string, body: Buffer | string, contentType: string) =>
    request(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': contentType } });
  const jsonSpan = (span: Record<string, unknown>) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  /** A JSON export whose one span has one attribute with the given (raw JSON) AnyValue. */
  const jsonWithValue = (anyValueJson: string) => {
    const { traceId, spanId } = ids();
    return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"${spanId}","attributes":[{"key":"v","value":${anyValueJson}}]}]}]}]}`;
  };
  const nested = (depth: number) => `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}`;
  const ids = () => ({ traceId: randomUUID().replaceAll('-', ''), spanId: '0102030405060708' });

  /** Protobuf field `field` (length-delimited) around `payload`. */
  const ld = (field: number, payload: Buffer): Buffer => Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
  const protoRequest = (span: Buffer) => ld(1, ld(2, ld(2, span)));
  const protoSpan = (traceId: Buffer, spanId: Buffer, ...rest: Buffer[]) => Buffer.concat([ld(1, traceId), ld(2, spanId), ...rest]);

  it('answers an AnyValue nested 10,000 deep with 400 naming the depth limit (JSON and protobuf), then keeps serving', async () => {
    const json = await post(receiver.url, jsonWithValue(nested(10_000)), 'application/json');
    expect(json.statusCode).toBe(400);
    expect(((await json.body.json()) as { message: string }).message).toMatch(/nested more than 32 levels/);

    // AnyValue{arrayValue(5){values(1): AnyValue{…}}}, 2,000 deep (well past the limit, cheap to build).
    let value = ld(1, Buffer.from('x')); // AnyValue{stringValue}
    for (let i = 0; i < 2_000; i++) value = ld(5, ld(1, value));
    const attribute = ld(9, Buffer.concat([ld(1, Buffer.from('deep')), ld(2, value)]));
    const proto = await post(receiver.url, protoRequest(protoSpan(Buffer.alloc(16, 1), Buffer.alloc(8, 1), attribute)), 'application/x-protobuf');
    expect(proto.statusCode).toBe(400);
    const status = RpcStatus.decode(Buffer.from(await proto.body.arrayBuffer())) as unknown as { message: string };
    expect(status.message).toMatch(/nested more than 32 levels/);

    // Depth within the limit is fine.
    const okRes = await post(receiver.url, jsonWithValue(nested(20)), 'application/json');
    expect(okRes.statusCode).toBe(200);
    await okRes.body.dump();
  });

  it.each([
    ['all-zero traceId', { traceId: '0'.repeat(32), spanId: '0102030405060708' }, /traceId: an all-zero id is invalid/],
    ['all-zero spanId', { traceId: 'a'.repeat(32), spanId: '0'.repeat(16) }, /spanId: an all-zero id is invalid/],
    ['short traceId', { traceId: 'a'.repeat(30), spanId: '0102030405060708' }, /traceId: expected 32 hex characters/],
    ['long spanId', { traceId: 'a'.repeat(32), spanId: '01'.repeat(9) }, /spanId: expected 16 hex characters/],
  ])('answers a JSON span with an invalid id (%s) with 400', async (_name, span, reason) => {
    const res = await post(receiver.url, jsonSpan(span), 'application/json');
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { message: string }).message).toMatch(reason);
  });

  it.each([
    ['all-zero traceId', Buffer.alloc(16), Buffer.alloc(8, 1), /traceId: an all-zero id is invalid/],
    ['all-zero spanId', Buffer.alloc(16, 1), Buffer.alloc(8), /spanId: an all-zero id is invalid/],
    ['short traceId', Buffer.alloc(15, 1), Buffer.alloc(8, 1), /traceId: expected 16 bytes, got 15/],
  ])('answers a protobuf span with an invalid id (%s) with 400', async (_name, traceId, spanId, reason) => {
    const res = await post(receiver.url, protoRequest(protoSpan(traceId, spanId)), 'application/x-protobuf');
    expect(res.statusCode).toBe(400);
    expect((RpcStatus.decode(Buffer.from(await res.body.arrayBuffer())) as unknown as { message: string }).message).toMatch(reason);
  });

  it('keeps 128 attributes and 1 Mi characters per value by default, recording what it dropped (plus the sender’s count)', async () => {
    const runId = `limits-${randomUUID()}`;
    const many = Array.from({ length: 100_000 }, (_, i) => ({ key: `a${i}`, value: { intValue: i } }));
    const body = jsonSpan({ ...ids(), droppedAttributesCount: 5, attributes: [{ key: ATTR_GAUNTLET_RUN_ID, value: { stringValue: runId } }, ...many] });
    const before = receiver.stats();
    const res = await post(receiver.url, body, 'application/json');
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const [span] = await store.spansForRun(runId);
    expect(Object.keys(span!.attributes)).toHaveLength(128);
    expect(span!.attributes[ATTR_GAUNTLET_RUN_ID]).toBe(runId);
    expect(span!.droppedAttributesCount).toBe(5 + 100_001 - 128);
    expect(receiver.stats().attributesDropped - before.attributesDropped).toBe(100_001 - 128);

    const hugeRun = `huge-${randomUUID()}`;
    const huge = 'h'.repeat(14 * 1024 * 1024); // with the event's 1.5 MiB, just under the 16 MiB body limit
    const hugeBody = jsonSpan({
      ...ids(),
      attributes: [{ key: ATTR_GAUNTLET_RUN_ID, value: { stringValue: hugeRun } }, { key: 'huge', value: { stringValue: huge } }],
      events: [{ name: 'e', attributes: [{ key: 'list', value: { arrayValue: { values: [{ stringValue: huge.slice(0, 1.5 * 1024 * 1024) }] } } }] }],
    });
    const hugeRes = await post(receiver.url, hugeBody, 'application/json');
    expect(hugeRes.statusCode).toBe(200);
    await hugeRes.body.dump();
    const [big] = await store.spansForRun(hugeRun);
    expect((big!.attributes.huge as string).length).toBe(1024 * 1024);
    expect(((big!.events[0]!.attributes.list as string[])[0]!).length).toBe(1024 * 1024);
    expect(big!.droppedAttributesCount).toBeUndefined(); // truncation is not dropping
  });

  it('takes its limits from maxAttributesPerSpan and maxAttributeValueLength, for protobuf too', async () => {
    const own = await SpanStore.open(':memory:');
    const rx = await startReceiver({ store: own, maxAttributesPerSpan: 2, maxAttributeValueLength: 4 });
    try {
      const kv = (key: string, v: string) => ld(9, Buffer.concat([ld(1, Buffer.from(key)), ld(2, ld(1, Buffer.from(v)))]));
      const res = await post(rx.url, protoRequest(protoSpan(Buffer.alloc(16, 2), Buffer.alloc(8, 2), kv(ATTR_GAUNTLET_RUN_ID, 'r-lim'), kv('b', 'long value'), kv('c', 'dropped'))), 'application/x-protobuf');
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      // The run id attribute was cut to 4 characters; the run_id column, read before the limits, was not.
      const all = await own.spansForRun('r-lim');
      expect(all[0]!.attributes).toEqual({ [ATTR_GAUNTLET_RUN_ID]: 'r-li', b: 'long' });
      expect(all[0]!.droppedAttributesCount).toBe(1);
      expect(rx.stats()).toMatchObject({ attributesDropped: 1, attributesTruncated: 2 });
    } finally {
      await rx.close();
      await own.close();
    }
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** `bytes` of zeros, gzipped as a stream so the test itself never holds them in memory. */
function gzipZeros(bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gz = createGzip({ level: 9 });
    const chunks: Buffer[] = [];
    gz.on('data', (c: Buffer) => chunks.push(c));
    gz.on('end', () => resolve(Buffer.concat(chunks)));
    gz.on('error', reject);
    const zeros = Buffer.alloc(1024 * 1024);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        left -= zeros.length;
        if (!gz.write(zeros)) return void gz.once('drain', pump);
      }
      gz.end();
    };
    pump();
  });
}
