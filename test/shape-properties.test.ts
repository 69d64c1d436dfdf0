import fc from 'fast-check';
import { LosslessNumber, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { bodyHash, diffJson, parseBody, shapeSignature, type Difference, type JsonValue } from '../src/shape/index.ts';

/** Text of a lossless value (JSON.stringify would write a LosslessNumber as an object). */
function text(value: JsonValue): string {
  return stringify(value) as string;
}

function reparse(body: string): JsonValue {
  const parsed = parseBody(body);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** fast-check values → the lossless form the diff sees in production (numbers as lexemes). */
function lossless(value: unknown): JsonValue {
  return reparse(JSON.stringify(value));
}

const jsonValue = fc.jsonValue({ maxDepth: 4 }).map(lossless);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Same number, other text: `1` → `1.0`, `1.5` → `1.50`, `1e5` → `1E5`. */
function respell(lexeme: string): string {
  if (/^-?\d+$/.test(lexeme)) return `${lexeme}.0`;
  if (/[eE]/.test(lexeme)) return lexeme.replace(/[eE]/, (e) => (e === 'e' ? 'E' : 'e'));
  return `${lexeme}0`;
}

/**
 * The drifts a Go port really introduces, applied at random: renamed key case, dropped keys,
 * nulls, `1` → `1.0`, reordered or shortened arrays, enum re-encodings. Random independent pairs
 * would mostly differ at the root; mutated pairs exercise every class deep in the tree.
 */
function mutate(value: JsonValue, rnd: () => number): JsonValue {
  const roll = rnd();
  if (Array.isArray(value)) {
    const out = value.map((v) => (rnd() < 0.4 ? mutate(v, rnd) : v));
    if (roll < 0.15) out.reverse();
    else if (roll < 0.25) out.pop();
    else if (roll < 0.3 && out.length > 0) out.push(out[0] as JsonValue);
    else if (roll < 0.35) return null;
    return out;
  }
  if (value instanceof LosslessNumber) {
    if (roll < 0.3) return new LosslessNumber(respell(value.value));
    if (roll < 0.4) return String(value.value);
    if (roll < 0.5) return Number.isFinite(Number(value.value) + 1) ? new LosslessNumber(String(Number(value.value) + 1)) : value;
    return value;
  }
  if (typeof value === 'string') return roll < 0.2 ? `${value}!` : roll < 0.3 ? value.toUpperCase() : value;
  if (value === null || typeof value === 'boolean') return roll < 0.2 ? [] : value;
  if (roll < 0.05) return { Variant: value };
  const out: Record<string, JsonValue> = {};
  if (roll < 0.1) out.Kind = 'variant';
  for (const key of Object.keys(value)) {
    const r = rnd();
    const v = value[key] as JsonValue;
    if (r < 0.1) continue;
    const name = r < 0.2 ? key.toUpperCase() : r < 0.25 ? `${key}_x` : key;
    Object.defineProperty(out, name, { value: r < 0.3 ? null : rnd() < 0.5 ? mutate(v, rnd) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const driftedPair = fc.tuple(jsonValue, fc.integer()).map(([a, seed]) => [a, reparse(text(mutate(a, prng(seed))))] as const);

/** serde externally tagged `{"Variant":{…}}` vs a flat Go struct, payload drifted, somewhere in a tree. */
const enumPair = fc
  .tuple(fc.constantFrom('Schema', 'NotFound', 'Range'), fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }), fc.integer(), fc.boolean())
  .map(([variant, payload, seed, nested]) => {
    const flat: Record<string, JsonValue> = { Kind: variant.toLowerCase() };
    const drifted = mutate(payload, prng(seed));
    if (drifted !== null && typeof drifted === 'object' && !Array.isArray(drifted) && !(drifted instanceof LosslessNumber)) {
      for (const k of Object.keys(drifted)) if (k !== 'Kind') Object.defineProperty(flat, k, { value: drifted[k], enumerable: true, writable: true, configurable: true });
    }
    const rust: JsonValue = { [variant]: payload };
    const pair: [JsonValue, JsonValue] = nested ? [{ errors: [rust] }, { errors: [flat] }] : [rust, flat];
    return [reparse(text(pair[0])), reparse(text(pair[1]))] as const;
  });

const mutatedPair = fc.oneof(driftedPair, enumPair);

/** Paired keys are reported under the left key, so compare paths modulo naming convention. */
function foldPath(path: string): string {
  return path.replace(/[_-]/g, '').toLowerCase();
}

const SWAP: Record<string, string> = { 'missing-field': 'extra-field', 'extra-field': 'missing-field' };

/**
 * Array indices are generalised as the report does: once arrays are aligned, a paired element is
 * reported under the left side's index, which differs by direction when elements shifted.
 */
function summary(ds: Difference[], swap: boolean): string[] {
  return ds.map((d) => `${foldPath(d.path).replace(/\/\d+(?=\/|$)/g, '/*')} ${swap ? (SWAP[d.class] ?? d.class) : d.class}`).sort();
}

function shuffleKeys(value: JsonValue, rnd: () => number): JsonValue {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rnd));
  if (value === null || typeof value !== 'object' || value instanceof LosslessNumber) return value;
  const keys = Object.keys(value).sort(() => rnd() - 0.5);
  const out: Record<string, JsonValue> = {};
  for (const k of keys) Object.defineProperty(out, k, { value: shuffleKeys(value[k] as JsonValue, rnd), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Snippets (and the enum summary quoting them) follow the order the service sent keys in. */
function withoutSnippets(ds: Difference[]): unknown[] {
  return ds.map(({ left: _l, right: _r, sub, detail, ...rest }) => ({
    ...rest,
    // These details quote element snippets, which keep the service's key order.
    detail: rest.class === 'enum-encoding' || rest.class === 'array-shape' || rest.class === 'array-order' ? undefined : detail,
    sub: sub && withoutSnippets(sub),
  }));
}

describe('shape properties', () => {
  it('diffJson(a, a) is empty, also against a re-parsed copy', () => {
    fc.assert(
      fc.property(jsonValue, (a) => {
        expect(diffJson(a, a)).toEqual([]);
        expect(diffJson(a, reparse(text(a)))).toEqual([]);
      }),
    );
  });

  it('diffJson(a, b) and diffJson(b, a) report the same paths and classes (missing/extra swapped)', () => {
    fc.assert(
      fc.property(mutatedPair, ([a, b]) => {
        expect(summary(diffJson(b, a), true)).toEqual(summary(diffJson(a, b), false));
      }),
      { numRuns: 300 },
    );
  });

  it('diffJson(a, b) and diffJson(b, a) agree on arbitrary pairs too', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        expect(summary(diffJson(b, a), true)).toEqual(summary(diffJson(a, b), false));
      }),
    );
  });

  it('no difference exactly when the normalised bodies hash equal', () => {
    fc.assert(
      fc.property(mutatedPair, ([a, b]) => {
        const same = bodyHash(text(a)) === bodyHash(text(b));
        expect(diffJson(a, b).length === 0).toBe(same);
      }),
      { numRuns: 300 },
    );
  });

  it('value-only differences never change the shape signature', () => {
    fc.assert(
      fc.property(mutatedPair, ([a, b]) => {
        const ds = diffJson(a, b);
        if (ds.every((d) => d.kind === 'value')) expect(shapeSignature(b)).toBe(shapeSignature(a));
      }),
      { numRuns: 300 },
    );
  });

  it('shapeSignature is invariant to key order', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (a, seed) => {
        expect(shapeSignature(shuffleKeys(a, prng(seed)))).toBe(shapeSignature(a));
      }),
    );
  });

  it('diff never throws and always explains itself, whatever the input and options', () => {
    const options = fc.record(
      {
        unorderedPaths: fc.constantFrom(['/**'], ['/*'], [''], ['/a/**/b', '*']),
        numericTolerance: fc.record({ abs: fc.double({ min: 0, max: 10, noNaN: true }), rel: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] }),
        maxDifferences: fc.nat(50),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.tuple(jsonValue, jsonValue), mutatedPair), options, ([a, b], opts) => {
        const ds = diffJson(a, b, opts);
        expect(ds.length).toBeLessThanOrEqual(opts.maxDifferences ?? 1000);
        for (const d of ds) {
          expect(d.path === '' || d.path.startsWith('/')).toBe(true);
          expect(d.cause).not.toBe('');
          expect(d.hint).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('findings do not depend on key order (snippets keep the order the service sent)', () => {
    fc.assert(
      fc.property(mutatedPair, ([a, b]) => {
        const first = diffJson(a, b);
        expect(withoutSnippets(diffJson(shuffleKeys(a, prng(1)), shuffleKeys(b, prng(2))))).toEqual(withoutSnippets(first));
      }),
      { numRuns: 200 },
    );
  });
});
