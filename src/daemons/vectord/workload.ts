import { GauntletError } from '../../util/errors.ts';
import { METRICS, type Metric } from './model.ts';
import { MAX_DIMENSION, MAX_K } from './requests.ts';
import { VECTORD_ROUTES } from './routes.ts';

/**
 * Deterministic, seeded vectord workloads for the load engine, k6 script generation and tests.
 * Pure functions, no I/O. Every request is a function of (options, index) alone — not of the
 * requests before it — so worker threads can split the index space and still send exactly the
 * sequence a single-threaded run would, and a rerun with the same seed sends the same bytes.
 */

export const WORKLOAD_DIMENSIONS = [128, 768] as const;
export const PAYLOAD_CATEGORIES = ['books', 'music', 'movies', 'games', 'garden', 'toys', 'tools', 'food'] as const;
export const PAYLOAD_TAGS = ['new', 'sale', 'popular', 'limited', 'eco', 'gift'] as const;

export interface VectordWorkload {
  seed: number;
  collection: string;
  dimension: number;
  metric: Metric;
  /** Ids 0..points-1 are seeded up front; mix upserts overwrite inside that range, so the collection size stays put under load. */
  points: number;
  /** Points per upsert request (seeding and mix). */
  batchSize: number;
  /** Fraction of mix requests that are upserts; the rest are searches. */
  upsertRatio: number;
  /** Fraction of searches that carry a payload filter. */
  filterRatio: number;
  k: number;
  withPayload: boolean;
}

export const DEFAULT_VECTORD_WORKLOAD: Omit<VectordWorkload, 'seed'> = {
  collection: 'load',
  dimension: 128,
  metric: 'cosine',
  points: 5_000,
  batchSize: 64,
  upsertRatio: 0.1,
  filterRatio: 0.3,
  k: 10,
  withPayload: false,
};

// A type alias, not an interface, so it is assignable to `Record<string, unknown>` payload types.
export type PointPayload = {
  category: string;
  price: number;
  tags: string[];
};

export interface WorkloadPoint {
  id: number;
  vector: number[];
  payload: PointPayload;
}

export type WorkloadCondition =
  | { key: string; match: string }
  | { key: string; range: { gte?: number; gt?: number; lt?: number; lte?: number } };

export interface WorkloadFilter {
  must?: WorkloadCondition[];
  must_not?: WorkloadCondition[];
}

export interface SearchBody {
  vector: number[];
  k: number;
  filter?: WorkloadFilter;
  with_payload: boolean;
}

/** One HTTP request, ready to send. `route` is the template: use it (never `path`) as a metric label. */
export interface VectordRequest {
  kind: 'create-collection' | 'upsert' | 'search';
  method: 'PUT' | 'POST';
  path: string;
  route: string;
  /** Serialised JSON. */
  body: string;
  /** What a correct vectord answers (both flavours alike). */
  expectStatus: number;
}

/** Defaults filled in and every field checked; errors name the field (`workload.dimension`). */
export function defineVectordWorkload(options: Partial<VectordWorkload> & { seed: number }): VectordWorkload {
  const w: VectordWorkload = { ...DEFAULT_VECTORD_WORKLOAD, ...options };
  const check = (ok: boolean, field: keyof VectordWorkload, want: string) => {
    if (!ok) throw new GauntletError('GAUNTLET_INPUT_INVALID', `workload.${field} must be ${want} (got ${JSON.stringify(w[field])})`, { path: `workload.${field}` });
  };
  const isInt = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  check(Number.isSafeInteger(w.seed), 'seed', 'a safe integer');
  check(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(w.collection), 'collection', 'a collection name (letters, digits, _ or -)');
  check(isInt(w.dimension, 1, MAX_DIMENSION), 'dimension', `an integer in [1, ${MAX_DIMENSION}]`);
  check((METRICS as readonly string[]).includes(w.metric), 'metric', METRICS.join(' | '));
  check(isInt(w.points, 1, 10_000_000), 'points', 'an integer in [1, 10000000]');
  check(isInt(w.batchSize, 1, 10_000), 'batchSize', 'an integer in [1, 10000]');
  check(w.upsertRatio >= 0 && w.upsertRatio <= 1, 'upsertRatio', 'a number in [0, 1]');
  check(w.filterRatio >= 0 && w.filterRatio <= 1, 'filterRatio', 'a number in [0, 1]');
  check(isInt(w.k, 1, MAX_K), 'k', `an integer in [1, ${MAX_K}]`);
  return w;
}

/** `PUT /v1/collections/{name}`. */
export function createCollectionRequest(w: VectordWorkload): VectordRequest {
  return request(w, 'create-collection', 'PUT', VECTORD_ROUTES.collection, '', { dimension: w.dimension, metric: w.metric }, 201);
}

/** The collection, then every id 0..points-1 in batches of `batchSize` (version 0 of each point). */
export function setupRequests(w: VectordWorkload): VectordRequest[] {
  const requests = [createCollectionRequest(w)];
  for (let start = 0; start < w.points; start += w.batchSize) {
    const ids = Array.from({ length: Math.min(w.batchSize, w.points - start) }, (_, i) => start + i);
    requests.push(upsertRequest(w, ids.map((id) => generatePoint(w, id, 0))));
  }
  return requests;
}

