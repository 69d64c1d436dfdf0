import { matchesFilter, type Filter } from './filter.ts';
import { compareIds, higherIsBetter, type Metric, type Payload, type PointId, type PointInput, type ScoredPoint, type UpsertCounts, type VectorIndex, SEARCH_SHARDS, visitDirectly, type ShardVisitor } from './model.ts';

/** `type point struct { ID any; Vector []float64; Norm float64; Payload map[string]any }`. */
interface GoPoint {
  id: PointId;
  vector: Float64Array;
  norm: number;
  payload: Payload | undefined;
}

interface Candidate {
  point: GoPoint;
  score: number;
}

/**
 * The go flavour's storage, the way a straightforward Go port lays it out: array-of-structs — a
 * `map[PointID]*point`, each point owning its own `[]float64` — and float64 arithmetic. Cosine
 * keeps the raw vector and its cached norm and divides at query time. Search scores every
 * matching point into a candidate slice and `sort.Slice`s all of it before cutting to k:
 * O(n log n) and an allocation per candidate, where the rust flavour keeps a k-sized heap.
 */
export class SliceIndex implements VectorIndex {
  private readonly points = new Map<PointId, GoPoint>();

  constructor(
    readonly dimension: number,
    readonly metric: Metric,
  ) {}

  get size(): number {
    return this.points.size;
  }

  upsert(points: readonly PointInput[]): UpsertCounts {
    const counts = { inserted: 0, updated: 0 };
    for (const input of points) {
      const vector = Float64Array.from(input.vector);
      const point = { id: input.id, vector, norm: Math.sqrt(dot(vector, vector)), payload: input.payload };
      if (this.points.has(input.id)) counts.updated++;
      else counts.inserted++;
      this.points.set(input.id, point);
    }
    return counts;
  }

  delete(id: PointId): boolean {
    return this.points.delete(id);
  }

  search(query: readonly number[], k: number, filter: Filter | undefined, visit: ShardVisitor = visitDirectly): ScoredPoint[] {
    const q = Float64Array.from(query);
    const qNorm = Math.sqrt(dot(q, q));
    const candidates: Candidate[] = [];
    const points = [...this.points.values()];
    const per = Math.ceil(points.length / SEARCH_SHARDS);
    for (let shard = 0; shard < SEARCH_SHARDS; shard++) {
      visit(shard, () => {
        for (const point of points.slice(shard * per, (shard + 1) * per)) {
          if (filter && !matchesFilter(filter, point.payload)) continue;
          candidates.push({ point, score: this.score(point, q, qNorm) });
        }
      });
    }
    const better = higherIsBetter(this.metric);
    candidates.sort((a, b) => (a.score !== b.score ? (better ? b.score - a.score : a.score - b.score) : compareIds(a.point.id, b.point.id)));
    return candidates.slice(0, k).map(({ point, score }) => ({ id: point.id, score, payload: point.payload }));
  }

  private score(point: GoPoint, q: Float64Array, qNorm: number): number {
    switch (this.metric) {
      case 'dot':
        return dot(point.vector, q);
      case 'cosine':
        return point.norm === 0 || qNorm === 0 ? 0 : dot(point.vector, q) / (point.norm * qNorm);
      case 'l2':
        return l2Distance(point.vector, q);
    }
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i]! * b[i]!;
  return acc;
}

function l2Distance(a: Float64Array, b: Float64Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = a[i]! - b[i]!;
    acc += diff * diff;
  }
  return Math.sqrt(acc);
}
