import { routeMatcher } from '../../record/index.ts';

/** Path segments that are identifiers, not routes: numbers, UUIDs, long hex, ULIDs. */
const ID_SEGMENT = /^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,}|[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25})$/;

export const OTHER_ROUTE = '(other)';

/**
 * Route labels for live traffic, where nobody chose the paths. A configured template wins;
 * otherwise identifier-looking segments become `{id}` (`/v1/orders/7` and `/v1/orders/8` are one
 * route); past `maxRoutes` distinct routes the rest are `(other)`. A metric label must stay bounded
 * whatever clients send.
 */
export function liveRouteLabeller(templates: readonly string[] | undefined, maxRoutes = 200): (path: string) => string {
  const configured = new Set(templates ?? []);
  const match = routeMatcher(templates);
  const seen = new Set<string>();
  return (path) => {
    const template = match(path);
    if (configured.has(template)) return template;
    const route = path
      .split('/')
      .map((s) => (ID_SEGMENT.test(s) ? '{id}' : s))
      .join('/');
    if (seen.has(route)) return route;
    if (seen.size >= maxRoutes) return OTHER_ROUTE;
    seen.add(route);
    return route;
  };
}
