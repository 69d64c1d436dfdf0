import { describe, expect, it } from 'vitest';
import type { StoredSpan } from '../src/collect/index.ts';
import { MatcherSchema, SmokeSuiteSchema, SpanAssertionSchema, type Matcher } from '../src/config/smoke-schema.ts';
import { describeSelector, evaluateSpanAssertion } from '../src/analyze/trace-assert.ts';
import { ABSENT, matchValue, resolveBodyPath } from '../src/analyze/trace-assert-match.ts';

const m = (v: unknown): Matcher => MatcherSchema.parse(v) as Matcher;

describe('JSON Pointer and the JSONPath subset', () => {
  const doc = { valid: false, errors: [{ Kind: 'required', 'a/b': 1, 'm~n': 2 }, { Kind: 'range' }], 'dash-key': 'x', empty: null };
  it.each([
    ['', doc],
    ['/valid', false],
    ['/errors/0/Kind', 'required'],
    ['/errors/1/Kind', 'range'],
    ['/errors/0/a~1b', 1],
    ['/errors/0/m~0n', 2],
    ['/empty', null],
    ['$', doc],
    ['$.errors[0].Kind', 'required'],
    ['$.errors[-1].Kind', 'range'],
    ["$['dash-key']", 'x'],
    ['$["errors"][1]["Kind"]', 'range'],
    ['$.dash-key', 'x'],
  ])('%s resolves', (path, expected) => {
    expect(resolveBodyPath(doc, path)).toEqual(expected);
  });

  it.each(['/missing', '/errors/2', '/errors/01', '/errors/-', '/valid/x', '$.errors[5]', '$.nope.deeper'])('%s is absent', (path) => {
    expect(resolveBodyPath(doc, path)).toBe(ABSENT);
  });
});

describe('matchers say what was expected and what was observed', () => {
  it.each([
    [true, true, undefined],
    [true, false, { expected: 'true', observed: 'false' }],
    [{ equals: { a: [1, 2] } }, { a: [1, 2.0] }, undefined],
    [{ exists: true }, ABSENT, { expected: 'present', observed: '(absent)' }],
    [{ absent: true }, 0, { expected: 'absent', observed: '0' }],
    [{ absent: true }, ABSENT, undefined],
    [{ type: 'array', length: 0 }, [], undefined],
    [{ length: { gte: 2 } }, [1], { expected: 'length >= 2', observed: 'length 1' }],
    [{ type: 'integer' }, 1.5, { expected: 'type integer', observed: '1.5 (type number)' }],
    [{ type: 'number' }, 3, undefined],
    [{ matches: '^text/plain' }, 'text/plain; version=0.0.4', undefined],
    [{ matches: '^2' }, 404, { expected: 'matching /^2/', observed: '404' }],
    [{ contains: 'b' }, ['a', 'b'], undefined],
    [{ contains: 'zz' }, 'abc', { expected: 'containing "zz"', observed: '"abc"' }],
    [{ lt: 500 }, 200, undefined],
    [{ lt: 500 }, '503', { expected: '< 500', observed: '"503"' }],
    [{ gte: 1 }, 'one', { expected: '>= 1', observed: '"one" (not a number)' }],
    [{ oneOf: [200, 201] }, 204, { expected: 'one of [200,201]', observed: '204' }],
    [{ lt: 5 }, ABSENT, { expected: '< 5', observed: '(absent)' }],
  ] as Array<[unknown, unknown, unknown]>)('%j against %j', (matcher, value, expected) => {
    expect(matchValue(m(matcher), value)).toEqual(expected);
  });
});

let seq = 0;
function span(o: Partial<StoredSpan>): StoredSpan {
  seq++;
  return {
    traceId: 'f'.repeat(32),
    spanId: seq.toString(16).padStart(16, '0'),
    parentSpanId: null,
    name: 'span',
    kind: 'INTERNAL',
    startNs: 1_000_000_000n,
    endNs: 1_000_000_000n + 2_500_000n,
    statusCode: 'UNSET',
    statusMessage: null,
    serviceName: 'gauntlet',
    scopeName: null,
    resource: {},
    attributes: {},
    events: [],
    links: [],
    runId: null,
    ...o,
  };
}

