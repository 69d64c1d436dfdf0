import { runReferenceDaemon } from '../../app/daemon.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions, ReferenceDaemon } from '../table.ts';

export function daemonCommand(o: CommandOptions<'daemon'>, positionals: string[], out: Output): Promise<Outcome> {
  return runReferenceDaemon({ service: positionals[0] as ReferenceDaemon, flavour: o.flavour, host: o.host, port: o.port, otlpEndpoint: o['otlp-endpoint'] }, out);
}
