import { runReferenceDaemon } from '../../app/daemon.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

export function daemonCommand(o: CommandOptions<'daemon'>, _positionals: string[], out: Output): Promise<Outcome> {
  return runReferenceDaemon({ flavour: o.flavour, host: o.host, port: o.port, otlpEndpoint: o['otlp-endpoint'] }, out);
}
