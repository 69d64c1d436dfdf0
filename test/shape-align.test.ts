import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { myersPairs } from '../src/shape/align.ts';
import { diffJson, parseBody, type DiffClass, type DiffOptions, type Difference, type JsonValue } from '../src/shape/index.ts';

function json(text: string): JsonValue {
  const parsed = parseBody(text);
  if (!parsed.ok) throw new Error(`${parsed.error}: ${text}`);
  return parsed.value;
}

const diff = (l: unknown, r: unknown, opts?: DiffOptions) => diffJson(json(JSON.stringify(l)), json(JSON.stringify(r)), opts);
const diffText = (l: string, r: string, opts?: DiffOptions) => diffJson(json(l), json(r), opts);
const classesAndPaths = (ds: Difference[]): Array<[DiffClass, string]> => ds.map((d) => [d.class, d.path]);
const subOf = (d: Difference | undefined) => (d?.sub ?? []).map((s) => [s.class, s.path, s.left ?? s.right]);

interface Case {
  name: string;
  left: string;
  right: string;
  opts?: DiffOptions;
  expect: Array<[DiffClass, string]>;
  detail?: RegExp;
  /** missing-element / extra-element sub-findings of the first finding */
  members?: Array<[string, string, string | undefined]>;
}

/** Issue 12 items 3 and 4: arrays are aligned, not diffed index by index. Each case failed before. */
const CASES: Case[] = [
  {
    name: 'sorted list with two elements dropped and one added: one array-shape naming them, no value-change',
    left: '{"ids":[1,2,3,4,5,6,7,8,9,10]}',
    right: '{"ids":[1,2,4,5,6,7,9,10,11]}',
    expect: [['array-shape', '/ids']],
    detail: /^length 10 vs 9; missing \/ids\/2 3, \/ids\/7 8; extra \/ids\/8 11$/,
    members: [
      ['missing-element', '/ids/2', '3'],
      ['missing-element', '/ids/7', '8'],
      ['extra-element', '/ids/8', '11'],
    ],
  },
  {
    name: 'an inserted record does not turn every later record into a value change',
    left: '{"rows":[{"id":"a","n":1},{"id":"b","n":2},{"id":"c","n":3}]}',
    right: '{"rows":[{"id":"0","n":0},{"id":"a","n":1},{"id":"b","n":2},{"id":"c","n":3}]}',
    expect: [['array-shape', '/rows']],
    detail: /extra \/rows\/0 \{"id":"0","n":0\}/,
  },
  {
    name: 'same length, shifted by one at each end: missing and extra, not a value change per index',
    left: '{"w":["a","b","c","d"]}',
    right: '{"w":["b","c","d","e"]}',
    expect: [['array-shape', '/w']],
    detail: /^missing \/w\/0 "a"; extra \/w\/3 "e"$/,
  },
  {
    name: 'elements changed in place are still diffed in place',
    left: '{"p":[1,2,3]}',
    right: '{"p":[1,5,3]}',
    expect: [['value-change', '/p/1']],
  },
  {
    name: 'a list built from a map: another order and re-encoded elements → array-order plus the re-encoding',
    left: '{"rows":[{"k":"a","v":1.0},{"k":"b","v":2.0},{"k":"c","v":3.0}]}',
    right: '{"rows":[{"k":"c","v":3},{"k":"a","v":1},{"k":"b","v":2}]}',
    expect: [
      ['array-order', '/rows'],
      ['number-repr', '/rows/0/v'],
      ['number-repr', '/rows/1/v'],
      ['number-repr', '/rows/2/v'],
    ],
  },
  {
    name: 'keys renamed in the elements (key-case) do not hide the order difference',
    left: '{"u":[{"first_name":"a"},{"first_name":"b"}]}',
    right: '{"u":[{"firstName":"b"},{"firstName":"a"}]}',
    expect: [
      ['array-order', '/u'],
      ['key-case', '/u/0'],
      ['key-case', '/u/1'],
    ],
  },
  {
    name: 'a moved element among dropped ones: array-order and array-shape',
    left: '{"x":[1,2,3,4]}',
    right: '{"x":[4,1,2]}',
    expect: [
      ['array-shape', '/x'],
      ['array-order', '/x'],
    ],
    detail: /^length 4 vs 3; missing \/x\/2 3$/,
  },
  {
    name: 'unordered: re-encoded elements in another order are accepted; the re-encoding is reported',
    left: '{"m":[{"id":1,"w":1.0},{"id":2,"w":2.0}]}',
    right: '{"m":[{"id":2,"w":2},{"id":1,"w":1}]}',
    opts: { unorderedPaths: ['/m'] },
    expect: [
      ['number-repr', '/m/0/w'],
      ['number-repr', '/m/1/w'],
    ],
  },
  {
    name: 'unordered: a changed record is paired with its best structural match, not an arbitrary leftover',
    left: '{"m":[{"id":1,"name":"a","qty":1},{"id":2,"name":"b","qty":2}]}',
    right: '{"m":[{"id":3,"name":"z","qty":9},{"id":1,"name":"a","qty":5}]}',
    opts: { unorderedPaths: ['/m'] },
    expect: [
      ['array-shape', '/m'],
      ['value-change', '/m/0/qty'],
    ],
    members: [
      ['missing-element', '/m/1', '{"id":2,"name":"b","qty":2}'],
      ['extra-element', '/m/0', '{"id":3,"name":"z","qty":9}'],
    ],
  },
  {
    name: 'unordered: the same multiset is no difference',
    left: '{"m":[3,1,2,2]}',
    right: '{"m":[2,3,2,1]}',
    opts: { unorderedPaths: ['/m'] },
    expect: [],
  },
];

