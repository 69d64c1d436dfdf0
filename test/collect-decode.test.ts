import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeTraces, otlpEncodingOf, type StoredSpan } from '../src/collect/index.ts';
import { GauntletError } from '../src/util/errors.ts';

// protobufjs as an independent encoder of the same upstream .proto files the decoder reads.
const root = new protobuf.Root();
root.resolvePath = (_o, target) => join(fileURLToPath(new URL('../src/collect/proto/', import.meta.url)), target);
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ResourceSpans = root.lookupType('opentelemetry.proto.trace.v1.ResourceSpans');

const PB = 'application/x-protobuf';
const JSON_CT = 'application/json';
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const PARENT = '00f067aa0ba902b7';
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

/** One logical request in both encodings, covering every AnyValue variant. */
function protoRequest(): Uint8Array {
  return Request.encode(
    Request.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'validatord' } }, { key: 'gauntlet.run.id', value: { stringValue: 'run-from-resource' } }] },
          scopeSpans: [
            {
              scope: { name: 'gauntlet', version: '1.0.0' },
              spans: [
                {
                  traceId: hex(TRACE),
                  spanId: hex(SPAN),
                  parentSpanId: hex(PARENT),
                  name: 'POST /v1/validate',
                  kind: 3,
                  startTimeUnixNano: '1700000000123456789',
                  endTimeUnixNano: '1700000000223456789',
                  attributes: [
                    { key: 's', value: { stringValue: 'x' } },
                    { key: 'i', value: { intValue: -42 } },
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'd', value: { doubleValue: 2.5 } },
                    { key: 'inf', value: { doubleValue: Infinity } },
                    { key: 'b', value: { boolValue: true } },
                    { key: 'bytes', value: { bytesValue: Buffer.from('hi') } },
                    { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}] } } },
                    { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                    { key: 'empty', value: {} },
                  ],
                  events: [{ timeUnixNano: '1700000000200000000', name: 'gauntlet.response.body', attributes: [{ key: 'gauntlet.body.text', value: { stringValue: '{}' } }] }],
                  links: [{ traceId: hex(TRACE), spanId: hex(PARENT), attributes: [{ key: 'l', value: { intValue: 1 } }] }],
                  status: { code: 2, message: 'HTTP 500' },
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish();
}

function jsonRequest(): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'validatord' } }, { key: 'gauntlet.run.id', value: { stringValue: 'run-from-resource' } }] },
        scopeSpans: [
          {
            scope: { name: 'gauntlet', version: '1.0.0' },
            spans: [
              {
                traceId: TRACE.toUpperCase(), // hex is case-insensitive on the way in, lowercase on the way out
                spanId: SPAN,
                parentSpanId: PARENT,
                name: 'POST /v1/validate',
                kind: 'SPAN_KIND_CLIENT',
                startTimeUnixNano: '1700000000123456789',
                endTimeUnixNano: '1700000000223456789',
                attributes: [
                  { key: 's', value: { stringValue: 'x' } },
                  { key: 'i', value: { intValue: '-42' } },
                  { key: 'big', value: { intValue: '9007199254740993' } },
                  { key: 'd', value: { doubleValue: 2.5 } },
                  { key: 'inf', value: { doubleValue: 'Infinity' } },
                  { key: 'b', value: { boolValue: true } },
                  { key: 'bytes', value: { bytesValue: Buffer.from('hi').toString('base64') } },
                  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}] } } },
                  { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                  { key: 'empty', value: {} },
                ],
                events: [{ timeUnixNano: 1700000000200000000, name: 'gauntlet.response.body', attributes: [{ key: 'gauntlet.body.text', value: { stringValue: '{}' } }] }],
                links: [{ traceId: TRACE, spanId: PARENT, attributes: [{ key: 'l', value: { intValue: 1 } }] }],
                status: { code: 'STATUS_CODE_ERROR', message: 'HTTP 500' },
              },
            ],
          },
        ],
      },
    ],
  }).replace('"timeUnixNano":1700000000200000000', '"timeUnixNano":1700000000200000001'); // an int64 past 2^53, unquoted
}

const expected: StoredSpan = {
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: PARENT,
  name: 'POST /v1/validate',
  kind: 'CLIENT',
  startNs: 1700000000123456789n,
  endNs: 1700000000223456789n,
  statusCode: 'ERROR',
  statusMessage: 'HTTP 500',
  serviceName: 'validatord',
  scopeName: 'gauntlet',
  resource: { 'service.name': 'validatord', 'gauntlet.run.id': 'run-from-resource' },
  attributes: {
    s: 'x',
    i: -42,
    big: '9007199254740993',
    d: 2.5,
    inf: 'Infinity',
    b: true,
    bytes: Buffer.from('hi').toString('base64'),
    arr: ['a', 1, null],
    kv: { k: false },
    empty: null,
  },
  events: [{ name: 'gauntlet.response.body', timeNs: 1700000000200000000n, attributes: { 'gauntlet.body.text': '{}' } }],
  links: [{ traceId: TRACE, spanId: PARENT, attributes: { l: 1 } }],
  runId: 'run-from-resource',
};

function decodeError(body: Uint8Array | string, contentType: string): GauntletError {
  try {
    decodeTraces(typeof body === 'string' ? Buffer.from(body) : body, contentType);
  } catch (err) {
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as GauntletError).code).toBe('GAUNTLET_OTLP_INVALID');
    return err as GauntletError;
  }
  throw new Error('expected decodeTraces to throw');
}

