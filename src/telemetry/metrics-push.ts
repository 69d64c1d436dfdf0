import { Pushgateway, type Registry } from 'prom-client';
import { GauntletError } from '../util/errors.ts';

export interface PushOptions {
  url: string;
  job: string;
  /** Grouping labels beyond `job`. Never a run id: each distinct group lives in the gateway forever. */
  groupings?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * PUT a batch run's registry to a Pushgateway (replacing the group's previous push, so a CI job's
 * dashboard shows its latest verdict). Failing to reach it is the user's URL or network, not our
 * bug: a GAUNTLET_INPUT_INVALID naming the URL (exit 2) — thrown only after the caller has written
 * the run's own reports.
 */
export async function pushMetrics(registry: Registry, opts: PushOptions): Promise<void> {
  const gateway = new Pushgateway(opts.url, { timeout: opts.timeoutMs ?? 5_000 }, registry);
  try {
    await gateway.push({ jobName: opts.job, ...(opts.groupings && Object.keys(opts.groupings).length ? { groupings: opts.groupings } : {}) });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new GauntletError(
      'GAUNTLET_INPUT_INVALID',
      `cannot push metrics to the Pushgateway: ${reason}`,
      { url: opts.url, hint: 'check --pushgateway / metrics.pushgateway and that the gateway is up; the run\'s own reports were written' },
      { cause: err },
    );
  }
}
