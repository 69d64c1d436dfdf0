import { Counter, Gauge, Registry } from 'prom-client';
import { StackTelemetry as T } from '../../contract/index.ts';

export interface SupervisorMetrics {
  registry: Registry;
  restarts: Counter<string>;
  healthy: Gauge<string>;
  up: Gauge<string>;
  startTime: Gauge<string>;
  checks: Counter<string>;
}

/** The supervisor's own Prometheus metrics (names from the telemetry contract, src/contract/stack.ts). */
export function createSupervisorMetrics(): SupervisorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const labelNames = [...T.STACK_METRIC_LABELS];
  return {
    registry,
    restarts: new Counter({ name: T.METRIC_STACK_RESTARTS, help: 'Restarts of a persistent-stack daemon after it exited.', labelNames, registers }),
    healthy: new Gauge({ name: T.METRIC_STACK_HEALTHY, help: '1 when the daemon’s last health check passed, else 0.', labelNames, registers }),
    up: new Gauge({ name: T.METRIC_STACK_UP, help: '1 while the daemon’s process runs, else 0.', labelNames, registers }),
    startTime: new Gauge({ name: T.METRIC_STACK_START_TIME, help: 'Unix time the daemon’s current process started.', labelNames, registers }),
    checks: new Counter({ name: T.METRIC_STACK_HEALTH_CHECKS, help: 'Health checks of persistent-stack daemons, by result: ok, fail, or starting (failed while the daemon starts, which is expected).', labelNames: [...labelNames, 'result'], registers }),
  };
}
