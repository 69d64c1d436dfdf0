import { LosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { bodyHash, parseBody, shapeHash, shapeSignature, type JsonValue } from '../src/shape/index.ts';

function json(text: string): JsonValue {
  const parsed = parseBody(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('parseBody', () => {
  it('keeps number lexemes', () => {
    const v = json('{"a":1.0,"b":1,"c":12345678901234567890,"d":-0,"e":1E+3}') as Record<string, LosslessNumber>;
    expect(Object.values(v).map((n) => n.value)).toEqual(['1.0', '1', '12345678901234567890', '-0', '1E+3']);
    expect(v.a).toBeInstanceOf(LosslessNumber);
  });

  it('decodes strings like JSON.parse', () => {
    const text = '["plain","esc\\"aped\\\\","\\u00e9\\ud83d\\ude00","tab\\t", "ünï"]';
    expect(json(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['', /empty body/],
    ['   ', /no value/],
    ['{"a":1,}', /expected a string key at line 1, column 8/],
    ['[1,2', /unexpected end of input/],
    ['{"a":01}', /unexpected "1"/],
    ['{"a" 1}', /expected ':'/],
    ['1.', /digit after the decimal point/],
    ['1e', /digit in the exponent/],
    ['"a\nb"', /control character/],
    ['"\\x"', /invalid escape/],
    ['"abc', /unterminated string/],
    ['tru', /expected a value/],
    ['{}\n{}', /unexpected content after the value at line 2/],
    ['\ufeff{}', /expected a value/],
    ['NaN', /expected a value/],
  ])('rejects %j', (text, message) => {
    const parsed = parseBody(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    const parsed = parseBody('['.repeat(100_000) + ']'.repeat(100_000));
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/nesting deeper than 512/) });
    expect(parseBody('['.repeat(500) + ']'.repeat(500)).ok).toBe(true);
  });

  it('keeps the last of duplicate keys and stores __proto__ as a key', () => {
    const v = json('{"a":1,"a":2,"__proto__":{"polluted":true}}') as Record<string, JsonValue>;
    expect((v.a as LosslessNumber).value).toBe('2');
    expect(Object.keys(v)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('shapeSignature', () => {
  it.each([
    ['{"a":[1,2],"b":"x"}', '{a:[num],b:str}'],
    ['{"b":"x","a":[1,2]}', '{a:[num],b:str}'],
    ['null', 'null'],
    ['true', 'bool'],
    ['1.5', 'num'],
    ['"s"', 'str'],
    ['[]', '[]'],
    ['{}', '{}'],
    ['[1,"a",null,true]', '[null|bool|num|str]'],
    ['[[1],[],["x"]]', '[[num|str]]'],
    ['[{"id":1,"note":"x"},{"id":2},{"id":3,"note":null}]', '[{id:num,note?:null|str}]'],
    ['{"Schema":{"field":"x","reason":"y"}}', '{Schema:{field:str,reason:str}}'],
    ['{"a b":1,"c:d":2,"":3,"e?":4,"x_y-z.w":5}', '{"":num,"a b":num,"c:d":num,"e?":num,x_y-z.w:num}'],
  ])('%s → %s', (text, signature) => {
    expect(shapeSignature(json(text))).toBe(signature);
  });

  it('ignores values and number representation', () => {
    expect(shapeSignature(json('{"n":1,"s":"a"}'))).toBe(shapeSignature(json('{"s":"zzz","n":1.0e3}')));
  });

  it('summarises a large array as one record shape', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => (i % 3 ? { id: i, score: i / 7 } : { id: i, score: i / 7, tags: ['x'] }));
    expect(shapeSignature(json(JSON.stringify({ rows })))).toBe('{rows:[{id:num,score:num,tags?:[str]}]}');
  });
});

describe('shapeHash and bodyHash', () => {
  it('shapeHash is 16 hex digits of the signature, equal for equal shapes', () => {
    const h = shapeHash(json('{"a":[1,2],"b":"x"}'));
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(shapeHash(json('{"b":"other","a":[]}'))).not.toBe(h);
    expect(shapeHash(json('{"b":"other","a":[9]}'))).toBe(h);
  });

  it('bodyHash normalises JSON whitespace and key order, but keeps number text', () => {
    const h = bodyHash('{"a":1,"b":[true,null]}');
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(bodyHash(' {\n  "b": [true, null],\n  "a": 1\n}\n')).toBe(h);
    expect(bodyHash('{"a":1.0,"b":[true,null]}')).not.toBe(h);
  });

  it('bodyHash hashes non-JSON text as is', () => {
    expect(bodyHash('not found')).toBe(bodyHash('not found'));
    expect(bodyHash('not found')).not.toBe(bodyHash('not found\n'));
    expect(bodyHash('')).toMatch(/^[0-9a-f]{16}$/);
  });
});
