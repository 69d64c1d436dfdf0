import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import type { FrameworkFallbacks, RouteResponse } from './frameworks.ts';
import type { DaemonMetrics } from './metrics.ts';

export interface RouteContext {
  req: IncomingMessage;
  /** Values of `{name}` segments in the route template. */
  params: Record<string, string>;
  /** performance.now() when the exchange began (before the body was read): the start of the SERVER span. */
  receivedAt?: number;
}

export type RouteHandler = (ctx: RouteContext) => Promise<RouteResponse>;

/** A route is a method + template (`/v1/collections/{name}`); the template is the `http.route`. */
export interface Route {
  method: string;
  path: string;
  handle: RouteHandler;
}

export interface DaemonServerOptions {
  routes: readonly Route[];
  framework: FrameworkFallbacks;
  tracer: Tracer;
  metrics: DaemonMetrics;
  /** The service's answer when a handler throws. */
  internalError(): RouteResponse;
}

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/**
 * An HTTP server that routes, and wraps every exchange in a SERVER span (joined to the caller's
 * trace through the incoming `traceparent`) and the Prometheus request metrics. Instrumentation is
 * hand-made rather than auto-instrumented so the attributes are exactly the semconv set the
 * analyser reads, identical for both flavours.
 */
export function createDaemonServer(options: DaemonServerOptions): Server {
  return createServer((req, res) => {
    void handleExchange(options, req, res);
  });
}

async function handleExchange(options: DaemonServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  const receivedAt = performance.now();
  const rawMethod = req.method ?? 'GET';
  const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : HTTP_REQUEST_METHOD_VALUE_OTHER;
  const path = pathOf(req.url);
  const match = matchRoute(options.routes, rawMethod, path);
  const route = match?.template ?? '';

  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const spanName = `${method === HTTP_REQUEST_METHOD_VALUE_OTHER ? 'HTTP' : method}${route ? ` ${route}` : ''}`;
  const span = options.tracer.startSpan(spanName, { kind: SpanKind.SERVER, attributes: requestAttributes(req, method, path, route) }, parent);

  res.once('close', () => {
    const status = res.statusCode;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // Semconv: 4xx is the client's fault, so only 5xx marks a SERVER span as an error.
    if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    options.metrics.recordRequest({ method, route, status }, Number(process.hrtime.bigint() - started) / 1e9);
  });

  let response: RouteResponse;
  try {
    if (!match) response = options.framework.notFound();
    else if (!match.handler) response = options.framework.methodNotAllowed(match.allow);
    else {
      const handle = match.handler;
      response = await context.with(trace.setSpan(parent, span), () => handle({ req, params: match.params, receivedAt }));
    }
  } catch (error) {
    span.recordException(error as Error);
    response = options.internalError();
  }
  writeResponse(res, response);
}

function writeResponse(res: ServerResponse, response: RouteResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = response.body ?? '';
  res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

interface RouteMatch {
  template: string;
  params: Record<string, string>;
  handler: RouteHandler | undefined;
  /** Methods the path accepts; GET routes also answer HEAD, as in axum and Go's ServeMux. */
  allow: string[];
}

function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  let found: RouteMatch | undefined;
  for (const route of routes) {
    const params = matchTemplate(route.path, path);
    if (!params) continue;
    found ??= { template: route.path, params, handler: undefined, allow: [] };
    if (route.path !== found.template) continue;
    found.allow.push(route.method, ...(route.method === 'GET' ? ['HEAD'] : []));
    if (route.method === method || (route.method === 'GET' && method === 'HEAD')) found.handler = route.handle;
  }
  return found;
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] ?? '';
    const actual = got[i] ?? '';
    if (segment.startsWith('{') && segment.endsWith('}') && actual !== '') params[segment.slice(1, -1)] = decodeSegment(actual);
    else if (segment !== actual) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed %-escape: hand the handler the raw text rather than failing routing
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function requestAttributes(req: IncomingMessage, method: string, path: string, route: string): Attributes {
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: path,
    [ATTR_URL_SCHEME]: 'http',
    [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    ...serverAddress(req),
  };
  if (method === HTTP_REQUEST_METHOD_VALUE_OTHER && req.method) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = req.method;
  if (route) attributes[ATTR_HTTP_ROUTE] = route;
  if (req.socket.remoteAddress) attributes[ATTR_CLIENT_ADDRESS] = req.socket.remoteAddress;
  const userAgent = req.headers['user-agent'];
  if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  return attributes;
}

/** Semconv: server.address/port come from the Host header first, the local socket otherwise. */
function serverAddress(req: IncomingMessage): Attributes {
  const host = req.headers.host;
  const parsed = host ? /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host) : null;
  if (parsed?.[1]) {
    const port = parsed[2] ? Number(parsed[2]) : 80;
    return { [ATTR_SERVER_ADDRESS]: parsed[1].replace(/^\[|\]$/g, ''), [ATTR_SERVER_PORT]: port };
  }
  return { [ATTR_SERVER_ADDRESS]: req.socket.localAddress ?? '', [ATTR_SERVER_PORT]: req.socket.localPort ?? 0 };
}

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Buffers a request body, refusing more than `limitBytes` (both real services cap bodies). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
