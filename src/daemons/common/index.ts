// Front door of the building blocks the reference daemons (validatord, vectord) share.
export { DAEMON_USAGE, FLAVOURS, parseDaemonArgs, type DaemonArgs, type FaultLatency, type Flavour } from './args.ts';
export { applyFaultLatency, createFaultSchedule, withFaultLatency } from './fault.ts';
export { FRAMEWORKS, type FrameworkFallbacks, type RouteResponse } from './frameworks.ts';
export { BodyTooLargeError, createDaemonServer, readBody, type Route, type RouteContext, type RouteHandler } from './http-server.ts';
export { goFloat64, goSprint, goString, goStringSlice, goValue } from './json-go.ts';
export { serdeF32, serdeF64, serdeString, serdeValue } from './json-serde.ts';
export { reportStartupFailure, runDaemon, type ListeningEvent } from './lifecycle.ts';
export { createDaemonMetrics, HTTP_SERVER_DURATION_BUCKETS, type DaemonMetrics } from './metrics.ts';
export { SPAN_EXPORT_DELAY_MS, startTracing, type Tracing } from './tracing.ts';
