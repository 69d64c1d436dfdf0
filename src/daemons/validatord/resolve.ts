import { createHash } from 'node:crypto';
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { OperationLatencyFault, TraceFault } from '../common/args.ts';
import type { DownstreamClient } from '../common/downstream.ts';
import { inSpan } from '../common/inner-span.ts';
import { STORAGED_ROUTES, STORAGED_UNAVAILABLE_HEADER } from '../storaged/routes.ts';
import type { RecordSchema } from './schema.ts';

/** Inner operations of `POST /v1/validate` (span names): what `--fault-op` can slow. */
export const VALIDATORD_OPERATIONS = { cache: 'cache.get schema', validate: 'validate record' } as const;

export interface SchemaResolver {
  /** Registers the request's schema with storaged. Never throws: validation does not depend on it. */
  resolve(schema: RecordSchema): Promise<void>;
}

export interface SchemaResolverOptions {
  tracer: Tracer;
  storaged: DownstreamClient;
  faults: readonly TraceFault[];
  opLatency?: OperationLatencyFault | undefined;
}

/**
 * What validatord does before validating, in the shape real schema-registry clients have: look the
 * compiled schema up in a local cache (an INTERNAL span), then resolve the schema's id with
 * storaged over HTTP (a CLIENT span, storaged's SERVER span under it), retrying once on a 5xx.
 * The answer never changes the response body — which is what lets the structural fault switches
 * change the trace while status and body parity stay exactly as they were.
 */
export function createSchemaResolver({ tracer, storaged, faults, opLatency }: SchemaResolverOptions): SchemaResolver {
  const on = (fault: TraceFault) => faults.includes(fault);
  const propagate = !on('broken-propagation');
  const firstAttemptFails = on('retry');

  const fetchSchema = async (id: string): Promise<void> => {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const headers: Record<string, string> = firstAttemptFails && attempt === 1 ? { [STORAGED_UNAVAILABLE_HEADER]: '1' } : {};
      const answer = await storaged.call({ method: 'GET', path: `/v1/schemas/${id}`, template: STORAGED_ROUTES.schema, headers, propagate });
      if (answer.status < 500) return;
    }
  };

  return {
    resolve: async (schema) => {
      const id = createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 16);
      await inSpan(tracer, VALIDATORD_OPERATIONS.cache, { opLatency, attributes: { 'cache.hit': false } }, (span) => {
        // A corrupt entry is dropped and the schema resolved again: the client never notices.
        if (on('hidden-error')) {
          span.recordException(Object.assign(new Error('cached schema failed its checksum'), { name: 'CacheCorruption' }));
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'cached schema failed its checksum' });
        }
      });
      try {
        // The N+1 fault: one lookup per top-level field, where one per request is enough.
        const lookups = on('n-plus-one') ? Math.max(1, Object.keys(schema.fields).length) : 1;
        for (let i = 0; i < lookups; i++) await fetchSchema(id);
        if (on('extra-call')) {
          await storaged.call({ method: 'GET', path: `/v1/schemas/${id}/versions`, template: STORAGED_ROUTES.versions, propagate });
        }
      } catch {
        // storaged unreachable: validation goes on without the registry (its span says so).
      }
    },
  };
}
