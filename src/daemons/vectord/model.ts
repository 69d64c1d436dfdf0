import type { Filter } from './filter.ts';

/**
 * How a collection scores a hit. `cosine` and `dot` are similarities (higher is better); `l2` is
 * the Euclidean distance itself (smaller is better), and that distance is what a hit's `score`
 * carries — hits come back sorted ascending by it. Returning the distance rather than a negated
 * or inverted similarity keeps the number meaningful to a caller and the same in both flavours.
 */
export const METRICS = ['cosine', 'dot', 'l2'] as const;
export type Metric = (typeof METRICS)[number];

/** An unsigned integer (a safe JavaScript integer) or a string that is not all digits. */
export type PointId = number | string;
export type Payload = Record<string, unknown>;

export interface PointInput {
  id: PointId;
  vector: readonly number[];
  payload: Payload | undefined;
}

export interface ScoredPoint {
  id: PointId;
  /** f32-exact in the rust flavour, full float64 in the go flavour. */
  score: number;
  payload: Payload | undefined;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/**
 * One collection's points, as each flavour stores and searches them. Both implementations are
 * exact (brute force) and must return the same hits; they differ in layout and arithmetic, which
 * is where their latency difference comes from.
 */
export interface VectorIndex {
  readonly dimension: number;
  readonly metric: Metric;
  readonly size: number;
  /** Points are already validated (dimension, finite values); a known id is overwritten. */
  upsert(points: readonly PointInput[]): UpsertCounts;
  delete(id: PointId): boolean;
  /** At most `k` hits, best first, ties broken by `compareIds`. */
  search(query: readonly number[], k: number, filter: Filter | undefined, visit?: ShardVisitor): ScoredPoint[];
}

/** Searches scan their points in this many contiguous shards (in order, so results do not change). */
export const SEARCH_SHARDS = 4;
/** Called once per shard with the scan of that shard: the handler wraps each in a span. */
export type ShardVisitor = (shard: number, scan: () => void) => void;
export const visitDirectly: ShardVisitor = (_shard, scan) => scan();

export type IndexFactory = (dimension: number, metric: Metric) => VectorIndex;

export function higherIsBetter(metric: Metric): boolean {
  return metric !== 'l2';
}

/**
 * The deterministic tie-break both flavours share: integer ids before string ids, integers
 * ascending, strings by Unicode code point — which is byte order of their UTF-8, what Rust's `Ord`
 * for `str` and Go's `<` on strings give. JavaScript's `<` compares UTF-16 code units instead,
 * which disagrees once astral characters meet U+E000..U+FFFF, hence the remap.
 */
export function compareIds(a: PointId, b: PointId): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (astral code points) above U+E000..U+FFFF, as code-point order has them. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}
