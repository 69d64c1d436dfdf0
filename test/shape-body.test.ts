import { describe, expect, it } from 'vitest';
import { compareBodies } from '../src/shape/index.ts';

describe('compareBodies', () => {
  it('diffs JSON structurally when both bodies parse', () => {
    const found = compareBodies(
      { contentType: 'application/json', text: '{"Schema":{"field":"x","reason":"y"}}' },
      { contentType: 'application/json', text: '{"Kind": "schema", "Field": "x", "Reason": "y"}\n' },
    );
    expect(found.map((d) => [d.kind, d.class, d.path])).toEqual([['shape', 'enum-encoding', '']]);
  });

  it('reports a content-type mismatch once, by media type essence', () => {
    const found = compareBodies(
      { contentType: 'application/json', text: '{"ok":true}' },
      { contentType: 'text/plain; charset=utf-8', text: '{"ok":true}' },
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'body', class: 'content-type', path: '', left: 'application/json', right: 'text/plain; charset=utf-8' });
    expect(found[0]?.cause).toMatch(/sniffs/);
  });

  it('ignores content-type parameters', () => {
    expect(compareBodies({ contentType: 'application/json', text: '1' }, { contentType: 'Application/JSON; charset=utf-8', text: '1' })).toEqual([]);
  });

  it('reports a missing content-type', () => {
    const [d] = compareBodies({ contentType: 'application/json', text: '' }, { text: '' });
    expect(d).toMatchObject({ class: 'content-type', left: 'application/json' });
    expect(d?.right).toBeUndefined();
  });

  it('compares non-JSON text and points at the first differing offset', () => {
    const found = compareBodies({ contentType: 'text/plain', text: 'dataset orders: not found' }, { contentType: 'text/plain', text: 'dataset orders: no such dataset' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'body', class: 'text-change', path: '', left: '"dataset orders: not found"', right: '"dataset orders: no such dataset"' });
    expect(found[0]?.detail).toMatch(/offset 18 \(line 1\); lengths 25 vs 31/);
  });

  it('shows only a window around the difference in long text', () => {
    const prefix = 'a'.repeat(1000);
    const [d] = compareBodies({ text: `${prefix}X${'b'.repeat(1000)}` }, { text: `${prefix}Y${'b'.repeat(1000)}` });
    expect(d?.left?.startsWith('"…')).toBe(true);
    expect(d?.left?.endsWith('…"')).toBe(true);
    expect(d?.left).toContain('aX');
    expect(d?.left?.length).toBeLessThan(100);
  });

  it('explains a Go trailing newline', () => {
    const [d] = compareBodies({ contentType: 'text/plain', text: 'forbidden' }, { contentType: 'text/plain', text: 'forbidden\n' });
    expect(d).toMatchObject({ class: 'text-change', right: '"forbidden\\n"' });
    expect(d?.cause).toMatch(/newline/);
  });

  it('JSON on one side, plain text on the other', () => {
    const found = compareBodies(
      { contentType: 'application/json', text: '{"error":"dataset not found"}' },
      { contentType: 'text/plain; charset=utf-8', text: 'dataset not found\n' },
    );
    expect(found.map((d) => d.class)).toEqual(['content-type', 'text-change']);
    expect(found[1]?.cause).toMatch(/only the left body is JSON/);
  });

  it('says so when a body declared as JSON does not parse', () => {
    const [d] = compareBodies({ contentType: 'application/json', text: '{"rows":[1,2' }, { contentType: 'application/json', text: '{"rows":[1,' });
    expect(d).toMatchObject({ class: 'text-change', path: '' });
    expect(d?.cause).toMatch(/neither body parses/);
  });

  it('equal text is no difference; maxDifferences applies to the whole list', () => {
    expect(compareBodies({ text: 'ok' }, { text: 'ok' })).toEqual([]);
    const found = compareBodies({ contentType: 'application/json', text: '{"a":1,"b":2}' }, { contentType: 'text/json', text: '{"a":2,"b":3}' }, { maxDifferences: 2 });
    expect(found.map((d) => [d.class, d.path])).toEqual([
      ['content-type', ''],
      ['value-change', '/a'],
    ]);
  });
});
