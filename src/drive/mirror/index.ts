// Front door of the mirror driver: the live shadow-traffic proxy and its copy path.
export { startMirror, type Mirror, type MirrorOptions } from './mirror.ts';
export { CopyEngine, type CopyEngineOptions } from './copy-engine.ts';
export { describeMirrorStats } from './describe.ts';
export { liveRouteLabeller, OTHER_ROUTE } from './route.ts';
export { BoundedWorkQueue } from './queue.ts';
export type { CopyJob, CopyPath, CopyStats, MirrorRuntime, MirrorStats } from './types.ts';
export { startProxyProcess, lowerOwnPriority, type ProxyProcess } from './proxy-host.ts';
export { serveCopies } from './remote-path.ts';
