/** The load engine's front door: what the CLI, tests and benches may use. */
export { loadScenarioFile, planScenarios, type LoadPlan } from './plan.ts';
export { ScenarioFileSchema, parseDuration, EXECUTORS, type ScenarioFile, type Scenario } from './scenario-schema.ts';
export { runLoad, recordedPlan, type LoadProgress, type LoadRunResult, type RunLoadOptions } from './run.ts';
export { defaultWorkers } from './pool.ts';
export { loadReportFromStore, buildLoadReport, findRunSpan } from './summary.ts';
export { aggregateLoadPoints } from './aggregate.ts';
export { renderLoadReport, loadVerdictLine, progressLine } from './render.ts';
export { assertLoopback, assertReachable, isLoopbackHost } from './targets.ts';
export { newHistogram, toExponential } from './hdr.ts';
export * from './metric-names.ts';
export type { LoadReport, LoadSource, RecordedPlan, RecordedThreshold, RuntimeSummary, ScenarioSummary, RouteSummary, LatencyStats, ThresholdResult } from './report-types.ts';
export type { EngineSettings, LoadTarget, PlannedScenario, WorkloadSpec } from './types.ts';
