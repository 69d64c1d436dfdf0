/**
 * The drivers' front door: each sends requests and emits spans/metrics — and hands nothing to
 * judgement. The application layer (src/app) wires them to a session, the store and the analyser.
 */
export { startStack, type RunningStack, type ServiceEndpoints, type RuntimeEndpoint } from './stack.ts';
export { newRunId, newPairId } from './run-id.ts';
export { runParityPhase, type DriveSession } from './session.ts';
export { driveParity, buildCaseRequest, type ParityDriveOptions } from './parity.ts';
export { planReplay, driveReplay, runReplayPhase, type ReplayEntry, type ReplayPlan, type ReplayDriveResult, type LiveCounts } from './replay.ts';
export { pacingFromOptions, describePacing, type Pacing } from './pacing.ts';
export { runSmokePhase, type SmokePhaseOptions } from './smoke/index.ts';
export { streamReplay } from './replay.ts';
export { mergeRecordings, REORDER_WINDOW } from './replay-stream.ts';
export { downStack, readStackStatus, stackLogFiles, upStack, type DownResult, type StackControlOptions, type StackStatus, type UpResult } from './persistent/control.ts';
export { readPersistentStack, type PersistentStack } from './persistent/resolve.ts';
export type { DaemonState, StackState, ApplyResult } from './persistent/state.ts';
export { warmUpSpanPipeline } from './persistent/warm-up.ts';
