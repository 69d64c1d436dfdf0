/** `daemon validatord|vectord`: a reference twin in the foreground until interrupted — e.g. to point your own tools at it. */
import { spawnDaemon, type DaemonService } from '../daemons/index.ts';
import type { Outcome, Output } from './output.ts';
import { untilAborted } from './record.ts';

export interface DaemonInput {
  service: DaemonService;
  flavour: 'rust' | 'go';
  host?: string | undefined;
  port?: number | undefined;
  otlpEndpoint?: string | undefined;
}

export async function runReferenceDaemon(input: DaemonInput, out: Output): Promise<Outcome> {
  const daemon = await spawnDaemon({
    service: input.service,
    flavour: input.flavour,
    ...(input.host !== undefined ? { host: input.host } : {}),
    ...(input.port !== undefined ? { port: input.port } : {}),
    ...(input.otlpEndpoint !== undefined ? { otlpEndpoint: input.otlpEndpoint } : {}),
  });
  out.stdout.write(`${input.service} (${daemon.runtime}) listening on ${daemon.url} — Ctrl-C to stop\n`);
  await untilAborted(out.signal);
  await daemon.stop();
  return 'ok';
}
