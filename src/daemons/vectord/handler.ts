import type { FaultLatency } from '../common/args.ts';
import { applyFaultLatency } from '../common/fault.ts';
import type { RouteResponse } from '../common/frameworks.ts';
import { BodyTooLargeError, readBody, type Route, type RouteContext } from '../common/http-server.ts';
import type { DaemonMetrics } from '../common/metrics.ts';
import type { Tracer } from '@opentelemetry/api';
import type { OperationLatencyFault } from '../common/args.ts';
import { inSpanSync } from '../common/inner-span.ts';
import { visitDirectly, type ShardVisitor, type VectorIndex } from './model.ts';
import { VECTORD_DEFAULT_FAULT_ROUTE, VECTORD_ROUTES } from './routes.ts';
import { checkCollectionName, parseCreateCollection, parsePointIdSegment, parseSearch, parseUpsert } from './requests.ts';
import type { VectordFlavour, VectordWire } from './wire.ts';

/** A batch of 256 points × 768 dims of JSON numbers is ~4 MiB; leave room for payloads. */
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };

export interface VectordRoutesOptions {
  flavour: VectordFlavour;
  metrics: DaemonMetrics;
  fault: FaultLatency;
  /** Per-shard INTERNAL spans (`search shard`) under a search; the op-latency fault may slow them. */
  inner?: { tracer: Tracer; opLatency?: OperationLatencyFault | undefined } | undefined;
}

/** The span name of one shard's scan in a search. */
export const VECTORD_SHARD_OPERATION = 'search shard';

/**
 * vectord's routes over an in-memory map of collections. Status codes are the same in both
 * flavours for every request (201 create · 409 duplicate · 404 unknown collection or point ·
 * 400 bad JSON, bad input or dimension mismatch · 413 body over the limit); only bodies differ.
 * Validation order mirrors both real frameworks: the JSON body is decoded before the handler looks
 * the collection up, so malformed JSON to an unknown collection is a 400, not a 404.
 */
export function createVectordRoutes({ flavour, metrics, fault, inner }: VectordRoutesOptions): Route[] {
  const visitShard: ShardVisitor = inner
    ? (shard, scan) => inSpanSync(inner.tracer, VECTORD_SHARD_OPERATION, { opLatency: inner.opLatency, attributes: { 'vectord.shard': shard } }, scan)
    : visitDirectly;
  const { wire } = flavour;
  const collections = new Map<string, VectorIndex>();
  const error = (status: number, message: string) => json(status, wire.encodeError(message));
  const notFound = (name: string) => error(404, `collection \`${name}\` not found`);
  const statsOf = (name: string, index: VectorIndex) => ({ name, dimension: index.dimension, metric: index.metric, pointsCount: index.size });

  const routes: Route[] = [
    {
      method: 'PUT',
      path: VECTORD_ROUTES.collection,
      handle: async (ctx) => {
        const name = checkCollectionName(param(ctx, 'name'));
        if (!name.ok) return error(400, name.message);
        const body = await readJson(ctx, wire);
        if (!body.ok) return body.response;
        const request = parseCreateCollection(body.value);
        if (!request.ok) return error(400, request.message);
        if (collections.has(name.value)) return error(409, `collection \`${name.value}\` already exists`);
        const index = flavour.createIndex(request.value.dimension, request.value.metric);
        collections.set(name.value, index);
        return json(201, wire.encodeCollection(statsOf(name.value, index)));
      },
    },
    {
      method: 'GET',
      path: VECTORD_ROUTES.collection,
      handle: async (ctx) => {
        const name = param(ctx, 'name');
        const index = collections.get(name);
        return index ? json(200, wire.encodeCollection(statsOf(name, index))) : notFound(name);
      },
    },
    {
      method: 'DELETE',
      path: VECTORD_ROUTES.collection,
      handle: async (ctx) => {
        const name = param(ctx, 'name');
        return collections.delete(name) ? json(200, wire.encodeCollectionDeleted()) : notFound(name);
      },
    },
    {
      method: 'POST',
      path: VECTORD_ROUTES.points,
      handle: async (ctx) => {
        const body = await readJson(ctx, wire);
        if (!body.ok) return body.response;
        const name = param(ctx, 'name');
        const index = collections.get(name);
        if (!index) return notFound(name);
        const points = parseUpsert(body.value, index.dimension);
        if (!points.ok) return error(400, points.message);
        const counts = index.upsert(points.value);
        return json(200, wire.encodeUpsert(counts, index.size));
      },
    },
    {
      method: 'POST',
      path: VECTORD_ROUTES.search,
      handle: async (ctx) => {
        const body = await readJson(ctx, wire);
        if (!body.ok) return body.response;
        const name = param(ctx, 'name');
        const index = collections.get(name);
        if (!index) return notFound(name);
        const request = parseSearch(body.value, index.dimension);
        if (!request.ok) return error(400, request.message);
        const { vector, k, filter, withPayload } = request.value;
        return json(200, wire.encodeSearch(index.search(vector, k, filter, visitShard), withPayload));
      },
    },
    {
      method: 'DELETE',
      path: VECTORD_ROUTES.point,
      handle: async (ctx) => {
        const name = param(ctx, 'name');
        const index = collections.get(name);
        if (!index) return notFound(name);
        const id = parsePointIdSegment(param(ctx, 'id'));
        if (!id.ok) return error(400, id.message);
        if (!index.delete(id.value)) return error(404, `point ${JSON.stringify(id.value)} not found in collection \`${name}\``);
        return json(200, wire.encodePointDeleted(index.size));
      },
    },
    { method: 'GET', path: VECTORD_ROUTES.health, handle: async () => json(200, wire.encodeHealth()) },
    {
      method: 'GET',
      path: VECTORD_ROUTES.metrics,
      handle: async () => ({ status: 200, headers: { 'content-type': metrics.registry.contentType }, body: await metrics.registry.metrics() }),
    },
  ];
  return applyFaultLatency(routes, fault, VECTORD_DEFAULT_FAULT_ROUTE);
}

/** Reads and decodes a JSON body, or answers 413 (too large) / 400 (not JSON). */
async function readJson(ctx: RouteContext, wire: VectordWire): Promise<{ ok: true; value: unknown } | { ok: false; response: RouteResponse }> {
  let text: string;
  try {
    text = (await readBody(ctx.req, BODY_LIMIT_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { ok: false, response: json(413, wire.encodeError(error.message)) };
    throw error;
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: json(400, wire.encodeError('request body is not valid JSON')) };
  }
}

function param(ctx: RouteContext, name: string): string {
  return ctx.params[name] ?? '';
}

function json(status: number, body: string): RouteResponse {
  return { status, headers: JSON_HEADERS, body };
}
