import { goFloat64, goString, goValue } from '../common/json-go.ts';
import type { ScoredPoint } from './model.ts';
import type { VectordWire } from './wire.ts';

/**
 * vectord as the Go build (net/http + encoding/json, `json.Marshal` then `w.Write`) writes it.
 * The emulated types:
 *
 * ```go
 * // Returned as-is by the create and stats handlers. An internal struct without json tags, so
 * // encoding/json writes the exported Go names: {"Name":…,"Dimension":…,"PointsCount":…}.
 * type CollectionStats struct {
 *     Name        string
 *     Dimension   int
 *     Metric      string
 *     PointsCount int
 * }
 *
 * type SearchResponse struct {
 *     Result []Hit `json:"result"` // built with append from a nil slice: no hits → null
 * }
 *
 * type Hit struct {
 *     ID      any            `json:"id"`
 *     Score   float64        `json:"score"`             // full float64: 0.8123456789012345
 *     Payload map[string]any `json:"payload,omitempty"` // keys sorted by encoding/json
 * }
 * ```
 */
export const goWire: VectordWire = {
  runtime: 'go',
  encodeCollection: (stats) =>
    `{"Name":${goString(stats.name)},"Dimension":${stats.dimension},"Metric":"${stats.metric}","PointsCount":${stats.pointsCount}}`,
  encodeUpsert: (counts, pointsCount) => `{"inserted":${counts.inserted},"updated":${counts.updated},"points_count":${pointsCount}}`,
  encodeSearch: (hits, withPayload) =>
    `{"result":${hits.length === 0 ? 'null' : `[${hits.map((hit) => encodeHit(hit, withPayload)).join(',')}]`}}`,
  encodeCollectionDeleted: () => '{"deleted":true}',
  encodePointDeleted: (pointsCount) => `{"deleted":true,"points_count":${pointsCount}}`,
  encodeError: (message) => `{"error":${goString(message)}}`,
  encodeHealth: () => '{"status":"ok"}',
};

function encodeHit(hit: ScoredPoint, withPayload: boolean): string {
  // An integer id decoded into `any` is a float64; goFloat64 prints it as the integer it is.
  const id = typeof hit.id === 'number' ? goFloat64(hit.id) : goString(hit.id);
  // omitempty drops a nil map and an empty one alike.
  const payload = withPayload && hit.payload && Object.keys(hit.payload).length > 0 ? `,"payload":${goValue(hit.payload)}` : '';
  return `{"id":${id},"score":${goFloat64(hit.score)}${payload}}`;
}
