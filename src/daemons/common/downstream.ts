import { Agent, request } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';

// Incubating semantic convention, copied rather than imported (see tracing.ts).
const ATTR_URL_TEMPLATE = 'url.template';

export interface DownstreamCall {
  method: string;
  /** The concrete path (`/v1/schemas/3f…`). */
  path: string;
  /** Its template (`/v1/schemas/{id}`): the low-cardinality span name, as semconv asks. */
  template: string;
  headers?: Record<string, string>;
  /** False = the call carries no `traceparent` (the broken-propagation fault). */
  propagate: boolean;
}

export interface DownstreamAnswer {
  status: number;
  body: string;
}

export interface DownstreamClient {
  call(call: DownstreamCall): Promise<DownstreamAnswer>;
  close(): void;
}

const TIMEOUT_MS = 5_000;

/**
 * An instrumented HTTP client for a daemon's downstream: one CLIENT span per attempt, named
 * `<METHOD> <template>` with the semconv attributes, W3C trace context injected into the request
 * (unless propagation is switched off) so the downstream's SERVER span joins the trace. A 4xx/5xx
 * answer marks the CLIENT span as an error (semconv: for clients every 4xx/5xx is one).
 */
export function createDownstreamClient(tracer: Tracer, baseUrl: string): DownstreamClient {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    close: () => agent.destroy(),
    call: async (call) => {
      const url = new URL(call.path, base);
      const span = tracer.startSpan(`${call.method} ${call.template}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: call.method,
          [ATTR_URL_FULL]: url.href,
          [ATTR_URL_TEMPLATE]: call.template,
          [ATTR_SERVER_ADDRESS]: url.hostname,
          [ATTR_SERVER_PORT]: Number(url.port || 80),
        },
      });
      const headers: Record<string, string> = { ...call.headers };
      if (call.propagate) propagation.inject(trace.setSpan(context.active(), span), headers);
      try {
        const answer = await send(agent, url, call.method, headers);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answer.status);
        if (answer.status >= 400) {
          span.setAttribute(ATTR_ERROR_TYPE, String(answer.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return answer;
      } catch (error) {
        span.setAttribute(ATTR_ERROR_TYPE, (error as NodeJS.ErrnoException).code ?? 'transport');
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

/** RFC 9110 §9.2.2: safe to send twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * One attempt, retried once on a fresh socket when a reused keep-alive socket turns out to have
 * been closed by the server (ECONNRESET/EPIPE before any answer) and the method is idempotent —
 * what Go's net/http Transport does inside one RoundTrip (so inside one otelhttp CLIENT span), and
 * what Node's docs recommend for `request.reusedSocket`. Without it a daemon racing the server's
 * keep-alive timeout reports a transport error the real runtime never would.
 */
async function send(agent: Agent, url: URL, method: string, headers: Record<string, string>): Promise<DownstreamAnswer> {
  try {
    return await attempt(agent, url, method, headers);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
    if (e.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && IDEMPOTENT.has(method)) return attempt(agent, url, method, headers);
    throw error;
  }
}

function attempt(agent: Agent, url: URL, method: string, headers: Record<string, string>): Promise<DownstreamAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method, headers, agent, timeout: TIMEOUT_MS }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('downstream timed out'), { code: 'timeout' })));
    // Only an error before any answer on a socket an earlier request used may be retried.
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket && !answered })));
    req.end();
  });
}