describe('decodeTraces', () => {
  it('decodes protobuf into the normalised span', () => {
    expect(decodeTraces(protoRequest(), PB)).toEqual([expected]);
  });

  it('decodes OTLP/JSON into the same span (hex ids, enum names, int64 strings and unquoted big numbers)', () => {
    const [span] = decodeTraces(Buffer.from(jsonRequest()), `${JSON_CT}; charset=utf-8`);
    expect(span).toEqual({ ...expected, events: [{ ...expected.events[0]!, timeNs: 1700000000200000001n }] });
  });

  it('accepts enum integers and numeric int64s in JSON, and treats empty parent ids as roots', () => {
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, parentSpanId: '', kind: 2, startTimeUnixNano: 5, endTimeUnixNano: '6', status: { code: 1 }, attributes: [{ key: 'n', value: { intValue: 7 } }] }] }] }],
    });
    expect(decodeTraces(Buffer.from(body), JSON_CT)[0]).toMatchObject({ parentSpanId: null, kind: 'SERVER', startNs: 5n, endNs: 6n, statusCode: 'OK', attributes: { n: 7 }, serviceName: null, scopeName: null, runId: null });
  });

  it('prefers the span attribute run id over the resource one', () => {
    const body = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [{ key: 'gauntlet.run.id', value: { stringValue: 'r' } }] }, scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, attributes: [{ key: 'gauntlet.run.id', value: { stringValue: 's' } }] }] }] }],
    });
    expect(decodeTraces(Buffer.from(body), JSON_CT)[0]!.runId).toBe('s');
  });

  it('reads protobuf fields in any order and skips unknown fields', () => {
    // scope_spans before resource, plus an unknown field 99 (varint) in ResourceSpans.
    const scopeSpans = ResourceSpans.encode(ResourceSpans.fromObject({ scopeSpans: [{ spans: [{ traceId: hex(TRACE), spanId: hex(SPAN) }] }] })).finish();
    const resource = ResourceSpans.encode(ResourceSpans.fromObject({ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'late' } }] } })).finish();
    const unknown = Buffer.from([0x98, 0x06, 0x01]); // tag (99 << 3 | 0), value 1
    const rs = Buffer.concat([scopeSpans, unknown, resource]);
    const body = Buffer.concat([Buffer.from([0x0a]), varint(rs.length), rs]);
    expect(decodeTraces(body, PB)[0]).toMatchObject({ serviceName: 'late', resource: { 'service.name': 'late' } });
  });

  it('returns no spans for an empty request in either encoding', () => {
    expect(decodeTraces(Buffer.alloc(0), PB)).toEqual([]);
    expect(decodeTraces(Buffer.from('{}'), JSON_CT)).toEqual([]);
  });

  it.each([
    ['truncated protobuf', protoRequest().subarray(0, 40), PB, /malformed protobuf/],
    ['protobuf length past the end', Buffer.from([0x0a, 0x50, 0x01]), PB, /malformed protobuf.*runs past/],
    ['protobuf 3-byte trace id', Request.encode(Request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from([1, 2, 3]), spanId: hex(SPAN) }] }] }] })).finish(), PB, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected 16 bytes, got 3/],
    ['protobuf missing span id', Request.encode(Request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: hex(TRACE) }] }] }] })).finish(), PB, /spanId: expected 8 bytes, got 0/],
    ['JSON syntax', '{"resourceSpans":[', JSON_CT, /malformed JSON/],
    ['JSON not an object', '[1,2]', JSON_CT, /\$: expected an object/],
    ['JSON base64 trace id', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(TRACE, 'hex').toString('base64'), spanId: SPAN }] }] }] }), JSON_CT, /spans\[0\]\.traceId: expected 32 hex characters/],
    ['JSON bad kind', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, kind: 'SERVER' }] }] }] }), JSON_CT, /kind: expected an enum number or SPAN_KIND_\* name/],
    ['JSON fractional time', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, startTimeUnixNano: 1.5 }] }] }] }), JSON_CT, /startTimeUnixNano: expected an unsigned integer/],
    ['JSON time past uint64', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, endTimeUnixNano: '18446744073709551616' }] }] }] }), JSON_CT, /endTimeUnixNano/],
    ['JSON attributes not an array', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, attributes: { a: 1 } }] }] }] }), JSON_CT, /attributes: expected an array/],
    ['JSON intValue not an integer', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, attributes: [{ key: 'a', value: { intValue: 'x' } }] }] }] }] }), JSON_CT, /attributes\[0\]\.value\.intValue/],
    ['unsupported content type', '{}', 'text/plain', /unsupported Content-Type "text\/plain"/],
  ] as const)('rejects %s with GAUNTLET_OTLP_INVALID and a path', (_name, body, contentType, message) => {
    expect(decodeError(body, contentType).message).toMatch(message);
  });
});

describe('otlpEncodingOf', () => {
  it.each([
    ['application/x-protobuf', 'protobuf'],
    ['application/protobuf', 'protobuf'],
    ['Application/JSON; charset=utf-8', 'json'],
    ['text/plain', null],
    [undefined, null],
  ] as const)('%s → %s', (contentType, encoding) => {
    expect(otlpEncodingOf(contentType)).toBe(encoding);
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
