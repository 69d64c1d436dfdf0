import { matchesFilter, type Filter } from './filter.ts';
import { compareIds, higherIsBetter, type Metric, type Payload, type PointId, type PointInput, type ScoredPoint, type UpsertCounts, type VectorIndex, SEARCH_SHARDS, visitDirectly, type ShardVisitor } from './model.ts';
import { BoundedTopK, type RanksBelow } from './top-k.ts';

const INITIAL_CAPACITY = 64;
const f32 = Math.fround;

/**
 * The rust flavour's storage, the way a Rust port lays it out: struct-of-arrays with every vector
 * in one contiguous `Vec<f32>` arena (slot i at [i·d, (i+1)·d)), ids and payloads in parallel
 * vectors, a HashMap id → slot, swap-remove on delete. Arithmetic is f32 throughout — each product
 * and sum is rounded with Math.fround, so scores are exactly what f32 code computes, not f64 scores
 * truncated at the end. Cosine vectors are normalised once on upsert (as Qdrant does), so a cosine
 * search is a dot product. Top-k uses a bounded heap.
 */
export class ArenaIndex implements VectorIndex {
  private arena: Float32Array;
  private readonly ids: PointId[] = [];
  private readonly payloads: Array<Payload | undefined> = [];
  private readonly slotOf = new Map<PointId, number>();
  private count = 0;

  constructor(
    readonly dimension: number,
    readonly metric: Metric,
  ) {
    this.arena = new Float32Array(dimension * INITIAL_CAPACITY);
  }

  get size(): number {
    return this.count;
  }

  upsert(points: readonly PointInput[]): UpsertCounts {
    const counts = { inserted: 0, updated: 0 };
    for (const point of points) {
      let slot = this.slotOf.get(point.id);
      if (slot === undefined) {
        slot = this.count++;
        this.reserve(this.count);
        this.slotOf.set(point.id, slot);
        this.ids[slot] = point.id;
        counts.inserted++;
      } else {
        counts.updated++;
      }
      this.payloads[slot] = point.payload;
      this.arena.set(this.prepare(point.vector), slot * this.dimension);
    }
    return counts;
  }

  delete(id: PointId): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const last = --this.count;
    this.slotOf.delete(id);
    if (slot !== last) {
      const d = this.dimension;
      this.arena.copyWithin(slot * d, last * d, (last + 1) * d);
      const movedId = this.ids[last]!;
      this.ids[slot] = movedId;
      this.payloads[slot] = this.payloads[last];
      this.slotOf.set(movedId, slot);
    }
    this.ids.length = last;
    this.payloads.length = last;
    return true;
  }

  search(query: readonly number[], k: number, filter: Filter | undefined, visit: ShardVisitor = visitDirectly): ScoredPoint[] {
    const q = this.prepare(query);
    const top = new BoundedTopK(Math.min(k, this.count), this.ranksBelow());
    const score = this.metric === 'l2' ? l2DistanceF32 : dotF32;
    const per = Math.ceil(this.count / SEARCH_SHARDS);
    for (let shard = 0; shard < SEARCH_SHARDS; shard++) {
      visit(shard, () => {
        for (let slot = shard * per; slot < Math.min(this.count, (shard + 1) * per); slot++) {
          if (filter && !matchesFilter(filter, this.payloads[slot])) continue;
          top.offer(slot, score(this.arena, slot * this.dimension, q));
        }
      });
    }
    return top.drainBestFirst().map(({ slot, score: s }) => ({ id: this.ids[slot]!, score: s, payload: this.payloads[slot] }));
  }

  /** The input as f32, unit length for cosine (a zero vector stays zero and scores 0). */
  private prepare(vector: readonly number[]): Float32Array {
    const out = Float32Array.from(vector);
    if (this.metric !== 'cosine') return out;
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum = f32(sum + f32(out[i]! * out[i]!));
    const norm = f32(Math.sqrt(sum));
    if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm; // the store rounds to f32
    return out;
  }

  private ranksBelow(): RanksBelow {
    const ids = this.ids;
    return higherIsBetter(this.metric)
      ? (sa, a, sb, b) => sa < sb || (sa === sb && compareIds(ids[a]!, ids[b]!) > 0)
      : (sa, a, sb, b) => sa > sb || (sa === sb && compareIds(ids[a]!, ids[b]!) > 0);
  }

  private reserve(slots: number): void {
    const needed = slots * this.dimension;
    if (needed <= this.arena.length) return;
    // Vec-style doubling: amortised O(1) growth, one copy per doubling.
    const grown = new Float32Array(Math.max(needed, this.arena.length * 2));
    grown.set(this.arena);
    this.arena = grown;
  }
}

function dotF32(arena: Float32Array, base: number, q: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < q.length; i++) acc = f32(acc + f32(arena[base + i]! * q[i]!));
  return acc;
}

function l2DistanceF32(arena: Float32Array, base: number, q: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < q.length; i++) {
    const diff = f32(arena[base + i]! - q[i]!);
    acc = f32(acc + f32(diff * diff));
  }
  return f32(Math.sqrt(acc));
}
