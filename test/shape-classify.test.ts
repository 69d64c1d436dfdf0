import { describe, expect, it } from 'vitest';
import { diffJson, parseBody, type DiffClass, type DiffOptions, type Difference, type JsonValue } from '../src/shape/index.ts';

function json(text: string): JsonValue {
  const parsed = parseBody(text);
  if (!parsed.ok) throw new Error(`${parsed.error}: ${text}`);
  return parsed.value;
}

function diff(rust: string, go: string, opts?: DiffOptions): Difference[] {
  return diffJson(json(rust), json(go), opts);
}

/** Failures name the pair and show what was found, not just a length mismatch. */
function classesAndPaths(ds: Difference[]): Array<[DiffClass, string]> {
  return ds.map((d) => [d.class, d.path]);
}

const SHAPE: ReadonlySet<DiffClass> = new Set(['enum-encoding', 'key-case', 'null-vs-missing', 'null-vs-empty', 'type-change', 'missing-field', 'extra-field', 'array-shape']);

interface Case {
  name: string;
  /** serde_json output */
  rust: string;
  /** encoding/json output */
  go: string;
  expect: Array<[DiffClass, string]>;
  opts?: DiffOptions;
  /** a fragment each of cause+hint (joined) must contain, for the first finding */
  explains?: RegExp;
  detail?: RegExp;
}

