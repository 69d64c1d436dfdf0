/**
 * The persistent stack supervisor's telemetry (`gauntlet stack up`): its Prometheus metrics on
 * `supervisor.metricsListen` and its spans. Labels are low-cardinality: the stack and daemon names
 * come from the stack file, never from traffic.
 */

/** Counter: restarts of a daemon after it exited (crash or exit), by stack and daemon. */
export const METRIC_STACK_RESTARTS = 'gauntlet_stack_daemon_restarts_total';
/** Gauge: 1 when the daemon's last health check passed, else 0. */
export const METRIC_STACK_HEALTHY = 'gauntlet_stack_daemon_healthy';
/** Gauge: 1 while the daemon's process is running, else 0. */
export const METRIC_STACK_UP = 'gauntlet_stack_daemon_up';
/** Gauge: Unix seconds when the daemon's current process started (uptime = time() - this). */
export const METRIC_STACK_START_TIME = 'gauntlet_stack_daemon_start_time_seconds';
/** Counter: health checks by result (ok, fail). */
export const METRIC_STACK_HEALTH_CHECKS = 'gauntlet_stack_health_checks_total';
export const STACK_METRIC_LABELS = ['stack', 'daemon'] as const;

/** Span: one daemon start, from spawn to its first healthy check (or failure). */
export const SPAN_STACK_DAEMON_START = 'gauntlet stack.daemon.start';
/** Span: one daemon stop, SIGTERM to exit (SIGKILL after the grace period). */
export const SPAN_STACK_DAEMON_STOP = 'gauntlet stack.daemon.stop';
export const ATTR_STACK_NAME = 'gauntlet.stack.name';
export const ATTR_STACK_DAEMON = 'gauntlet.stack.daemon';
/** Why a start happened: `up` (new in the file), `changed` (its definition changed), `restart` (it exited). */
export const ATTR_STACK_START_REASON = 'gauntlet.stack.start.reason';
export const ATTR_STACK_RESTARTS = 'gauntlet.stack.restarts';
/** `sigterm` or `sigkill`: how the stop ended. */
export const ATTR_STACK_STOP_SIGNAL = 'gauntlet.stack.stop.signal';
