import { describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../src/daemons/common/args.ts';
import { applyFaultLatency } from '../src/daemons/common/fault.ts';
import { goValue } from '../src/daemons/common/json-go.ts';
import { serdeF32 } from '../src/daemons/common/json-serde.ts';
import { ArenaIndex } from '../src/daemons/vectord/index-arena.ts';
import { SliceIndex } from '../src/daemons/vectord/index-slices.ts';
import { compareIds, type Metric, type VectorIndex } from '../src/daemons/vectord/model.ts';
import { parseFilter } from '../src/daemons/vectord/filter.ts';
import { parseCreateCollection, parsePointIdSegment, parseSearch, parseUpsert } from '../src/daemons/vectord/requests.ts';
import { VECTORD_ROUTES } from '../src/daemons/vectord/routes.ts';
import {
  createPrng,
  defineVectordWorkload,
  generateFilter,
  generatePoint,
  generateSearch,
  mixRequest,
  setupRequests,
  type VectordWorkload,
} from '../src/daemons/vectord/workload.ts';
import { expectSameTopK, referenceSearch } from './support/vectord-reference.ts';

describe('serde_json f32 layout (ryu format32)', () => {
  it.each([
    [0.8123456789012345, '0.8123457'],
    [1 / 3, '0.33333334'],
    [1, '1.0'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [16777216, '16777216.0'],
    [1e12, '1000000000000.0'],
    [1e13, '1e13'],
    [1.5e-6, '0.0000015'],
    [1e-7, '1e-7'],
    [3.4028234663852886e38, '3.4028235e38'],
    [1.401298464324817e-45, '1e-45'],
    [Number.POSITIVE_INFINITY, 'null'],
  ])('serdeF32(%d) is %s', (value, text) => {
    expect(serdeF32(value)).toBe(text);
  });

  it('always prints the shortest digits that read back as the same f32', () => {
    const prng = createPrng(7);
    for (let i = 0; i < 2_000; i++) {
      const x = Math.fround((prng.next() - 0.5) * 10 ** Math.floor(prng.next() * 20 - 10));
      const text = serdeF32(x);
      expect(Math.fround(Number(text)), text).toBe(x);
      // One digit fewer never round-trips (the shortest property), checked on the significand.
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      expect(digits.length, text).toBeLessThanOrEqual(9);
      if (digits.length > 1) expect(Math.fround(Number(x.toPrecision(digits.length - 1))), text).not.toBe(x);
    }
  });
});

describe('Go any-value marshalling', () => {
  it('sorts map keys, prints float64 shortest, escapes HTML', () => {
    expect(goValue({ tags: ['<b>'], price: 12.5, category: 'books', n: 1e21, nested: { b: 1, a: null } })).toBe(
      '{"category":"books","n":1e+21,"nested":{"a":null,"b":1},"price":12.5,"tags":["\\u003cb\\u003e"]}',
    );
  });
});

describe('point ids', () => {
  it('orders integers first, then strings by code point', () => {
    const ids = ['b', 10, 'a', '\u{1F600}', '\uFFFD', 2, 'aa'];
    expect([...ids].sort(compareIds)).toEqual([2, 10, 'a', 'aa', 'b', '\uFFFD', '\u{1F600}']);
  });

  it('reads a path segment as an integer id when it is all digits', () => {
    expect(parsePointIdSegment('42')).toEqual({ ok: true, value: 42 });
    expect(parsePointIdSegment('p42')).toEqual({ ok: true, value: 'p42' });
    expect(parseUpsert({ points: [{ id: '42', vector: [1] }] }, 1)).toMatchObject({ ok: false, message: expect.stringContaining('all digits') });
  });
});

describe('request validation (shared by both flavours)', () => {
  it.each([
    [{}, 'missing field `dimension`'],
    [{ dimension: 0, metric: 'dot' }, 'dimension must be an integer in [1, 4096]'],
    [{ dimension: 3, metric: 'manhattan' }, 'metric must be one of cosine, dot, l2'],
  ])('create %j → %s', (body, message) => {
    expect(parseCreateCollection(body)).toEqual({ ok: false, message });
  });

  it('names the point and coordinate at fault', () => {
    expect(parseUpsert({ points: [{ id: 1, vector: [1, 2] }, { id: 2, vector: [1] }] }, 2)).toEqual({
      ok: false,
      message: "points[1].vector: dimension 1 does not match the collection's dimension 2",
    });
    expect(parseUpsert({ points: [{ id: 1, vector: [1, 1e39] }] }, 2)).toMatchObject({ message: 'points[0].vector[1] must be a finite number within f32 range' });
  });

  it('parses filters and rejects malformed conditions with their path', () => {
    expect(parseSearch({ vector: [1], filter: { must: [{ key: 'price', range: { gte: 1, lt: 20 } }] } }, 1)).toMatchObject({ ok: true, value: { k: 10, withPayload: false } });
    expect(parseFilter({ must: [{ key: 'a', match: 'x', range: { gt: 1 } }] })).toEqual({ ok: false, message: 'filter.must[0] needs exactly one of `match` or `range`' });
    expect(parseFilter({ should: [] })).toMatchObject({ ok: false, message: expect.stringContaining('unknown field `should`') });
    expect(parseFilter({ must_not: [{ key: 'p', range: { between: 1 } }] })).toMatchObject({ ok: false, message: 'filter.must_not[0].range: unknown bound `between`' });
  });
});

describe('both storage layouts agree with brute force (in process, larger data)', () => {
  const cases: Array<[number, Metric, number]> = [
    [128, 'cosine', 3000],
    [128, 'dot', 3000],
    [128, 'l2', 3000],
    [768, 'cosine', 800],
    [768, 'dot', 800],
    [768, 'l2', 800],
  ];
  it.each(cases)('%i dims, %s, %i points: top-k with and without filters', (dimension, metric, count) => {
    const w = defineVectordWorkload({ seed: dimension * 31 + count, dimension, metric, points: count });
    const points = Array.from({ length: count }, (_, id) => generatePoint(w, id, 0));
    const indexes: Array<[string, VectorIndex, number]> = [
      ['rust', new ArenaIndex(dimension, metric), 1e-4],
      ['go', new SliceIndex(dimension, metric), 1e-9],
    ];
    for (const [, index] of indexes) {
      for (let i = 0; i < count; i += 500) index.upsert(points.slice(i, i + 500));
      expect(index.size).toBe(count);
    }
    for (let q = 0; q < 12; q++) {
      const search = generateSearch({ ...w, filterRatio: q % 2 }, q);
      const k = q % 3 === 0 ? 1 : 25;
      const want = referenceSearch(points, metric, search.vector, k, search.filter);
      for (const [flavour, index, tol] of indexes) {
        const got = index.search(search.vector, k, search.filter && parseFilterOk(search.filter));
        expectSameTopK(`${flavour} q${q}`, got, want, tol);
      }
    }
  });

  it('breaks exact ties by id and keeps working after deletes (swap-remove in the arena)', () => {
    for (const index of [new ArenaIndex(2, 'dot'), new SliceIndex(2, 'dot')]) {
      index.upsert([
        { id: 'b', vector: [1, 0], payload: undefined },
        { id: 7, vector: [1, 0], payload: undefined },
        { id: 'a', vector: [1, 0], payload: undefined },
        { id: 3, vector: [0.5, 0], payload: undefined },
        { id: 1, vector: [1, 0], payload: undefined },
      ]);
      expect(index.search([1, 0], 10, undefined).map((h) => h.id)).toEqual([1, 7, 'a', 'b', 3]);
      expect(index.delete(7)).toBe(true);
      expect(index.delete(7)).toBe(false);
      expect(index.upsert([{ id: 'a', vector: [2, 0], payload: { x: 1 } }])).toEqual({ inserted: 0, updated: 1 });
      expect(index.search([1, 0], 3, undefined)).toEqual([
        { id: 'a', score: 2, payload: { x: 1 } },
        { id: 1, score: 1, payload: undefined },
        { id: 'b', score: 1, payload: undefined },
      ]);
      expect(index.size).toBe(4);
    }
  });
});

describe('seeded workload helpers', () => {
  const w: VectordWorkload = defineVectordWorkload({ seed: 42, dimension: 768, points: 300, batchSize: 50, upsertRatio: 0.2, filterRatio: 0.5 });

  it('is deterministic per (seed, index), independent of what came before', () => {
    expect(mixRequest(w, 17)).toEqual(mixRequest(w, 17));
    const forward = Array.from({ length: 40 }, (_, i) => mixRequest(w, i).body);
    const backward = Array.from({ length: 40 }, (_, i) => mixRequest(w, 39 - i).body).reverse();
    expect(backward).toEqual(forward);
    expect(mixRequest({ ...w, seed: 43 }, 17).body).not.toBe(mixRequest(w, 17).body);
  });

  it('seeds the collection, then mixes upserts and searches at the configured ratio', () => {
    const setup = setupRequests(w);
    expect(setup.map((r) => [r.kind, r.method, r.route, r.expectStatus])[0]).toEqual(['create-collection', 'PUT', VECTORD_ROUTES.collection, 201]);
    expect(setup).toHaveLength(1 + 6);
    expect(JSON.parse(setup[6]!.body).points.map((p: { id: number }) => p.id)).toEqual(Array.from({ length: 50 }, (_, i) => 250 + i));
    const kinds = Array.from({ length: 2_000 }, (_, i) => mixRequest({ ...w, dimension: 16 }, i));
    const upserts = kinds.filter((r) => r.kind === 'upsert');
    expect(upserts.length / kinds.length).toBeCloseTo(0.2, 1);
    expect(new Set(kinds.map((r) => r.route))).toEqual(new Set([VECTORD_ROUTES.points, VECTORD_ROUTES.search]));
    expect(kinds.every((r) => r.path.startsWith('/v1/collections/load/'))).toBe(true);
    const ids = upserts.flatMap((r) => JSON.parse(r.body).points.map((p: { id: number }) => p.id));
    expect(Math.max(...ids)).toBeLessThan(w.points); // overwrites only: the collection keeps its size
    const searches = kinds.filter((r) => r.kind === 'search').map((r) => JSON.parse(r.body));
    expect(searches.filter((s) => s.filter).length / searches.length).toBeCloseTo(0.5, 1);
    expect(searches[0].vector).toHaveLength(16);
    expect(JSON.parse(mixRequest(w, 0).body).vector ?? JSON.parse(mixRequest(w, 0).body).points[0].vector).toHaveLength(768);
  });

  it('generates payloads with category, price and tags, and filters over them', () => {
    const point = generatePoint(w, 5, 0);
    expect(point.payload).toEqual({ category: expect.any(String), price: expect.any(Number), tags: expect.any(Array) });
    const prng = createPrng(1);
    const filters = Array.from({ length: 50 }, () => generateFilter(prng));
    for (const f of filters) expect(parseFilter(f).ok).toBe(true);
    expect(new Set(filters.flatMap((f) => [...(f.must ?? []), ...(f.must_not ?? [])].map((c) => c.key)))).toEqual(new Set(['category', 'price', 'tags']));
  });

  it('rejects bad options naming the field', () => {
    expect(() => defineVectordWorkload({ seed: 1, dimension: 0 })).toThrow(expect.objectContaining({ code: 'GAUNTLET_INPUT_INVALID', facts: { path: 'workload.dimension' } }));
    expect(() => defineVectordWorkload({ seed: 1, upsertRatio: 2 })).toThrow(/workload\.upsertRatio/);
  });
});

describe('fault route', () => {
  it('is read from --fault-route or GAUNTLET_FAULT_ROUTE', () => {
    expect(parseDaemonArgs(['--flavour', 'go', '--fault-route', VECTORD_ROUTES.points], {}).fault).toEqual({ ms: 0, ratio: 1, route: VECTORD_ROUTES.points });
    expect(parseDaemonArgs(['--flavour', 'go'], { GAUNTLET_FAULT_ROUTE: '/healthz' }).fault.route).toBe('/healthz');
    expect(() => parseDaemonArgs(['--flavour', 'go', '--fault-route', 'search'], {})).toThrow(expect.objectContaining({ code: 'GAUNTLET_USAGE' }));
  });

  it('wraps only the routes of the chosen template and refuses one the daemon lacks', () => {
    const handle = async () => ({ status: 200 });
    const routes = [
      { method: 'GET', path: '/a', handle },
      { method: 'PUT', path: '/a', handle },
      { method: 'GET', path: '/b', handle },
    ];
    const wrapped = applyFaultLatency(routes, { ms: 5, ratio: 1 }, '/a');
    expect(wrapped.map((r) => r.handle === handle)).toEqual([false, false, true]);
    expect(() => applyFaultLatency(routes, { ms: 5, ratio: 1, route: '/c' }, '/a')).toThrow(/--fault-route \/c is not a route of this daemon \(routes: \/a, \/b\)/);
  });
});

function parseFilterOk(raw: unknown) {
  const parsed = parseFilter(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}