const CASES: Case[] = [
  // enum-encoding
  {
    name: 'seed: serde externally tagged vs Go flat struct without json tags',
    rust: '{"Schema":{"field":"x","reason":"y"}}',
    go: '{"Kind":"schema","Field":"x","Reason":"y"}',
    expect: [['enum-encoding', '']],
    explains: /externally tagged[\s\S]*MarshalJSON[\s\S]*serde\(tag = "Kind"/,
    detail: /key-case: field→Field, reason→Reason/,
  },
  {
    name: 'seed wrapped in the validation envelope',
    rust: '{"valid":false,"errors":[{"Schema":{"field":"x","reason":"y"}}]}',
    go: '{"valid":false,"errors":[{"Kind":"schema","Field":"x","Reason":"y"}]}',
    expect: [['enum-encoding', '/errors/0']],
    detail: /key-case: field→Field, reason→Reason/,
  },
  {
    name: 'enum payload with float lexeme and a field Go does not have',
    rust: '{"Range":{"field":"qty","min":0.0,"max":100,"hint":"use 0..100"}}',
    go: '{"Kind":"range","Field":"qty","Min":0,"Max":100}',
    expect: [['enum-encoding', '']],
    detail: /key-case: field→Field, max→Max, min→Min; missing-field: hint; number-repr: min 0\.0→0/,
  },
  {
    name: 'internally tagged (#[serde(tag = "kind")]) vs externally tagged',
    rust: '{"kind":"Schema","field":"x"}',
    go: '{"Schema":{"field":"x"}}',
    expect: [['enum-encoding', '']],
    explains: /"kind" discriminator/,
  },
  {
    name: 'adjacently tagged (t/c) vs externally tagged',
    rust: '{"t":"Schema","c":{"field":"x"}}',
    go: '{"Schema":{"field":"x"}}',
    expect: [['enum-encoding', '']],
    explains: /adjacently tagged/,
  },
  {
    name: 'adjacently tagged (type/content) vs flat',
    rust: '{"type":"not_found","content":{"id":7}}',
    go: '{"type":"not_found","id":7}',
    expect: [['enum-encoding', '']],
  },
  {
    name: 'unit variant string vs Go struct with Kind',
    rust: '{"errors":["Schema"]}',
    go: '{"errors":[{"Kind":"schema"}]}',
    expect: [['enum-encoding', '/errors/0']],
  },
  {
    name: 'unit variant NotFound vs snake_case kind',
    rust: '"NotFound"',
    go: '{"kind":"not_found"}',
    expect: [['enum-encoding', '']],
    explains: /rename_all = "snake_case"/,
  },
  {
    name: 'SCREAMING variant name in the discriminator',
    rust: '{"Schema":{"field":"x"}}',
    go: '{"type":"SCHEMA","field":"x"}',
    expect: [['enum-encoding', '']],
    explains: /SCREAMING_SNAKE_CASE/,
  },
  {
    name: 'same encoding on both sides is key-case, not enum-encoding',
    rust: '{"kind":"schema","field":"x"}',
    go: '{"Kind":"schema","Field":"x"}',
    expect: [['key-case', '']],
  },
  // key-case
  {
    name: 'Go exported field names',
    rust: '{"field":"x","reason":"y"}',
    go: '{"Field":"x","Reason":"y"}',
    expect: [['key-case', '']],
    detail: /^field→Field, reason→Reason$/,
    explains: /exported Go field name[\s\S]*json:"field"/,
  },
  {
    name: 'snake_case vs camelCase',
    rust: '{"dataset":{"created_at":"2025-11-27T14:54:00Z","row_count":3}}',
    go: '{"dataset":{"createdAt":"2025-11-27T14:54:00Z","rowCount":3}}',
    expect: [['key-case', '/dataset']],
    detail: /created_at→createdAt, row_count→rowCount/,
    explains: /rename_all = "camelCase"/,
  },
  {
    name: 'paired keys keep being diffed under the left key',
    rust: '{"user_id":7}',
    go: '{"UserID":"7"}',
    expect: [
      ['key-case', ''],
      ['type-change', '/user_id'],
    ],
  },
  // null-vs-missing / null-vs-empty
  {
    name: 'Option without skip_serializing_if vs omitempty',
    rust: '{"id":1,"deleted_at":null}',
    go: '{"id":1}',
    expect: [['null-vs-missing', '/deleted_at']],
    explains: /skip_serializing_if/,
  },
  {
    name: 'Go nil pointer without omitempty vs serde skip',
    rust: '{"id":1}',
    go: '{"id":1,"parent":null}',
    expect: [['null-vs-missing', '/parent']],
  },
  {
    name: 'Go nil slice',
    rust: '{"warnings":[]}',
    go: '{"warnings":null}',
    expect: [['null-vs-empty', '/warnings']],
    explains: /nil slice/,
  },
  {
    name: 'Go nil map',
    rust: '{"labels":{}}',
    go: '{"labels":null}',
    expect: [['null-vs-empty', '/labels']],
  },
  // type-change
  {
    name: 'number as string (json:",string")',
    rust: '{"id":9007199254740993}',
    go: '{"id":"9007199254740993"}',
    expect: [['type-change', '/id']],
    explains: /,string[\s\S]*serde\(with/,
  },
  {
    name: 'Vec<u8> vs []byte',
    rust: '{"digest":[1,2,3]}',
    go: '{"digest":"AQID"}',
    expect: [['type-change', '/digest']],
    explains: /base64/,
  },
  {
    name: 'Option::None vs Go zero value',
    rust: '{"note":null}',
    go: '{"note":""}',
    expect: [['type-change', '/note']],
    explains: /zero value/,
  },
  {
    name: 'tuple vs struct',
    rust: '{"range":[0,10]}',
    go: '{"range":{"Lo":0,"Hi":10}}',
    expect: [['type-change', '/range']],
    explains: /tuple/,
  },
  // missing-field / extra-field
  {
    name: 'field only in the Rust struct',
    rust: '{"id":1,"etag":"abc"}',
    go: '{"id":1}',
    expect: [['missing-field', '/etag']],
  },
  {
    name: 'Go emits a zero value serde skips',
    rust: '{"id":1}',
    go: '{"id":1,"retries":0}',
    expect: [['extra-field', '/retries']],
    explains: /omitempty/,
  },
  // array-shape
  {
    name: 'different page size',
    rust: '{"items":[1,2,3]}',
    go: '{"items":[1,2]}',
    expect: [['array-shape', '/items']],
    detail: /length 3 vs 2/,
  },
  {
    // Arrays are aligned, not diffed index by index: {id:5} shares no field with {id:2} or {id:3}.
    name: 'length difference names the missing and extra elements',
    rust: '{"items":[{"id":1},{"id":2},{"id":3}]}',
    go: '{"items":[{"id":1},{"id":5}]}',
    expect: [['array-shape', '/items']],
    detail: /length 3 vs 2; missing \/items\/1 \{"id":2\}, \/items\/2 \{"id":3\}; extra \/items\/1 \{"id":5\}/,
  },
  {
    name: 'a record that changed next to an inserted one is still diffed as that record',
    rust: '{"items":[{"id":1,"qty":1},{"id":2,"qty":2}]}',
    go: '{"items":[{"id":1,"qty":1},{"id":9,"qty":9},{"id":2,"qty":2.5}]}',
    expect: [
      ['array-shape', '/items'],
      ['number-repr', '/items/1/qty'],
    ],
    detail: /length 2 vs 3; extra \/items\/1 \{"id":9,"qty":9\}/,
  },
  {
    name: 'element type change',
    rust: '{"ids":[1,2]}',
    go: '{"ids":["1","2"]}',
    expect: [
      ['array-shape', '/ids'],
      ['type-change', '/ids/0'],
      ['type-change', '/ids/1'],
    ],
    detail: /elements number vs string/,
  },
  // number-repr
  {
    name: 'serde f64 1.0 vs Go float64 1',
    rust: '{"ratio":1.0}',
    go: '{"ratio":1}',
    expect: [['number-repr', '/ratio']],
    explains: /1\.0/,
  },
  {
    name: 'exponent forms',
    rust: '{"big":1e21,"n":1e3}',
    go: '{"big":1e+21,"n":1000}',
    expect: [
      ['number-repr', '/big'],
      ['number-repr', '/n'],
    ],
  },
  {
    name: 'epoch seconds vs float seconds',
    rust: '{"started_at":1795790620}',
    go: '{"started_at":1795790620.067}',
    expect: [['number-repr', '/started_at']],
    explains: /as_secs/,
  },
  // value-change
  {
    name: 'plain string change',
    rust: '{"status":"active"}',
    go: '{"status":"disabled"}',
    expect: [['value-change', '/status']],
  },
  {
    // One difference, one class (issue 12 item 9): integer vs fraction lexeme is the class.
    name: 'zero vs a fraction is a representation difference whose values differ too',
    rust: '{"score":0}',
    go: '{"score":0.3}',
    expect: [['number-repr', '/score']],
    explains: /values differ beyond truncation/,
  },
  {
    name: 'float32 widening',
    rust: '{"score":0.1}',
    go: '{"score":0.10000000149011612}',
    expect: [['value-change', '/score']],
    explains: /float32/,
  },
  {
    name: 'same instant, different RFC 3339 text',
    rust: '{"created_at":"2025-11-27T14:54:00.120+00:00"}',
    go: '{"created_at":"2025-11-27T14:54:00.12Z"}',
    expect: [['value-change', '/created_at']],
    explains: /same instant/,
  },
  {
    name: 'enum variant name casing in a string field',
    rust: '{"state":"NotFound"}',
    go: '{"state":"not_found"}',
    expect: [['value-change', '/state']],
    explains: /rename_all/,
  },
  {
    name: 'boolean',
    rust: '{"valid":true}',
    go: '{"valid":false}',
    expect: [['value-change', '/valid']],
  },
  // array-order
  {
    name: 'HashSet iteration order',
    rust: '{"tags":["a","b","c"]}',
    go: '{"tags":["c","a","b"]}',
    expect: [['array-order', '/tags']],
    explains: /map iteration/,
  },
  {
    name: 'unordered path: same multiset is no difference',
    rust: '{"tags":["a","b","c"]}',
    go: '{"tags":["c","a","b"]}',
    opts: { unorderedPaths: ['/tags'] },
    expect: [],
  },
  {
    name: 'unordered glob with ** and *',
    rust: '{"hits":[{"meta":{"tags":["a","b"]}},{"meta":{"tags":["x","y"]}}]}',
    go: '{"hits":[{"meta":{"tags":["b","a"]}},{"meta":{"tags":["y","x"]}}]}',
    opts: { unorderedPaths: ['/hits/*/meta/tags'] },
    expect: [],
  },
  {
    name: 'unordered path still reports real changes under the left index',
    rust: '{"hits":[{"id":1,"score":0.5},{"id":2,"score":0.7}]}',
    go: '{"hits":[{"id":2,"score":0.7},{"id":1,"score":0.4}]}',
    opts: { unorderedPaths: ['/**/hits'] },
    expect: [['value-change', '/hits/0/score']],
  },
  // numeric tolerance
  {
    name: 'absolute tolerance absorbs float noise',
    rust: '{"p99":12.5}',
    go: '{"p99":12.6}',
    opts: { numericTolerance: { abs: 0.2 } },
    expect: [],
  },
  {
    name: 'relative tolerance too tight',
    rust: '{"p99":12.5}',
    go: '{"p99":12.6}',
    opts: { numericTolerance: { rel: 0.001 } },
    expect: [['value-change', '/p99']],
  },
  {
    name: 'relative tolerance wide enough',
    rust: '{"p99":12.5}',
    go: '{"p99":12.6}',
    opts: { numericTolerance: { rel: 0.01 } },
    expect: [],
  },
];

describe('diffJson classification (Rust serde vs Go encoding/json)', () => {
  it.each(CASES)('$name', ({ rust, go, expect: want, opts, explains, detail }) => {
    const found = diff(rust, go, opts);
    expect(classesAndPaths(found)).toEqual(want);
    for (const d of found) {
      expect(d.kind, `${d.class} at ${d.path}`).toBe(SHAPE.has(d.class) ? 'shape' : 'value');
      expect(d.cause.length, `${d.class} cause`).toBeGreaterThan(20);
      expect(d.hint.length, `${d.class} hint`).toBeGreaterThan(20);
    }
    const first = found[0];
    if (explains) expect(`${first?.cause}\n${first?.hint}`).toMatch(explains);
    if (detail) expect(first?.detail).toMatch(detail);
  });

  it('reports enum-encoding with the finer differences in sub, and nothing else at that path', () => {
    const [d, ...rest] = diff('{"valid":false,"errors":[{"Schema":{"field":"x","reason":"y"}}]}', '{"valid":false,"errors":[{"Kind":"schema","Field":"x","Reason":"y"}]}');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      kind: 'shape',
      class: 'enum-encoding',
      path: '/errors/0',
      left: '{"Schema":{"field":"x","reason":"y"}}',
      right: '{"Kind":"schema","Field":"x","Reason":"y"}',
    });
    expect(d?.cause).toMatch(/Rust serde externally tagged enum vs|externally tagged enum .* vs Go struct with exported fields/);
    expect(d?.sub?.map((s) => [s.class, s.path, s.detail])).toEqual([['key-case', '/errors/0/Schema', 'field→Field, reason→Reason']]);
  });

  it('snippets: present side only, compact, capped with an ellipsis', () => {
    const long = JSON.stringify({ blob: 'x'.repeat(500) });
    const [missing] = diff(`{"a":${long}}`, '{}');
    expect(missing).toMatchObject({ class: 'missing-field', path: '/a' });
    expect(missing?.right).toBeUndefined();
    expect(missing?.left?.length).toBe(200);
    expect(missing?.left?.endsWith('…')).toBe(true);
  });

  it('escapes "/" and "~" in JSON Pointer paths', () => {
    const found = diff('{"a/b":{"m~n":1,"~/":true}}', '{"a/b":{"m~n":2,"~/":false}}');
    expect(found.map((d) => d.path)).toEqual(['/a~1b/m~0n', '/a~1b/~0~1']);
  });

  it('orders by path (indices numerically), then class', () => {
    const left = { items: Array.from({ length: 12 }, (_, i) => i) };
    const right = { items: left.items.map((v) => (v === 2 || v === 10 ? v + 100 : v)), extra: 1, aaa: null };
    const found = diff(JSON.stringify(left), JSON.stringify(right));
    expect(classesAndPaths(found)).toEqual([
      ['null-vs-missing', '/aaa'],
      ['extra-field', '/extra'],
      ['value-change', '/items/2'],
      ['value-change', '/items/10'],
    ]);
  });

  it('maxDifferences keeps the first N in output order', () => {
    const left = JSON.stringify({ b: 1, a: 1, c: [1, 2, 3] });
    const right = JSON.stringify({ c: [3, 4, 5], a: 2, b: 2 });
    expect(classesAndPaths(diff(left, right, { maxDifferences: 2 }))).toEqual([
      ['value-change', '/a'],
      ['value-change', '/b'],
    ]);
    expect(diff(left, right, { maxDifferences: 0 })).toEqual([]);
  });

  it('is deterministic regardless of key order', () => {
    const a = diff('{"x":1,"y":{"p":[1,2],"q":"s"},"z":null}', '{"z":0,"y":{"q":"t","p":[2,1]},"x":1.0}');
    const b = diff('{"z":null,"y":{"q":"s","p":[1,2]},"x":1}', '{"x":1.0,"y":{"p":[2,1],"q":"t"},"z":0}');
    expect(a).toEqual(b);
  });

  it('pairs many renamed keys the same way from either side', () => {
    const snake = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field_name_${i}`, i]));
    const camel = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`fieldName${i}`, i === 3 ? 'x' : i]));
    const [forward, ...rest] = diff(JSON.stringify(snake), JSON.stringify(camel));
    expect(forward?.class).toBe('key-case');
    expect(forward?.detail?.split(', ')).toHaveLength(12);
    expect(classesAndPaths(rest)).toEqual([['type-change', '/field_name_3']]);
    const [backward] = diff(JSON.stringify(camel), JSON.stringify(snake));
    const flip = (detail?: string) => detail?.split(', ').map((p) => p.split('→').reverse().join('→')).sort();
    expect(flip(backward?.detail)).toEqual(forward?.detail?.split(', ').sort());
  });

  it('unordered arrays of different length report the length and which elements are missing/extra', () => {
    const found = diff('{"ids":[3,1,2]}', '{"ids":[2,3,5,7]}', { unorderedPaths: ['ids'] });
    // Multiset matching never pairs arbitrary leftovers (1 with 5) as a value change.
    expect(classesAndPaths(found)).toEqual([['array-shape', '/ids']]);
    expect(found[0]?.detail).toBe('length 3 vs 4; missing /ids/1 1; extra /ids/2 5, /ids/3 7');
    expect(found[0]?.sub?.map((d) => [d.class, d.path])).toEqual([
      ['missing-element', '/ids/1'],
      ['extra-element', '/ids/2'],
      ['extra-element', '/ids/3'],
    ]);
  });

  it('handles keys that live on Object.prototype', () => {
    expect(classesAndPaths(diff('{"constructor":1,"__proto__":{"a":1}}', '{"toString":1,"__proto__":{"a":2}}'))).toEqual([
      ['value-change', '/__proto__/a'],
      ['missing-field', '/constructor'],
      ['extra-field', '/toString'],
    ]);
  });
});
