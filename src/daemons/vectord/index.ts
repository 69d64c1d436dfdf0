// Front door of the vectord reference twin (the process entry is main.ts).
export { parseFilter, matchesFilter, type Condition, type Filter } from './filter.ts';
export { createVectordRoutes } from './handler.ts';
export { ArenaIndex } from './index-arena.ts';
export { SliceIndex } from './index-slices.ts';
export { compareIds, higherIsBetter, METRICS, type Metric, type Payload, type PointId, type PointInput, type ScoredPoint, type VectorIndex } from './model.ts';
export { DEFAULT_K, MAX_DIMENSION, MAX_K } from './requests.ts';
export { VECTORD_DEFAULT_FAULT_ROUTE, VECTORD_ROUTES } from './routes.ts';
export { VECTORD_FLAVOURS, type CollectionStats, type VectordFlavour, type VectordWire } from './wire.ts';
export * from './workload.ts';
