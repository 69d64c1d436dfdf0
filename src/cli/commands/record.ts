import { loadConfig, type LoadedConfig } from '../../config/index.ts';
import { makeRedactionRules, parseByteSize, parseListen, startRecordProxy, type RecordProxyStats } from '../../record/index.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

/** `--service`, else the config's only service: a recording must say which service it is traffic of. */
export function pickService(cli: ParsedCLI, loaded: LoadedConfig): string {
  if (typeof cli.options.service === 'string') return cli.options.service;
  const names = Object.keys(loaded.config.stack.services);
  if (names.length === 1) return names[0]!;
  throw new GauntletError('GAUNTLET_USAGE', `say which service this traffic belongs to: --service NAME (the config has ${names.join(', ')})`);
}

export function describeRecordStats(s: RecordProxyStats): string {
  const extra = [
    s.dropped ? `${s.dropped} not recorded (total size cap)` : '',
    s.upstreamErrors ? `${s.upstreamErrors} upstream errors (not recorded)` : '',
    s.rejected ? `${s.rejected} refused (body too large)` : '',
    s.writeErrors ? `${s.writeErrors} write errors` : '',
  ].filter(Boolean);
  return `recorded ${s.exchanges} exchange${s.exchanges === 1 ? '' : 's'} of ${s.requests} request${s.requests === 1 ? '' : 's'} to ${s.files.join(', ') || '(no file)'}${extra.length ? ` · ${extra.join(' · ')}` : ''}`;
}

/**
 * `gauntlet record`: a recording reverse proxy in the foreground. SIGINT/SIGTERM is the normal
 * way to stop it, so it exits 0 after finishing in-flight exchanges and renaming the file.
 */
export async function recordCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const { host, port } = parseListen(cli.options.listen as string);
  const maxBytes = parseByteSize('max-bytes', cli.options['max-bytes']);
  const maxTotalBytes = parseByteSize('max-total-bytes', cli.options['max-total-bytes']);
  const maxBodyBytes = parseByteSize('max-body-bytes', cli.options['max-body-bytes']);
  const out = cli.options.out as string;
  const proxy = await startRecordProxy({
    host,
    port,
    upstream: cli.options.upstream as string,
    out,
    service: pickService(cli, loaded),
    rules: makeRedactionRules(loaded.config.redact),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    ...(maxTotalBytes !== undefined ? { maxTotalBytes } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    allowRemote: cli.options['allow-remote'] === true,
    onWarning: (m) => ctx.stderr.write(`warning: ${m}\n`),
  });
  ctx.stdout.write(`gauntlet record: listening on ${proxy.url} → ${String(cli.options.upstream)}, recording to ${out} — Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const stats = await proxy.close();
  ctx.stdout.write(`gauntlet record: ${describeRecordStats(stats)}\n`);
  return 0;
}
