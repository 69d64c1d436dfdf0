import { describe, expect, it } from 'vitest';
import { LedgerSchema } from '../src/config/index.ts';
import { LedgerMatcher } from '../src/gate/index.ts';

/** Ledger fields are globs, the class too: `*` any class, `null-vs-*` both null classes; a typo is still an error. */
describe('ledger class globs', () => {
  const ledger = (cls: string) =>
    LedgerSchema.parse({ version: 1, entries: [{ id: 'G-1', service: 'svc', route: '/v1/*', class: cls, path: '/**', status: 'open', note: 'known' }] });
  const label = (cls: string, finding: string) => new LedgerMatcher(ledger(cls)).label({ service: 'svc', method: 'GET', route: '/v1/items', class: finding, path: '/a' }).label;

  it.each([
    ['*', 'key-case', 'known'],
    ['*', 'header', 'known'],
    ['null-vs-*', 'null-vs-empty', 'known'],
    ['null-vs-*', 'null-vs-missing', 'known'],
    ['null-vs-*', 'key-case', 'new'],
    ['header', 'header', 'known'],
    ['call-count', 'call-count', 'known'],
  ])('class %s on a %s finding → %s', (cls, finding, expected) => {
    expect(label(cls, finding)).toBe(expected);
  });

  it('a class that is no class (nor a glob matching one) is refused with the list', () => {
    const r = LedgerSchema.safeParse({ version: 1, entries: [{ id: 'G-1', service: 'svc', class: 'key-cse', status: 'open', note: 'x' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/a finding class \(transport, status, .*\) or a glob matching at least one/);
    expect(LedgerSchema.safeParse({ version: 1, entries: [{ id: 'G-1', service: 'svc', class: 'zzz-*', status: 'open', note: 'x' }] }).success).toBe(false);
  });
});
