/** The smoke chain: suites of checks per service, run against every runtime, judged from the store. */
export { loadSmokeSuites, type LoadedSuite, type SkippedSuite, type SmokePlan } from './load.ts';
export { runSmokePhase, type SmokePhaseOptions } from './drive.ts';
