import type { Flavour } from '../common/args.ts';
import { goWire } from './encode-go.ts';
import { rustWire } from './encode-rust.ts';
import { ArenaIndex } from './index-arena.ts';
import { SliceIndex } from './index-slices.ts';
import type { IndexFactory, Metric, ScoredPoint, UpsertCounts } from './model.ts';

export interface CollectionStats {
  name: string;
  dimension: number;
  metric: Metric;
  pointsCount: number;
}

/**
 * Everything vectord says in bytes. The handler decides *what* to answer (and the status, which
 * never differs between flavours); a wire format decides how the emulated runtime spells it.
 * Every body is `application/json`, written without a trailing newline.
 */
export interface VectordWire {
  readonly runtime: Flavour;
  /** 201 on create and 200 on `GET /v1/collections/{name}`. */
  encodeCollection(stats: CollectionStats): string;
  encodeUpsert(counts: UpsertCounts, pointsCount: number): string;
  /** `hits` best first; payloads are written only when the request asked `with_payload`. */
  encodeSearch(hits: readonly ScoredPoint[], withPayload: boolean): string;
  encodeCollectionDeleted(): string;
  encodePointDeleted(pointsCount: number): string;
  /** Body of every 4xx/5xx: `{"error":"…"}`. */
  encodeError(message: string): string;
  encodeHealth(): string;
}

/** A flavour = how it stores and searches + how it writes JSON. */
export interface VectordFlavour {
  wire: VectordWire;
  createIndex: IndexFactory;
}

export const VECTORD_FLAVOURS: Record<Flavour, VectordFlavour> = {
  rust: { wire: rustWire, createIndex: (dimension, metric) => new ArenaIndex(dimension, metric) },
  go: { wire: goWire, createIndex: (dimension, metric) => new SliceIndex(dimension, metric) },
};
