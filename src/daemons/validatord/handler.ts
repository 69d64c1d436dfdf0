import type { FaultLatency } from '../common/args.ts';
import { withFaultLatency } from '../common/fault.ts';
import type { RouteResponse } from '../common/frameworks.ts';
import { BodyTooLargeError, readBody, type Route, type RouteContext } from '../common/http-server.ts';
import type { DaemonMetrics } from '../common/metrics.ts';
import { inSpan } from '../common/inner-span.ts';
import type { Tracer } from '@opentelemetry/api';
import type { OperationLatencyFault } from '../common/args.ts';
import { VALIDATORD_OPERATIONS, type SchemaResolver } from './resolve.ts';
import { parseValidateRequest } from './schema.ts';
import { validateRecord } from './validate.ts';
import { volatileMeta, withMeta } from './volatile.ts';
import type { ValidatordWire } from './wire.ts';

export const VALIDATE_ROUTE = '/v1/validate';
/** Both real builds cap request bodies; 1 MiB is plenty for a schema and one record. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };

export interface ValidatordRoutesOptions {
  wire: ValidatordWire;
  metrics: DaemonMetrics;
  fault: FaultLatency;
  /** Add per-request `meta` (ids, timestamps, duration) to 200/422 answers: see volatile.ts. */
  volatileFields?: boolean | undefined;
  /** Inner structure (cache, storaged, validation spans); without it the handler only validates. */
  inner?: { tracer: Tracer; resolver: SchemaResolver; opLatency?: OperationLatencyFault | undefined } | undefined;
}

/** validatord's routes. Fault latency applies to `/v1/validate` only: health checks and scrapes stay fast. */
export function createValidatordRoutes({ wire, metrics, fault, volatileFields, inner }: ValidatordRoutesOptions): Route[] {
  return [
    { method: 'POST', path: VALIDATE_ROUTE, handle: withFaultLatency((ctx) => handleValidate(wire, ctx, volatileFields === true, inner), fault) },
    { method: 'GET', path: '/healthz', handle: async () => json(200, wire.encodeHealth()) },
    {
      method: 'GET',
      path: '/metrics',
      handle: async () => ({
        status: 200,
        headers: { 'content-type': metrics.registry.contentType },
        body: await metrics.registry.metrics(),
      }),
    },
  ];
}

/**
 * 200 valid · 422 invalid (issues listed) · 400 body not JSON or not `{schema, record}` ·
 * 413 body over the limit. Only the 200/422 bodies differ between flavours.
 */
async function handleValidate(wire: ValidatordWire, { req }: RouteContext, volatileFields: boolean, inner: ValidatordRoutesOptions['inner']): Promise<RouteResponse> {
  const started = performance.now();
  let text: string;
  try {
    text = (await readBody(req, BODY_LIMIT_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError) return json(413, wire.encodeError(error.message));
    throw error;
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return json(400, wire.encodeError('request body is not valid JSON'));
  }
  const parsed = parseValidateRequest(body);
  if (!parsed.ok) return json(400, wire.encodeError(parsed.message));

  const { schema, record } = parsed.request;
  let issues;
  if (inner) {
    await inner.resolver.resolve(schema);
    issues = await inSpan(inner.tracer, VALIDATORD_OPERATIONS.validate, { opLatency: inner.opLatency }, () => validateRecord(schema, record));
  } else {
    issues = validateRecord(schema, record);
  }
  const answer = wire.encodeResult(issues);
  return json(issues.length === 0 ? 200 : 422, volatileFields ? withMeta(answer, volatileMeta(wire.runtime, started)) : answer);
}

function json(status: number, body: string): RouteResponse {
  return { status, headers: JSON_HEADERS, body };
}
