import { fail, isObject, parseFilter, type Filter, type Parsed } from './filter.ts';
import { METRICS, type Metric, type Payload, type PointId, type PointInput } from './model.ts';

/**
 * Request validation, shared by both flavours: the same input gets the same status and the same
 * message text in rust and go, so a parity run's findings are about encoding and scores, not about
 * two wordings of one 400 (the validatord twins make the same choice). Hand-written rather than
 * zod: an upsert of 768-dimensional vectors is the hot path under load.
 */

export const MAX_DIMENSION = 4096;
export const MAX_K = 10_000;
export const DEFAULT_K = 10;
const MAX_STRING_ID_LENGTH = 256;
/** Largest finite f32: the rust flavour stores f32, so larger values would silently become inf. */
const F32_MAX = 3.4028234663852886e38;
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ALL_DIGITS = /^[0-9]+$/;

export interface CreateCollectionRequest {
  dimension: number;
  metric: Metric;
}

export interface SearchRequest {
  vector: number[];
  k: number;
  filter: Filter | undefined;
  withPayload: boolean;
}

export function checkCollectionName(name: string): Parsed<string> {
  return COLLECTION_NAME.test(name)
    ? { ok: true, value: name }
    : fail(`invalid collection name \`${name}\`: use 1-64 letters, digits, _ or -, starting with a letter or digit`);
}

/** `PUT /v1/collections/{name}` body: `{"dimension": 128, "metric": "cosine"}`. */
export function parseCreateCollection(body: unknown): Parsed<CreateCollectionRequest> {
  if (!isObject(body)) return fail('request body must be a JSON object');
  const { dimension, metric } = body;
  if (dimension === undefined) return fail('missing field `dimension`');
  if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    return fail(`dimension must be an integer in [1, ${MAX_DIMENSION}]`);
  }
  if (metric === undefined) return fail('missing field `metric`');
  if (typeof metric !== 'string' || !(METRICS as readonly string[]).includes(metric)) {
    return fail(`metric must be one of ${METRICS.join(', ')}`);
  }
  return { ok: true, value: { dimension, metric: metric as Metric } };
}

/**
 * `POST …/points` body: `{"points": [{"id", "vector", "payload"?}]}`. The whole batch is checked
 * before anything is stored, so a bad point leaves the collection untouched in both flavours.
 */
export function parseUpsert(body: unknown, dimension: number): Parsed<PointInput[]> {
  if (!isObject(body)) return fail('request body must be a JSON object');
  if (body.points === undefined) return fail('missing field `points`');
  if (!Array.isArray(body.points)) return fail('points must be an array');
  const points: PointInput[] = [];
  for (const [index, raw] of body.points.entries()) {
    const where = `points[${index}]`;
    if (!isObject(raw)) return fail(`${where} must be an object`);
    const id = parsePointId(raw.id, `${where}.id`);
    if (!id.ok) return id;
    const vector = checkVector(raw.vector, dimension, `${where}.vector`);
    if (!vector.ok) return vector;
    const payload = raw.payload;
    if (payload !== undefined && payload !== null && !isObject(payload)) return fail(`${where}.payload must be an object`);
    points.push({ id: id.value, vector: vector.value, payload: (payload ?? undefined) as Payload | undefined });
  }
  return { ok: true, value: points };
}

/** `POST …/search` body: `{"vector": […], "k"?: 10, "filter"?: {…}, "with_payload"?: false}`. */
export function parseSearch(body: unknown, dimension: number): Parsed<SearchRequest> {
  if (!isObject(body)) return fail('request body must be a JSON object');
  const vector = checkVector(body.vector, dimension, 'vector');
  if (!vector.ok) return vector;
  const k = body.k ?? DEFAULT_K;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) return fail(`k must be an integer in [1, ${MAX_K}]`);
  let filter: Filter | undefined;
  if (body.filter !== undefined && body.filter !== null) {
    const parsed = parseFilter(body.filter);
    if (!parsed.ok) return parsed;
    filter = parsed.value;
  }
  const withPayload = body.with_payload ?? false;
  if (typeof withPayload !== 'boolean') return fail('with_payload must be a boolean');
  return { ok: true, value: { vector: vector.value, k, filter, withPayload } };
}

/**
 * A point id from a body. Strings of digits only are refused: in a URL (`…/points/42`) they could
 * not be told apart from the integer 42, and both real services would have to guess.
 */
export function parsePointId(raw: unknown, where = 'id'): Parsed<PointId> {
  if (typeof raw === 'number') {
    return Number.isSafeInteger(raw) && raw >= 0 ? { ok: true, value: raw } : fail(`${where} must be an unsigned integer below 2^53 or a string`);
  }
  if (typeof raw === 'string') {
    if (raw === '' || raw.length > MAX_STRING_ID_LENGTH) return fail(`${where} must be 1-${MAX_STRING_ID_LENGTH} characters`);
    if (ALL_DIGITS.test(raw)) return fail(`${where} \`${raw}\` is all digits: send integer ids as JSON numbers`);
    return { ok: true, value: raw };
  }
  return fail(`${where} must be an unsigned integer or a string`);
}

/** The `{id}` path segment: digits address an integer id, anything else a string id. */
export function parsePointIdSegment(segment: string): Parsed<PointId> {
  return ALL_DIGITS.test(segment) ? parsePointId(Number(segment)) : parsePointId(segment);
}

function checkVector(raw: unknown, dimension: number, where: string): Parsed<number[]> {
  if (raw === undefined) return fail(`missing field \`${where}\``);
  if (!Array.isArray(raw)) return fail(`${where} must be an array of numbers`);
  if (raw.length !== dimension) return fail(`${where}: dimension ${raw.length} does not match the collection's dimension ${dimension}`);
  for (let i = 0; i < raw.length; i++) {
    const value: unknown = raw[i];
    if (typeof value !== 'number' || !(Math.abs(value) <= F32_MAX)) return fail(`${where}[${i}] must be a finite number within f32 range`);
  }
  return { ok: true, value: raw as number[] };
}
