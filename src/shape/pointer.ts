/** RFC 6901: '~' → '~0', '/' → '~1'. */
export function escapeToken(key: string): string {
  if (key.indexOf('~') === -1 && key.indexOf('/') === -1) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  if (token.indexOf('~') === -1) return token;
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}/${key}` : `${path}/${escapeToken(key)}`;
}

export function splitPointer(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/').map(unescapeToken);
}

/** '' for the root, else the last path token, unescaped. */
export function lastToken(path: string): string {
  return unescapeToken(path.slice(path.lastIndexOf('/') + 1));
}

export type PathMatcher = (path: string) => boolean;

/**
 * Compile JSON Pointer globs: '*' matches one token, '**' any number (including none). A pattern
 * without the leading '/' is accepted as if it had one, since that is the common slip in configs.
 */
export function compileGlobs(patterns: readonly string[] | undefined): PathMatcher | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const compiled = patterns.map((p) => splitPointer(p === '' || p.startsWith('/') ? p : `/${p}`));
  return (path) => {
    const tokens = splitPointer(path);
    return compiled.some((glob) => matchTokens(glob, 0, tokens, 0));
  };
}

function matchTokens(glob: readonly string[], gi: number, tokens: readonly string[], ti: number): boolean {
  for (; gi < glob.length; gi++, ti++) {
    const g = glob[gi];
    if (g === '**') {
      for (let skip = ti; skip <= tokens.length; skip++) if (matchTokens(glob, gi + 1, tokens, skip)) return true;
      return false;
    }
    if (ti >= tokens.length || (g !== '*' && g !== tokens[ti])) return false;
  }
  return ti === tokens.length;
}

const DIGITS = /^\d+$/;

/**
 * Output order: parent before child, array indices numerically, then tokens by code unit. Digit-only
 * tokens sort before the rest so that the order stays total and transitive.
 */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  let ia = 1;
  let ib = 1;
  for (;;) {
    if (ia > a.length) return ib > b.length ? 0 : -1;
    if (ib > b.length) return 1;
    let ea = a.indexOf('/', ia);
    let eb = b.indexOf('/', ib);
    if (ea === -1) ea = a.length;
    if (eb === -1) eb = b.length;
    const c = compareTokens(a.slice(ia, ea), b.slice(ib, eb));
    if (c !== 0) return c;
    ia = ea + 1;
    ib = eb + 1;
  }
}

function compareTokens(x: string, y: string): number {
  if (x === y) return 0;
  const dx = DIGITS.test(x);
  const dy = DIGITS.test(y);
  if (dx && dy) {
    if (x.length !== y.length) return x.length - y.length;
  } else if (dx !== dy) {
    return dx ? -1 : 1;
  }
  return x < y ? -1 : 1;
}
