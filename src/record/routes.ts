/**
 * Route templates and route globs for replayed traffic. A template (`/v1/items/{id}`) turns a
 * concrete path into a low-cardinality route for grouping; a glob (`/v1/items/*`, `/admin/**`)
 * says which routes replay may send unsafe methods to.
 */
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function segmentPattern(segment: string): string {
  if (segment === '**') return '.*';
  if (segment === '*') return '[^/]*';
  // `{name}` is a template parameter: one non-empty segment.
  return segment
    .split(/(\{[^/{}]+\})/)
    .map((part) => (/^\{[^/{}]+\}$/.test(part) ? '[^/]+' : part.split('*').map(escapeRe).join('[^/]*')))
    .join('');
}

export function compileRoute(template: string): RegExp {
  const body = template.split('/').map(segmentPattern).join('/').replace(/\/\.\*$/, '(?:/.*)?');
  return new RegExp(`^${body}$`);
}

/** Path (no query) → the first matching configured template, else the path itself. */
export function routeMatcher(templates: readonly string[] | undefined): (path: string) => string {
  const compiled = (templates ?? []).map((t) => ({ t, re: compileRoute(t) }));
  return (path) => compiled.find((c) => c.re.test(path))?.t ?? path;
}

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * May replay send this request? Safe methods always; anything else — POST/PUT/PATCH/DELETE and
 * unknown methods, which may write — only to routes the config marks safe (matched against the
 * concrete path and its template), as Diffy does.
 */
export function unsafeGate(safeRoutes: ReadonlyArray<{ method: string; route: string }>): (method: string, path: string, route: string) => boolean {
  const compiled = safeRoutes.map((r) => ({ method: r.method, re: compileRoute(r.route), route: r.route }));
  return (method, path, route) =>
    SAFE_METHODS.has(method) || compiled.some((r) => (r.method === '*' || r.method === method) && (r.route === route || r.re.test(path) || r.re.test(route)));
}
