import type { Flavour } from './args.ts';

/** What a handler returns; the server writes it (and sets content-length). */
export interface RouteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Responses the web framework writes before any service code runs. They differ between the
 * runtimes in the wild, so the twins reproduce them byte for byte instead of inventing a JSON
 * error: a parity run against unknown routes should show the real `header`/`shape` gap.
 */
export interface FrameworkFallbacks {
  readonly name: string;
  notFound(): RouteResponse;
  /** `allow`: the methods the matched path accepts, e.g. ['POST'] or ['GET', 'HEAD']. */
  methodNotAllowed(allow: readonly string[]): RouteResponse;
}

/** axum 0.7: the default fallback and MethodRouter answer with empty bodies. */
const axum: FrameworkFallbacks = {
  name: 'axum',
  notFound: () => ({ status: 404, body: '' }),
  methodNotAllowed: (allow) => ({ status: 405, headers: { allow: allow.join(',') }, body: '' }),
};

/** Go ≥ 1.22 net/http ServeMux with method patterns: http.Error writes plain text + nosniff. */
const goServeMux: FrameworkFallbacks = {
  name: 'net/http',
  notFound: () => plainTextError(404, '404 page not found'),
  methodNotAllowed: (allow) => {
    const response = plainTextError(405, 'Method Not Allowed');
    return { ...response, headers: { ...response.headers, allow: [...allow].sort().join(', ') } };
  },
};

function plainTextError(status: number, text: string): RouteResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: `${text}\n`,
  };
}

export const FRAMEWORKS: Record<Flavour, FrameworkFallbacks> = { rust: axum, go: goServeMux };
