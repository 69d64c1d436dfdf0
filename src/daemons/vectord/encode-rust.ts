import { serdeF32, serdeString, serdeValue } from '../common/json-serde.ts';
import type { ScoredPoint } from './model.ts';
import type { VectordWire } from './wire.ts';

/**
 * vectord as the Rust build (axum + serde_json) writes it. The emulated types:
 *
 * ```rust
 * #[derive(Serialize)]
 * struct CollectionInfo { name: String, dimension: usize, metric: Metric, points_count: usize }
 *
 * #[derive(Serialize)]
 * struct SearchResponse { result: Vec<ScoredPoint> }   // an empty Vec is `[]`
 *
 * #[derive(Serialize)]
 * struct ScoredPoint {
 *     id: PointId,                                       // #[serde(untagged)] enum { Num(u64), Str(String) }
 *     score: f32,                                        // ryu's shortest f32 digits: 0.81234567
 *     #[serde(skip_serializing_if = "Option::is_none")]
 *     payload: Option<serde_json::Map<String, Value>>,   // BTreeMap: keys sorted
 * }
 * ```
 */
export const rustWire: VectordWire = {
  runtime: 'rust',
  encodeCollection: (stats) =>
    `{"name":${serdeString(stats.name)},"dimension":${stats.dimension},"metric":"${stats.metric}","points_count":${stats.pointsCount}}`,
  encodeUpsert: (counts, pointsCount) => `{"inserted":${counts.inserted},"updated":${counts.updated},"points_count":${pointsCount}}`,
  encodeSearch: (hits, withPayload) => `{"result":[${hits.map((hit) => encodeHit(hit, withPayload)).join(',')}]}`,
  encodeCollectionDeleted: () => '{"deleted":true}',
  encodePointDeleted: (pointsCount) => `{"deleted":true,"points_count":${pointsCount}}`,
  encodeError: (message) => `{"error":${serdeString(message)}}`,
  encodeHealth: () => '{"status":"ok"}',
};

function encodeHit(hit: ScoredPoint, withPayload: boolean): string {
  const id = typeof hit.id === 'number' ? String(hit.id) : serdeString(hit.id);
  // `with_payload` on a point stored without one yields None, which is skipped as well.
  const payload = withPayload && hit.payload ? `,"payload":${serdeValue(hit.payload)}` : '';
  return `{"id":${id},"score":${serdeF32(hit.score)}${payload}}`;
}
