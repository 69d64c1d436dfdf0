/**
 * Route templates: the `http.route` of SERVER spans and the `http_route` metric label. In a file of
 * their own so the workload helpers (loaded by load-engine workers) need nothing server-side.
 */
export const VECTORD_ROUTES = {
  collection: '/v1/collections/{name}',
  points: '/v1/collections/{name}/points',
  point: '/v1/collections/{name}/points/{id}',
  search: '/v1/collections/{name}/search',
  health: '/healthz',
  metrics: '/metrics',
} as const;

/** The route `--fault-latency-ms` slows down unless `--fault-route` names another. */
export const VECTORD_DEFAULT_FAULT_ROUTE = VECTORD_ROUTES.search;