describe('array alignment (issue 12 items 3, 4)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const found = diffText(c.left, c.right, c.opts);
      expect(classesAndPaths(found)).toEqual(c.expect);
      if (c.detail) expect(found[0]?.detail).toMatch(c.detail);
      if (c.members) expect(subOf(found[0])).toEqual(c.members);
    });
  }

  it('calibration-unstable order is said so in the finding', () => {
    const [d] = diff({ t: ['a', 'b', 'c'] }, { t: ['c', 'a', 'b'] }, { unstableOrderPaths: ['/t'] });
    expect(d?.class).toBe('array-order');
    expect(d?.detail).toMatch(/unstable between identical requests/);
    expect(`${d?.cause} ${d?.hint}`).toMatch(/changes between identical requests/);
  });

  it('a huge array with many edits falls back to an approximate alignment, bounded, and says so', () => {
    const left = Array.from({ length: 20_000 }, (_, i) => i);
    const right = left.map((v) => (v % 7 === 0 ? -v - 1 : v)).filter((v) => v % 11 !== 0);
    const t0 = performance.now();
    const found = diff({ big: left }, { big: right });
    expect(performance.now() - t0).toBeLessThan(5000);
    const shape = found.find((d) => d.class === 'array-shape');
    expect(shape?.detail).toMatch(/approximate alignment/);
    expect(found.filter((d) => d.class === 'value-change')).toEqual([]);
  });

  it('myersPairs gives a longest common subsequence', () => {
    const on = (a: number[], b: number[], maxD: number) => myersPairs(a.length, b.length, (i, j) => a[i] === b[j], maxD);
    const pairs = on([1, 2, 3, 4, 5], [2, 9, 4, 5, 6], 20);
    expect(pairs).toEqual([
      [1, 0],
      [3, 2],
      [4, 3],
    ]);
    expect(on([1, 2, 3], [4, 5, 6], 2)).toBeUndefined();
  });
});

/** Distinct sorted integers, and a set of extra values not among them. */
const sortedWithExtras = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 0, maxLength: 60 }), fc.uniqueArray(fc.integer({ min: 10_001, max: 20_000 }), { maxLength: 8 }), fc.integer())
  .map(([base, extra, seed]) => {
    const list = [...base].sort((a, b) => a - b);
    const withExtra = [...list];
    let s = seed >>> 0;
    for (const x of extra) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      withExtra.splice(s % (withExtra.length + 1), 0, x);
    }
    return { list, withExtra, k: extra.length };
  });

const membersOf = (ds: Difference[], cls: 'missing-element' | 'extra-element') => ds.flatMap((d) => (d.sub ?? []).filter((s) => s.class === cls));

describe('alignment properties', () => {
  it('a list against itself with k insertions reports exactly k extra elements and no value-change', () => {
    fc.assert(
      fc.property(sortedWithExtras, ({ list, withExtra, k }) => {
        const found = diff({ xs: list }, { xs: withExtra });
        expect(found.filter((d) => d.class !== 'array-shape')).toEqual([]);
        expect(membersOf(found, 'extra-element')).toHaveLength(k);
        expect(membersOf(found, 'missing-element')).toHaveLength(0);
      }),
      { numRuns: 200 },
    );
  });

  it('missing and extra are symmetric: swapping the sides swaps them, with the same elements', () => {
    fc.assert(
      fc.property(sortedWithExtras, fc.integer({ min: 0, max: 5 }), ({ list, withExtra }, drop) => {
        const right = withExtra.filter((_, i) => i % 7 !== drop);
        const forward = diff({ xs: list }, { xs: right });
        const backward = diff({ xs: right }, { xs: list });
        const values = (ds: Difference[], cls: 'missing-element' | 'extra-element') => membersOf(ds, cls).map((d) => d.left ?? d.right).sort();
        expect(values(forward, 'missing-element')).toEqual(values(backward, 'extra-element'));
        expect(values(forward, 'extra-element')).toEqual(values(backward, 'missing-element'));
        expect(forward.map((d) => d.class)).toEqual(backward.map((d) => d.class));
      }),
      { numRuns: 200 },
    );
  });

  it('a permutation of distinct elements is one array-order (ordered) and nothing (unordered)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 2, maxLength: 30 }), fc.integer(), (xs, seed) => {
        const ys = [...xs].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7) || (a < b ? 1 : -1));
        const ordered = diff({ xs }, { xs: ys });
        if (ys.every((y, i) => y === xs[i])) expect(ordered).toEqual([]);
        else expect(classesAndPaths(ordered)).toEqual([['array-order', '/xs']]);
        expect(diff({ xs }, { xs: ys }, { unorderedPaths: ['/xs'] })).toEqual([]);
      }),
    );
  });
});
