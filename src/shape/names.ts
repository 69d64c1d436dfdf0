/**
 * Name matching across naming conventions: serde keeps Rust's snake_case unless told otherwise,
 * encoding/json uses the exported (PascalCase) Go field name unless a json tag says otherwise.
 */

/** `created_at`, `createdAt`, `CreatedAt`, `created-at` and `CREATED_AT` all become `createdat`. */
export function foldName(name: string): string {
  return name.replace(/[_-]/g, '').toLowerCase();
}

export type CaseStyle =
  | 'lowercase'
  | 'UPPERCASE'
  | 'snake_case'
  | 'SCREAMING_SNAKE_CASE'
  | 'kebab-case'
  | 'camelCase'
  | 'PascalCase'
  | 'mixed';

export function caseStyleOf(name: string): CaseStyle {
  if (/^[a-z0-9]+$/.test(name)) return 'lowercase';
  if (/^[A-Z0-9]+$/.test(name)) return 'UPPERCASE';
  if (/^[a-z0-9]+(?:_[a-z0-9]+)+$/.test(name)) return 'snake_case';
  if (/^[A-Z0-9]+(?:_[A-Z0-9]+)+$/.test(name)) return 'SCREAMING_SNAKE_CASE';
  if (/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(name)) return 'kebab-case';
  if (/^[a-z][a-zA-Z0-9]*$/.test(name)) return 'camelCase';
  if (/^[A-Z][a-zA-Z0-9]*$/.test(name)) return 'PascalCase';
  return 'mixed';
}

/**
 * The serde `rename_all` value that turns a PascalCase Rust identifier into `name`; a single
 * lowercase word is reported as snake_case since that is what a multi-word variant would need.
 */
export function serdeRenameAllFor(name: string): string | undefined {
  switch (caseStyleOf(name)) {
    case 'lowercase':
    case 'snake_case':
      return 'snake_case';
    case 'UPPERCASE':
    case 'SCREAMING_SNAKE_CASE':
      return 'SCREAMING_SNAKE_CASE';
    case 'kebab-case':
      return 'kebab-case';
    case 'camelCase':
      return 'camelCase';
    case 'PascalCase':
      return 'PascalCase';
    default:
      return undefined;
  }
}

export interface KeyPairing {
  pairs: Array<[left: string, right: string]>;
  left: string[];
  right: string[];
}

/**
 * Pair keys present on only one side that name the same field in another convention. Exact
 * case-insensitive matches pair first, then matches modulo '_'/'-'. Within a group both sides are
 * sorted and zipped, so the pairing is the same whichever side is called left.
 */
export function pairKeys(onlyLeft: readonly string[], onlyRight: readonly string[]): KeyPairing {
  const pairs: Array<[string, string]> = [];
  let left = onlyLeft.slice();
  let right = onlyRight.slice();
  for (const fold of [(k: string) => k.toLowerCase(), foldName]) {
    if (left.length === 0 || right.length === 0) break;
    const groups = new Map<string, { l: string[]; r: string[] }>();
    for (const k of left) {
      const f = fold(k);
      if (f === '') continue;
      const g = groups.get(f) ?? { l: [], r: [] };
      g.l.push(k);
      groups.set(f, g);
    }
    for (const k of right) groups.get(fold(k))?.r.push(k);
    const used = new Set<string>();
    for (const g of groups.values()) {
      if (g.r.length === 0) continue;
      g.l.sort();
      g.r.sort();
      for (let i = 0; i < Math.min(g.l.length, g.r.length); i++) {
        const l = g.l[i] as string;
        const r = g.r[i] as string;
        pairs.push([l, r]);
        used.add(`l${l}`).add(`r${r}`);
      }
    }
    left = left.filter((k) => !used.has(`l${k}`));
    right = right.filter((k) => !used.has(`r${k}`));
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { pairs, left, right };
}
