import { serveMirror } from '../../app/mirror-command.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

export function mirrorCommand(o: CommandOptions<'mirror'>, _positionals: string[], out: Output): Promise<Outcome> {
  return serveMirror(
    {
      config: o.config,
      store: o.store,
      listen: o.listen,
      primary: o.primary,
      candidate: o.candidate,
      secondary: o.secondary,
      service: o.service,
      queue: o.queue,
      concurrency: o.concurrency,
      timeoutMs: o['timeout-ms'],
      maxBodyBytes: o['max-body-bytes'],
      sample: o.sample,
      copyNice: o['copy-nice'],
      unsafe: o.unsafe,
      metricsListen: o['metrics-listen'],
      allowRemote: o['allow-remote'],
      gateJson: o['gate-json'],
      quiet: o.quiet,
    },
    out,
  );
}
