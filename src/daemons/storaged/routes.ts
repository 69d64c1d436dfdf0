import type { RouteResponse } from '../common/frameworks.ts';
import type { Route } from '../common/http-server.ts';

export const STORAGED_SERVICE = 'storaged';
export const STORAGED_VERSION = '1.0.0';
export const STORAGED_ROUTES = { schema: '/v1/schemas/{id}', versions: '/v1/schemas/{id}/versions', health: '/healthz' } as const;
/**
 * A request carrying this header gets a 503, as a busy storage node would answer: the caller's
 * `retry` fault sends it on its first attempt. It is a switch of the reference stack, not part of
 * any telemetry — the trace shows only an ordinary failed call.
 */
export const STORAGED_UNAVAILABLE_HEADER = 'x-storaged-unavailable';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * storaged, the reference schema store validatord resolves schemas through. It keeps no state
 * (every id resolves to version 1): what matters for gauntlet is the call pattern in the trace, and
 * a stateless store keeps both runtimes' traces identical request for request.
 */
export function createStoragedRoutes(): Route[] {
  const unavailable = (headers: Record<string, string | string[] | undefined>): RouteResponse | undefined =>
    headers[STORAGED_UNAVAILABLE_HEADER] ? { status: 503, headers: JSON_HEADERS, body: '{"error":"storage node busy"}' } : undefined;
  return [
    {
      method: 'GET',
      path: STORAGED_ROUTES.schema,
      handle: async ({ req, params }) => unavailable(req.headers) ?? { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ id: params.id, version: 1 }) },
    },
    {
      method: 'GET',
      path: STORAGED_ROUTES.versions,
      handle: async ({ req, params }) => unavailable(req.headers) ?? { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ id: params.id, versions: [1] }) },
    },
    { method: 'GET', path: STORAGED_ROUTES.health, handle: async () => ({ status: 200, headers: JSON_HEADERS, body: '{"status":"ok"}' }) },
  ];
}
