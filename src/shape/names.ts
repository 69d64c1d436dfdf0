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

/** Field names repeat across every response of a route; bounded so arbitrary keys can't grow it forever. */
const styleCache = new Map<string, CaseStyle>();

export function caseStyleOf(name: string): CaseStyle {
  let style = styleCache.get(name);
  if (style === undefined) {
    if (styleCache.size >= 4096) styleCache.clear();
    style = classifyCase(name);
    styleCache.set(name, style);
  }
  return style;
}

function classifyCase(name: string): CaseStyle {
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

function lower(key: string): string {
  return key.toLowerCase();
}

/** Untaken indices by folded name, each list ascending (the keys are sorted). */
function indexByFold(folds: readonly string[], taken: readonly boolean[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (let j = 0; j < folds.length; j++) {
    if (taken[j]) continue;
    const f = folds[j] as string;
    const list = index.get(f);
    if (list) list.push(j);
    else index.set(f, [j]);
  }
  return index;
}

/**
 * Pair keys present on only one side that name the same field in another convention. Exact
 * case-insensitive matches pair first, then matches modulo '_'/'-'. Each left key, in sorted
 * order, takes the first unused right key (also sorted) with the same folded name, which is the
 * same as zipping the two sorted groups: the pairing does not depend on which side is called left.
 */
export function pairKeys(onlyLeft: readonly string[], onlyRight: readonly string[]): KeyPairing {
  const pairs: Array<[string, string]> = [];
  const left = onlyLeft.length > 1 ? onlyLeft.slice().sort() : onlyLeft.slice();
  const right = onlyRight.length > 1 ? onlyRight.slice().sort() : onlyRight.slice();
  const leftTaken = new Array<boolean>(left.length).fill(false);
  const rightTaken = new Array<boolean>(right.length).fill(false);
  // Objects usually differ by a handful of keys: a nested scan beats building an index.
  const small = left.length * right.length <= 64;
  for (const fold of [lower, foldName]) {
    if (pairs.length === left.length || pairs.length === right.length) break;
    const rightFolds = right.map(fold);
    const index = small ? undefined : indexByFold(rightFolds, rightTaken);
    for (let i = 0; i < left.length; i++) {
      if (leftTaken[i]) continue;
      const f = fold(left[i] as string);
      if (f === '') continue;
      let j: number | undefined;
      if (index) j = index.get(f)?.shift();
      else for (let k = 0; k < right.length && j === undefined; k++) if (!rightTaken[k] && rightFolds[k] === f) j = k;
      if (j === undefined) continue;
      pairs.push([left[i] as string, right[j] as string]);
      leftTaken[i] = true;
      rightTaken[j] = true;
    }
  }
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    pairs,
    left: pairs.length ? left.filter((_, i) => !leftTaken[i]) : left,
    right: pairs.length ? right.filter((_, j) => !rightTaken[j]) : right,
  };
}
