import { describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../src/daemons/common/args.ts';
import { formatDuration, rfc3339Nanos, volatileMeta, withMeta } from '../src/daemons/validatord/volatile.ts';
import { volatileFormat } from '../src/analyze/volatile.ts';
import { createFaultSchedule } from '../src/daemons/common/fault.ts';
import { goFloat64, goSprint, goString } from '../src/daemons/common/json-go.ts';
import { serdeF64, serdeValue } from '../src/daemons/common/json-serde.ts';
import { goWire } from '../src/daemons/validatord/encode-go.ts';
import { rustWire } from '../src/daemons/validatord/encode-rust.ts';
import { parseValidateRequest, type RecordSchema } from '../src/daemons/validatord/schema.ts';
import { validateRecord, type ValidationIssue } from '../src/daemons/validatord/validate.ts';

describe('serde_json number layout (ryu)', () => {
  it.each([
    [1, '1.0'],
    [500, '500.0'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [0, '0.0'],
    [-0, '-0.0'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e16'],
    [1.2345678901234568e20, '1.2345678901234568e20'],
    [1e-5, '0.00001'],
    [1e-6, '1e-6'],
    [1.5e-7, '1.5e-7'],
    [Number.NaN, 'null'],
  ])('serdeF64(%d) is %s', (value, text) => {
    expect(serdeF64(value)).toBe(text);
  });

  it('echoes a serde_json::Value: integers stay integers, BTreeMap key order', () => {
    expect(serdeValue({ b: 1, a: [1.5, 'x', null, true] })).toBe('{"a":[1.5,"x",null,true],"b":1}');
  });
});

describe('Go encoding/json and fmt layout', () => {
  it.each([
    [1, '1'],
    [500, '500'],
    [0.1, '0.1'],
    [-0, '-0'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
  ])('goFloat64(%d) is %s', (value, text) => {
    expect(goFloat64(value)).toBe(text);
  });

  it('escapes HTML characters as json.Marshal does', () => {
    expect(goString('a<b>&c\u2028')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028"');
    expect(goString('tab\there')).toBe('"tab\\there"');
  });

  it.each([
    ['open', 'open'],
    [3, '3'],
    [1e6, '1e+06'],
    [0.00001, '1e-05'],
    [true, 'true'],
    [null, '<nil>'],
  ])('fmt.Sprint(%j) is %s', (value, text) => {
    expect(goSprint(value)).toBe(text);
  });
});

const ORDER: RecordSchema = {
  fields: {
    id: { type: 'string', required: true },
    qty: { type: 'integer', min: 1, max: 100 },
    status: { type: 'string', enum: ['open', 'closed'] },
    customer: { type: 'object', fields: { email: { type: 'string', required: true } } },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

describe('validateRecord', () => {
  it('accepts a valid record and ignores unknown fields', () => {
    expect(validateRecord(ORDER, { id: 'a', qty: 1, extra: { anything: true } })).toEqual([]);
  });

  it('lists every issue in schema order, depth first, nested ones as schema issues', () => {
    const issues = validateRecord(ORDER, { qty: 0, status: 'lost', customer: { email: 7 }, tags: ['ok', 2] });
    expect(issues.map((i) => [i.kind, i.field, i.reason])).toEqual([
      ['required', 'id', 'missing required field'],
      ['range', 'qty', 'out of range'],
      ['enum', 'status', 'not an allowed value'],
      ['schema', 'customer.email', 'expected string, found integer'],
      ['schema', 'tags[1]', 'expected string, found integer'],
    ]);
  });

  it('reports a wrong type once, without range/enum follow-ups', () => {
    expect(validateRecord(ORDER, { id: 'a', qty: 2.5 })).toEqual([
      { kind: 'type', field: 'qty', reason: 'expected integer', expected: 'integer', found: 'number' },
    ]);
  });
});

describe('validatord wire formats', () => {
  const range: ValidationIssue = { kind: 'range', field: 'qty', reason: 'out of range', min: 1, max: undefined, value: 500 };

  it('agree byte for byte on a valid result and differ on every issue', () => {
    expect(rustWire.encodeResult([])).toBe(goWire.encodeResult([]));
    expect(rustWire.encodeResult([range])).not.toBe(goWire.encodeResult([range]));
  });

  it('rust: absent bound is null (Option<f64>), go: zero value', () => {
    expect(rustWire.encodeResult([range])).toContain('{"Range":{"field":"qty","reason":"out of range","min":1.0,"max":null,"value":500.0}}');
    expect(goWire.encodeResult([range])).toContain('"Min":1,"Max":0,"Value":500,"Allowed":null}');
  });

  it('go: enum values become []string via fmt.Sprint', () => {
    const issue: ValidationIssue = { kind: 'enum', field: 'level', reason: 'not an allowed value', allowed: [1, 'two', 1e6] };
    expect(goWire.encodeResult([issue])).toContain('"Allowed":["1","two","1e+06"]');
    expect(rustWire.encodeResult([issue])).toContain('"allowed":[1,"two",1000000]');
  });
});

describe('parseValidateRequest', () => {
  it.each([
    [[], 'request body must be a JSON object'],
    [{ record: {} }, 'missing field `schema`'],
    [{ schema: { fields: {} } }, 'missing field `record`'],
  ])('%j → %s', (body, message) => {
    expect(parseValidateRequest(body)).toEqual({ ok: false, message });
  });

  it('names the path of a bad schema entry', () => {
    const parsed = parseValidateRequest({ schema: { fields: { qty: { type: 'decimal' } } }, record: {} });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/^invalid schema\.fields\.qty\.type: /);
  });
});

describe('daemon arguments', () => {
  it('takes flags over environment and appends /v1/traces to a base endpoint', () => {
    const args = parseDaemonArgs(['--flavour', 'go', '--otlp-endpoint', 'http://collector:4318/'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      GAUNTLET_FAULT_LATENCY_MS: '25',
    });
    expect(args).toEqual({
      flavour: 'go',
      host: '127.0.0.1',
      port: 0,
      tracesUrl: 'http://collector:4318/v1/traces',
      fault: { ms: 25, ratio: 1 },
    });
  });

  it('turns on volatile fields by flag or environment (and leaves the key out otherwise)', () => {
    expect(parseDaemonArgs(['--flavour', 'rust', '--volatile-fields'], {}).volatileFields).toBe(true);
    expect(parseDaemonArgs(['--flavour', 'rust'], { GAUNTLET_VOLATILE_FIELDS: '1' }).volatileFields).toBe(true);
    expect('volatileFields' in parseDaemonArgs(['--flavour', 'rust'], {})).toBe(false);
  });

  it('spells volatile values the way each runtime does, in formats the noise model recognises', () => {
    const ns = 1795790620067000000n;
    expect(rfc3339Nanos(ns, 'rust')).toBe('2026-11-27T14:43:40.067000000Z');
    expect(rfc3339Nanos(ns, 'go')).toBe('2026-11-27T14:43:40.067Z');
    expect(rfc3339Nanos(1795790620000000000n, 'go')).toBe('2026-11-27T14:43:40Z');
    expect([formatDuration(0.1532), formatDuration(1.234567), formatDuration(1500), formatDuration(0.0004)]).toEqual(['153.2µs', '1.234567ms', '1.5s', '400ns']);
    const meta = volatileMeta('rust', performance.now() - 0.2);
    expect(Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, volatileFormat(v)]))).toEqual({
      request_id: 'uuid', event_id: 'ulid', span_id: 'hex-id', validated_at: 'rfc3339', validated_at_ms: 'epoch-ms', took: 'duration',
    });
    expect(withMeta('{"valid":true,"errors":[]}', meta)).toMatch(/^\{"valid":true,"errors":\[\],"meta":\{"request_id":"[0-9a-f-]{36}",/);
  });

  it('leaves tracing off without an endpoint', () => {
    expect(parseDaemonArgs(['--flavour', 'rust'], {}).tracesUrl).toBeUndefined();
  });

  it.each([[['--flavour', 'java']], [['--flavour', 'go', '--port', '-1']], [['--flavour', 'go', '--fault-latency-ratio', '2']], [['--nope']]])(
    'rejects %j with GAUNTLET_USAGE',
    (argv) => {
      expect(() => parseDaemonArgs(argv, {})).toThrow(expect.objectContaining({ code: 'GAUNTLET_USAGE' }));
    },
  );

  it('spreads a partial fault ratio evenly', () => {
    const isDelayed = createFaultSchedule(0.25);
    expect(Array.from({ length: 8 }, isDelayed)).toEqual([false, false, false, true, false, false, false, true]);
  });
});