/** The `index`-th request of the upsert/search mix (index >= 0). */
export function mixRequest(w: VectordWorkload, index: number): VectordRequest {
  const prng = createPrng(deriveSeed(w.seed, STREAM_MIX, index));
  if (prng.next() >= w.upsertRatio) return searchRequest(w, generateSearch(w, index));
  // Overwrites existing ids with a new version of each point: the collection keeps its size.
  const batch = Array.from({ length: w.batchSize }, () => generatePoint(w, prng.int(w.points), index + 1));
  return upsertRequest(w, batch);
}

/**
 * Point `id` at `version` (0 = as seeded). Vectors cluster around one centre per category, as real
 * embeddings do, so filtered searches and unfiltered ones see different neighbourhoods.
 */
export function generatePoint(w: VectordWorkload, id: number, version: number): WorkloadPoint {
  const prng = createPrng(deriveSeed(w.seed, STREAM_POINT, id, version));
  const categoryIndex = prng.int(PAYLOAD_CATEGORIES.length);
  const tags = PAYLOAD_TAGS.filter(() => prng.next() < 0.25);
  const payload: PointPayload = { category: PAYLOAD_CATEGORIES[categoryIndex]!, price: round(1 + prng.next() * 199, 2), tags };
  return { id, vector: clusteredVector(w, prng, categoryIndex), payload };
}

/** The search of mix request `index`: a query near a random category centre, filtered with `filterRatio`. */
export function generateSearch(w: VectordWorkload, index: number): SearchBody {
  const prng = createPrng(deriveSeed(w.seed, STREAM_SEARCH, index));
  const vector = clusteredVector(w, prng, prng.int(PAYLOAD_CATEGORIES.length));
  const body: SearchBody = { vector, k: w.k, with_payload: w.withPayload };
  if (prng.next() < w.filterRatio) body.filter = generateFilter(prng);
  return body;
}

/** One of the filter shapes users send: category, price band, tag, combinations, exclusions. */
export function generateFilter(prng: Prng): WorkloadFilter {
  const category = (): WorkloadCondition => ({ key: 'category', match: prng.pick(PAYLOAD_CATEGORIES) });
  const tag = (): WorkloadCondition => ({ key: 'tags', match: prng.pick(PAYLOAD_TAGS) });
  const price = (): WorkloadCondition => {
    const low = round(1 + prng.next() * 150, 2);
    return { key: 'price', range: { gte: low, lt: round(low + 10 + prng.next() * 90, 2) } };
  };
  switch (prng.int(5)) {
    case 0:
      return { must: [category()] };
    case 1:
      return { must: [price()] };
    case 2:
      return { must: [tag()] };
    case 3:
      return { must: [category(), price()] };
    default:
      return { must: [category()], must_not: [tag()] };
  }
}

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  pick<T>(items: readonly T[]): T;
}

/** sfc32 seeded through splitmix32: fast, 128-bit state, passes PractRand — plenty for workloads. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state);
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** A seed for one stream (e.g. point 42, version 3) derived from the workload seed by hashing. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let hash = mix32(seed >>> 0) ^ mix32(Math.floor(seed / 4294967296) >>> 0);
  for (const part of parts) {
    // Parts may exceed 32 bits (request indexes): fold both halves in.
    hash = mix32((hash ^ Math.imul(part >>> 0, 0x9e3779b1)) >>> 0);
    hash = mix32((hash ^ Math.imul(Math.floor(part / 4294967296) >>> 0, 0x85ebca6b)) >>> 0);
  }
  return hash >>> 0;
}

const STREAM_MIX = 1;
const STREAM_POINT = 2;
const STREAM_SEARCH = 3;
const STREAM_CENTRE = 4;

/** murmur3's fmix32 finaliser. */
function mix32(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 0.6 × category centre + noise, rounded to 4 decimals to keep bodies compact (~8 bytes a number). */
function clusteredVector(w: VectordWorkload, prng: Prng, categoryIndex: number): number[] {
  const centre = categoryCentre(w.seed, w.dimension, categoryIndex);
  return Array.from(centre, (c) => round(0.6 * c + 0.8 * prng.normal(), 4));
}

/**
 * Centres are a pure function of (seed, dimension, category), memoised because every generated
 * vector needs one: recomputing 768 normals per vector would double the generator's cost. The
 * cache only ever changes speed, never output, and is cleared rather than grown without bound.
 */
const centres = new Map<string, Float64Array>();
const MAX_CACHED_CENTRES = 256;

function categoryCentre(seed: number, dimension: number, categoryIndex: number): Float64Array {
  const key = `${seed}:${dimension}:${categoryIndex}`;
  let centre = centres.get(key);
  if (!centre) {
    const prng = createPrng(deriveSeed(seed, STREAM_CENTRE, dimension, categoryIndex));
    centre = Float64Array.from({ length: dimension }, () => prng.normal());
    if (centres.size >= MAX_CACHED_CENTRES) centres.clear();
    centres.set(key, centre);
  }
  return centre;
}

function upsertRequest(w: VectordWorkload, points: WorkloadPoint[]): VectordRequest {
  return request(w, 'upsert', 'POST', VECTORD_ROUTES.points, '/points', { points }, 200);
}

function searchRequest(w: VectordWorkload, body: SearchBody): VectordRequest {
  return request(w, 'search', 'POST', VECTORD_ROUTES.search, '/search', body, 200);
}

function request(w: VectordWorkload, kind: VectordRequest['kind'], method: VectordRequest['method'], route: string, suffix: string, body: unknown, expectStatus: number): VectordRequest {
  return { kind, method, path: `/v1/collections/${encodeURIComponent(w.collection)}${suffix}`, route, body: JSON.stringify(body), expectStatus };
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
