// Front door of the mirror driver: the live shadow-traffic proxy, its copy path and its daemon loop.
export { startMirror, type Mirror, type MirrorOptions } from './mirror.ts';
export { CopyEngine, type CopyEngineOptions } from './copy-engine.ts';
export { runMirror, type RunMirrorOptions, type RunMirrorResult } from './run.ts';
export { describeMirrorStats } from './describe.ts';
export { liveRouteLabeller, OTHER_ROUTE } from './route.ts';
export { BoundedWorkQueue } from './queue.ts';
export type { CopyJob, CopyPath, CopyStats, MirrorRuntime, MirrorStats } from './types.ts';
