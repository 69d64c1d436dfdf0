import { describe, expect, it } from 'vitest';
import { compareBodies, diffJson, parseBody, type DiffOptions, type Difference, type JsonValue } from '../src/shape/index.ts';
import { dialectOf } from '../src/shape/explain.ts';

function json(text: string): JsonValue {
  const parsed = parseBody(text);
  if (!parsed.ok) throw new Error(`${parsed.error}: ${text}`);
  return parsed.value;
}

const diff = (l: string, r: string, opts?: DiffOptions): Difference[] => diffJson(json(l), json(r), opts);
const prose = (ds: Difference[]) => ds.flatMap((d) => [d, ...(d.sub ?? [])]).map((d) => `${d.cause} ${d.hint}`).join('\n');

describe('one difference, one class (issue 12 item 9)', () => {
  // The same float-vs-integer timestamp, with and without a second boundary between the requests.
  const CASES: Array<[string, string]> = [
    ['1795790620', '1795790620.067'],
    ['1795790621', '1795790620.998'],
    ['1795790620', '1795790621.004'],
    ['1795790620067', '1795790620312.5'],
    ['0', '0.3'],
    ['7', '1e3'],
  ];
  for (const [int, frac] of CASES) {
    it(`${int} vs ${frac} is number-repr, whichever side and whatever the values`, () => {
      expect(diff(`{"at":${int}}`, `{"at":${frac}}`).map((d) => d.class)).toEqual(['number-repr']);
      expect(diff(`{"at":${frac}}`, `{"at":${int}}`).map((d) => d.class)).toEqual(['number-repr']);
    });
  }

  it('integers that differ stay value-change (and are left to the volatile detectors)', () => {
    expect(diff('{"at":1795790620}', '{"at":1795790621}').map((d) => d.class)).toEqual(['value-change']);
    expect(diff('{"at":1795790620.5}', '{"at":1795790621.25}').map((d) => d.class)).toEqual(['value-change']);
  });
});

describe('causes only where the evidence supports them (issue 12 item 7)', () => {
  it('null vs a non-zero value is not blamed on Option::None vs a Go zero value', () => {
    const [d] = diff('{"qty":null}', '{"qty":1000}');
    expect(d?.class).toBe('type-change');
    expect(`${d?.cause} ${d?.hint}`).not.toMatch(/Option::None|zero value|pointer/);
  });

  it('null vs the zero value is', () => {
    const [d] = diff('{"qty":null}', '{"qty":0}');
    expect(d?.cause).toMatch(/Option::None` vs a Go zero value/);
  });
});

describe('hints worded for the declared runtimes (issue 12 item 14)', () => {
  it.each([
    [['rust', 'go'], 'rust-go'],
    [['go', 'rust'], 'rust-go'],
    [['vectord-rust', 'vectord-go'], 'rust-go'],
    [['rust', 'golang'], 'rust-go'],
    [['nginx', 'lighttpd'], 'neutral'],
    [['a', 'b'], 'neutral'],
    [['rust', 'rust-canary'], 'neutral'],
    [['google', 'trust'], 'neutral'],
  ] as Array<[[string, string], string]>)('%j → %s', (runtimes, dialect) => {
    expect(dialectOf(runtimes)).toBe(dialect);
  });

  const RUST_GO = /serde|axum|encoding\/json|omitempty|MarshalJSON|Option|Rust|\bGo\b|net\/http|chrono|http\.Error|Vec|slice/;
  // Every class the walker can raise, in one pair of bodies.
  const LEFT = '{"a":null,"b":[],"c":1,"d":"x","e":1.0,"f":[1,2,3],"g":[1,2],"h":{"Schema":{"field":"x"}},"first_name":"n","k":"2025-11-27T14:54:00.120+00:00","m":[{"id":1}],"z":0}';
  const RIGHT = '{"b":null,"c":"1","d":"y","e":1,"f":[1,2],"g":[2,1],"h":{"Kind":"schema","Field":"x"},"firstName":"n","k":"2025-11-27T14:54:00.12Z","m":[{"id":1},{"id":2}],"x":1,"z":null}';

  it('neutral wording for a non-Rust/Go pair, for every class raised', () => {
    const found = diff(LEFT, RIGHT, { runtimes: ['nginx', 'lighttpd'] });
    expect(new Set(found.map((d) => d.class)).size).toBeGreaterThanOrEqual(10);
    expect(prose(found)).not.toMatch(RUST_GO);
  });

  it('Rust/Go wording when they are declared (and when nothing is declared)', () => {
    expect(prose(diff(LEFT, RIGHT, { runtimes: ['rust', 'go'] }))).toMatch(/serde/);
    expect(prose(diff(LEFT, RIGHT))).toMatch(/serde/);
  });

  it('body-level findings too', () => {
    const found = compareBodies({ contentType: 'text/plain', text: 'a' }, { contentType: 'application/json', text: 'a\n' }, { runtimes: ['nginx', 'lighttpd'] });
    expect(found.map((d) => d.class)).toEqual(['content-type', 'text-change']);
    expect(prose(found)).not.toMatch(RUST_GO);
  });
});
