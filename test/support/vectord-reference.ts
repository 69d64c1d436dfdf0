import { expect } from 'vitest';

/**
 * An independent brute-force reference for vectord searches, in plain float64 and written from the
 * API description rather than from the daemon's code, so the twins are checked against the spec.
 */

export type RefId = number | string;
export type RefMetric = 'cosine' | 'dot' | 'l2';
export interface RefPoint {
  id: RefId;
  vector: readonly number[];
  payload?: Record<string, unknown> | undefined;
}
type RefCondition = { key: string; match?: unknown; range?: { gt?: number; gte?: number; lt?: number; lte?: number } };
export interface RefFilter {
  must?: RefCondition[];
  must_not?: RefCondition[];
}
export interface RefHit {
  id: RefId;
  score: number;
}

export function referenceScore(metric: RefMetric, a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let squares = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
    squares += (a[i]! - b[i]!) ** 2;
  }
  if (metric === 'dot') return dot;
  if (metric === 'l2') return Math.sqrt(squares);
  return aa === 0 || bb === 0 ? 0 : dot / (Math.sqrt(aa) * Math.sqrt(bb));
}

/** Integer ids first (ascending), then strings (test ids are ASCII, so `<` is code-point order). */
export function compareRefIds(a: RefId, b: RefId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function referenceMatches(filter: RefFilter | undefined, payload: Record<string, unknown> | undefined): boolean {
  const holds = (c: RefCondition) => {
    if (!payload || !(c.key in payload)) return false;
    const raw = payload[c.key];
    const values = Array.isArray(raw) ? raw : [raw];
    if (c.range) {
      const r = c.range;
      return values.some(
        (v) => typeof v === 'number' && (r.gt === undefined || v > r.gt) && (r.gte === undefined || v >= r.gte) && (r.lt === undefined || v < r.lt) && (r.lte === undefined || v <= r.lte),
      );
    }
    return values.includes(c.match);
  };
  return (filter?.must ?? []).every(holds) && !(filter?.must_not ?? []).some(holds);
}

/** Every point's reference score (for near-tie checks) and the exact top k. */
export function referenceSearch(
  points: readonly RefPoint[],
  metric: RefMetric,
  query: readonly number[],
  k: number,
  filter?: RefFilter,
): { top: RefHit[]; scoreOf: Map<RefId, number> } {
  const scored = points.filter((p) => referenceMatches(filter, p.payload)).map((p) => ({ id: p.id, score: referenceScore(metric, p.vector, query) }));
  const sign = metric === 'l2' ? 1 : -1;
  scored.sort((a, b) => (a.score !== b.score ? sign * (a.score - b.score) : compareRefIds(a.id, b.id)));
  return { top: scored.slice(0, k), scoreOf: new Map(scored.map((h) => [h.id, h.score])) };
}

/**
 * The hits are the reference's top k within `relTol` (relative to max(1, |score|)): same length,
 * each position's score matches, and each id is the reference's — or a near-tie of it, since f32
 * rounding may legitimately swap two points whose scores differ by less than the tolerance.
 */
export function expectSameTopK(label: string, got: readonly RefHit[], want: { top: RefHit[]; scoreOf: Map<RefId, number> }, relTol: number): void {
  const tol = (score: number) => relTol * Math.max(1, Math.abs(score));
  expect(got.map((h) => h.id).length, `${label}: hit count`).toBe(want.top.length);
  expect(new Set(got.map((h) => h.id)).size, `${label}: duplicate ids`).toBe(got.length);
  want.top.forEach((expected, i) => {
    const hit = got[i]!;
    expect(Math.abs(hit.score - expected.score), `${label}: score at [${i}] ${hit.score} vs reference ${expected.score}`).toBeLessThanOrEqual(tol(expected.score));
    if (hit.id !== expected.id) {
      const refScoreOfHit = want.scoreOf.get(hit.id);
      expect(refScoreOfHit, `${label}: [${i}] id ${hit.id} is not a candidate`).toBeDefined();
      expect(Math.abs(refScoreOfHit! - expected.score), `${label}: [${i}] id ${hit.id} where the reference has ${expected.id}`).toBeLessThanOrEqual(tol(expected.score));
    }
  });
}
