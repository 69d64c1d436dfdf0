/** The smoke chain: suites of checks per service, run against every runtime, judged from the store. */
export { runSmokePhase, type SmokePhaseOptions } from './drive.ts';