describe('trace assertions', () => {
  const trace = [
    span({ name: 'smoke validatord/x', kind: 'INTERNAL' }),
    span({ name: 'POST /v1/validate', kind: 'CLIENT', attributes: { 'http.route': '/v1/validate', 'http.response.status_code': 200 } }),
    span({ name: 'POST /v1/validate', kind: 'SERVER', serviceName: 'validatord', resource: { 'service.name': 'validatord', 'gauntlet.runtime': 'go' }, attributes: { 'http.route': '/v1/validate', 'http.response.status_code': 200 } }),
  ];
  const check = (a: unknown) => evaluateSpanAssertion(trace, SpanAssertionSchema.parse(a));

  it('renders selectors in Tracetest style', () => {
    expect(describeSelector(SpanAssertionSchema.parse({ select: { kind: 'server', service: 'validatord', attributes: { 'http.route': '/v1/validate' } } }).select)).toBe(
      'span[kind=SERVER][service.name=validatord][http.route=/v1/validate]',
    );
    expect(describeSelector(SpanAssertionSchema.parse({ select: { name: { matches: '^POST' }, attributes: { 'error.type': { absent: true } } } }).select)).toBe(
      'span[name=~^POST][error.type absent]',
    );
  });

  it('passes on what the spans hold, including resource attributes', () => {
    expect(check({ select: { kind: 'SERVER', service: 'validatord' }, count: 1, durationMs: { lt: 50 }, attributes: { 'http.route': { exists: true }, 'http.response.status_code': { lt: 500 }, 'gauntlet.runtime': 'go' } })).toEqual([]);
    expect(check({ select: { attributes: { 'http.route': '/v1/validate' } }, count: 2 })).toEqual([]);
  });

  it('names selector, attribute, expectation and observed value', () => {
    expect(check({ select: { kind: 'SERVER', service: 'validatord' }, attributes: { 'http.route': '/v1/other' } })).toEqual([
      'span[kind=SERVER][service.name=validatord] attr http.route: expected "/v1/other", observed "/v1/validate"',
    ]);
    expect(check({ select: { kind: 'SERVER' }, durationMs: { lt: 1 } })).toEqual(['span[kind=SERVER] duration: expected < 1 ms, observed 2.50 ms']);
    expect(check({ select: { kind: 'CLIENT' }, count: { gte: 2 } })).toEqual(['span[kind=CLIENT] count: expected >= 2, observed 1']);
  });

  it('fails a selector that matches nothing, showing what the trace held', () => {
    const [msg] = check({ select: { kind: 'SERVER', attributes: { 'http.route': '/nope' } } });
    expect(msg).toMatch(/^no span matched span\[kind=SERVER\]\[http.route=\/nope\] \(trace had: INTERNAL gauntlet "smoke validatord\/x", CLIENT gauntlet "POST \/v1\/validate", SERVER validatord "POST \/v1\/validate"\)$/);
    // Asserting absence is explicit: count 0.
    expect(check({ select: { kind: 'SERVER', attributes: { 'http.route': '/nope' } }, count: 0 })).toEqual([]);
  });
});

describe('suite schema', () => {
  const suite = (checks: unknown) => SmokeSuiteSchema.safeParse({ service: 'validatord', checks });
  it.each([
    ['bad pointer key', [{ id: 'a', request: { path: '/x' }, expect: { json: { valid: true } } }], ['checks', 0, 'expect', 'json', 'valid'], /neither a JSON Pointer/],
    ['unsupported JSONPath', [{ id: 'a', request: { path: '/x' }, expect: { json: { '$..deep': 1 } } }], ['checks', 0, 'expect', 'json', '$..deep'], /JSONPath/],
    ['unknown matcher op', [{ id: 'a', request: { path: '/x' }, expect: { json: { '/v': { greater: 1 } } } }], ['checks', 0, 'expect', 'json', '/v'], /greater/],
    ['bad regex', [{ id: 'a', request: { path: '/x' }, expect: { body: { matches: '(' } } }], ['checks', 0, 'expect', 'body', 'matches'], /regular expression/],
    ['bad span kind', [{ id: 'a', request: { path: '/x' }, spans: [{ select: { kind: 'SERVERS' } }] }], ['checks', 0, 'spans', 0, 'select', 'kind'], /SERVER/],
    ['duplicate id', [{ id: 'a', request: { path: '/x' } }, { id: 'a', request: { path: '/y' } }], ['checks', 1, 'id'], /duplicate check id/],
  ])('%s', (_name, checks, path, message) => {
    const r = suite(checks);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(path);
    expect(r.error!.issues[0]!.message + JSON.stringify(r.error!.issues[0])).toMatch(message);
  });
});
