/**
 * Load runs as stored: the metric family's aggregation (per scenario × runtime × route × status
 * class), k6 threshold evaluation over it, the recorded plan and report types, and the k6 imports.
 * Shared by the engine (abortOnFail), the analyser (the load report) and the reporters.
 */
export { aggregateLoadPoints, mergeHists, quantileOf, isFailureClass, isJudgedClass, type ExpHist, type RuntimeAgg, type SeriesAgg } from './aggregate.ts';
export { evaluateThreshold, latencyStats, k6LatencyStats, latencyOf } from './evaluate.ts';
export { newHistogram, toExponential, statusClassOf, type SeriesResult } from './hdr.ts';
export { importK6Json } from './k6-json.ts';
export { importK6Summary, looksLikeSummary, type K6Import, type K6ImportOptions } from './k6-summary.ts';
export type { LoadReport, LoadSource, RecordedPlan, RecordedThreshold, RuntimeSummary, ScenarioSummary, RouteSummary, LatencyStats, ThresholdResult, LoadBlock, LoadTimeline } from './report-types.ts';
