/** The load engine's front door: plan a scenario file, run it against two runtimes, export its metrics. */
export { readScenarioFile, planScenarios, type LoadPlan } from './plan.ts';
export { runLoad, recordedPlan, type LoadProgress, type LoadRunResult, type RunLoadOptions } from './engine.ts';
export { defaultWorkers } from './pool.ts';
export { assertLoopback, assertReachable, isLoopbackHost } from './targets.ts';
export type { EngineSettings, LoadTarget, PlannedScenario, WorkloadSpec } from './types.ts';
