import { spawnDaemon } from '../../daemons/index.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

/** Run a reference twin in the foreground until interrupted — e.g. to point your own tools at it. */
export async function daemonCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const daemon = await spawnDaemon({
    service: 'validatord',
    flavour: cli.options.flavour as 'rust' | 'go',
    ...(typeof cli.options.host === 'string' ? { host: cli.options.host } : {}),
    ...(typeof cli.options.port === 'string' ? { port: Number(cli.options.port) } : {}),
    ...(typeof cli.options['otlp-endpoint'] === 'string' ? { otlpEndpoint: cli.options['otlp-endpoint'] } : {}),
  });
  ctx.stdout.write(`validatord (${daemon.runtime}) listening on ${daemon.url} — Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await daemon.stop();
  return 0;
}
