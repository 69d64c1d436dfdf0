import type { ParityReport } from '../analyze/index.ts';
import type { GauntletConfig } from '../config/index.ts';
import type { GateResult } from '../gate/index.ts';
import type { ProbeSubscriber } from '../probe/types.ts';
import { createGauntletMetrics } from '../telemetry/metrics.ts';
import { recordJudgement } from './metrics-judgement.ts';
import { createMetricsSubscriber } from '../telemetry/metrics-probe.ts';
import { pushMetrics } from '../telemetry/metrics-push.ts';

/** A batch run's metrics on their way to a Pushgateway: probe subscribers while it runs, one push once judged. */
export interface BatchMetrics {
  readonly url: string;
  readonly subscribers: ProbeSubscriber[];
  /** Record the judged run and push; throws GAUNTLET_INPUT_INVALID naming the URL when the gateway is unreachable. */
  publish(report: ParityReport, gate: GateResult): Promise<void>;
}

/** undefined when neither `--pushgateway` nor `metrics.pushgateway` asks for a push. */
export function createBatchMetrics(flag: string | boolean | undefined, config: GauntletConfig['metrics']): BatchMetrics | undefined {
  const url = typeof flag === 'string' ? flag : config.pushgateway;
  if (!url) return undefined;
  // No process metrics: once pushed they would outlive the process they describe.
  const metrics = createGauntletMetrics();
  return {
    url,
    subscribers: [createMetricsSubscriber(metrics)],
    async publish(report, gate) {
      recordJudgement(metrics, report, gate);
      await pushMetrics(metrics.registry, { url, job: config.job, groupings: config.groupings });
    },
  };
}
