// @ts-check
/**
 * The seeded vectord workloads of src/daemons/vectord/workload.ts, in plain JavaScript for k6
 * (which runs neither TypeScript imports nor Node modules). It is a line-for-line port: the same
 * seed and index give byte-for-byte the same request body as gauntlet's engine sends —
 * test/load-k6.test.ts checks that, so a k6 run and a gauntlet run measure the same traffic.
 */

export const ROUTES = {
  collection: '/v1/collections/{name}',
  points: '/v1/collections/{name}/points',
  search: '/v1/collections/{name}/search',
};

export const PAYLOAD_CATEGORIES = ['books', 'music', 'movies', 'games', 'garden', 'toys', 'tools', 'food'];
export const PAYLOAD_TAGS = ['new', 'sale', 'popular', 'limited', 'eco', 'gift'];

/**
 * @typedef {object} Workload
 * @property {number} seed
 * @property {string} collection
 * @property {number} dimension
 * @property {'cosine' | 'dot' | 'l2'} metric
 * @property {number} points
 * @property {number} batchSize
 * @property {number} upsertRatio
 * @property {number} filterRatio
 * @property {number} k
 * @property {boolean} withPayload
 */

/**
 * @typedef {object} VectordRequest
 * @property {'create-collection' | 'upsert' | 'search'} kind
 * @property {'PUT' | 'POST'} method
 * @property {string} path
 * @property {string} route
 * @property {string} body
 * @property {number} expectStatus
 */

/** @typedef {{ next(): number, int(n: number): number, normal(): number, pick<T>(items: readonly T[]): T }} Prng */

/** @type {Omit<Workload, 'seed' | 'collection'>} */
export const DEFAULT_WORKLOAD = {
  dimension: 128,
  metric: 'cosine',
  points: 5000,
  batchSize: 64,
  upsertRatio: 0.1,
  filterRatio: 0.3,
  k: 10,
  withPayload: false,
};

const STREAM_MIX = 1;
const STREAM_POINT = 2;
const STREAM_SEARCH = 3;
const STREAM_CENTRE = 4;

/**
 * @param {Partial<Workload> & { seed: number, collection: string }} options
 * @returns {Workload}
 */
export function defineWorkload(options) {
  return Object.assign({}, DEFAULT_WORKLOAD, options);
}

/** @param {Workload} w @returns {VectordRequest[]} */
export function setupRequests(w) {
  const requests = [request(w, 'create-collection', 'PUT', ROUTES.collection, '', { dimension: w.dimension, metric: w.metric }, 201)];
  for (let start = 0; start < w.points; start += w.batchSize) {
    const ids = Array.from({ length: Math.min(w.batchSize, w.points - start) }, (_, i) => start + i);
    requests.push(upsertRequest(w, ids.map((id) => generatePoint(w, id, 0))));
  }
  return requests;
}

/** @param {Workload} w @param {number} index @returns {VectordRequest} */
export function mixRequest(w, index) {
  const prng = createPrng(deriveSeed(w.seed, STREAM_MIX, index));
  if (prng.next() >= w.upsertRatio) return searchRequest(w, generateSearch(w, index));
  const batch = Array.from({ length: w.batchSize }, () => generatePoint(w, prng.int(w.points), index + 1));
  return upsertRequest(w, batch);
}

/** @param {Workload} w @param {number} id @param {number} version */
export function generatePoint(w, id, version) {
  const prng = createPrng(deriveSeed(w.seed, STREAM_POINT, id, version));
  const categoryIndex = prng.int(PAYLOAD_CATEGORIES.length);
  const tags = PAYLOAD_TAGS.filter(() => prng.next() < 0.25);
  const payload = { category: /** @type {string} */ (PAYLOAD_CATEGORIES[categoryIndex]), price: round(1 + prng.next() * 199, 2), tags };
  return { id, vector: clusteredVector(w, prng, categoryIndex), payload };
}

/** @param {Workload} w @param {number} index */
export function generateSearch(w, index) {
  const prng = createPrng(deriveSeed(w.seed, STREAM_SEARCH, index));
  const vector = clusteredVector(w, prng, prng.int(PAYLOAD_CATEGORIES.length));
  /** @type {{ vector: number[], k: number, filter?: object, with_payload: boolean }} */
  const body = { vector, k: w.k, with_payload: w.withPayload };
  if (prng.next() < w.filterRatio) body.filter = generateFilter(prng);
  return body;
}

/** @param {Prng} prng */
export function generateFilter(prng) {
  const category = () => ({ key: 'category', match: prng.pick(PAYLOAD_CATEGORIES) });
  const tag = () => ({ key: 'tags', match: prng.pick(PAYLOAD_TAGS) });
  const price = () => {
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

/** sfc32 seeded through splitmix32. @param {number} seed @returns {Prng} */
export function createPrng(seed) {
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
    pick: (items) => /** @type {any} */ (items[Math.floor(next() * items.length)]),
  };
}

/** @param {number} seed @param {...number} parts */
export function deriveSeed(seed, ...parts) {
  let hash = mix32(seed >>> 0) ^ mix32(Math.floor(seed / 4294967296) >>> 0);
  for (const part of parts) {
    hash = mix32((hash ^ Math.imul(part >>> 0, 0x9e3779b1)) >>> 0);
    hash = mix32((hash ^ Math.imul(Math.floor(part / 4294967296) >>> 0, 0x85ebca6b)) >>> 0);
  }
  return hash >>> 0;
}

/** @param {number} value */
function mix32(value) {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** @param {Workload} w @param {Prng} prng @param {number} categoryIndex */
function clusteredVector(w, prng, categoryIndex) {
  const centre = categoryCentre(w.seed, w.dimension, categoryIndex);
  return Array.from(centre, (c) => round(0.6 * c + 0.8 * prng.normal(), 4));
}

/** @type {Map<string, Float64Array>} */
const centres = new Map();

/** @param {number} seed @param {number} dimension @param {number} categoryIndex */
function categoryCentre(seed, dimension, categoryIndex) {
  const key = `${seed}:${dimension}:${categoryIndex}`;
  let centre = centres.get(key);
  if (!centre) {
    const prng = createPrng(deriveSeed(seed, STREAM_CENTRE, dimension, categoryIndex));
    centre = Float64Array.from({ length: dimension }, () => prng.normal());
    if (centres.size >= 256) centres.clear();
    centres.set(key, centre);
  }
  return centre;
}

/** @param {Workload} w @param {object[]} points */
function upsertRequest(w, points) {
  return request(w, 'upsert', 'POST', ROUTES.points, '/points', { points }, 200);
}

/** @param {Workload} w @param {object} body */
function searchRequest(w, body) {
  return request(w, 'search', 'POST', ROUTES.search, '/search', body, 200);
}

/**
 * @param {Workload} w
 * @param {VectordRequest['kind']} kind
 * @param {VectordRequest['method']} method
 * @param {string} route
 * @param {string} suffix
 * @param {unknown} body
 * @param {number} expectStatus
 * @returns {VectordRequest}
 */
function request(w, kind, method, route, suffix, body, expectStatus) {
  return { kind, method, path: `/v1/collections/${encodeURIComponent(w.collection)}${suffix}`, route, body: JSON.stringify(body), expectStatus };
}

/** @param {number} value @param {number} decimals */
function round(value, decimals) {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
