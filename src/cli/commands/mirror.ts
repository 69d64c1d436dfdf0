import { assessmentLine } from '../../gate/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { loadConfig, type LoadedConfig, type MirrorConfig, type ServiceConfig } from '../../config/index.ts';
import { describeMirrorStats } from '../../drive/mirror/index.ts';
import { runMirror } from '../../app/mirror.ts';
import { parseByteSize, parseListen, parsePositive, parseUpstream } from '../../record/index.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

/**
 * Which service is mirrored, and to where. `--primary URL --candidate URL [--secondary URL]`
 * describe it on the command line (runtimes named after their roles; routes and noise rules still
 * come from the config's service of that name, if any); otherwise it is a service of the stack.
 */
export function resolveMirrorTarget(cli: ParsedCLI, loaded: LoadedConfig): { loaded: LoadedConfig; service: string } {
  const o = cli.options;
  const services = loaded.config.stack.services;
  const named = typeof o.service === 'string' ? o.service : loaded.config.mirror.service;
  if (o.primary !== undefined || o.candidate !== undefined || o.secondary !== undefined) {
    if (typeof o.primary !== 'string' || typeof o.candidate !== 'string') {
      throw new GauntletError('GAUNTLET_USAGE', 'mirror needs both --primary URL and --candidate URL (or neither, to mirror a service of the config)');
    }
    const service = named ?? (Object.keys(services).length === 1 ? Object.keys(services)[0]! : 'default');
    const runtimes: ServiceConfig['runtimes'] = {};
    for (const [role, url] of [['primary', o.primary], ['candidate', o.candidate], ['secondary', o.secondary]] as const) {
      if (typeof url !== 'string') continue;
      parseUpstream(url, `--${role}`);
      runtimes[role] = { url };
    }
    const routes = services[service]?.routes;
    const svc: ServiceConfig = { primary: 'primary', candidate: 'candidate', runtimes, ...(routes ? { routes } : {}) };
    return { loaded: { ...loaded, config: { ...loaded.config, stack: { services: { [service]: svc } } } }, service };
  }
  const names = Object.keys(services);
  const service = named ?? (names.length === 1 ? names[0] : undefined);
  if (service === undefined) {
    throw new GauntletError('GAUNTLET_USAGE', `say which service to mirror: --service NAME (the config has ${names.join(', ')})`, { hint: 'or give the runtimes directly: --primary URL --candidate URL' });
  }
  if (!(service in services)) {
    throw new GauntletError('GAUNTLET_USAGE', `service "${service}" is not in the stack (have: ${names.join(', ')})`, {
      hint: `add it under stack.services${loaded.file ? ` in ${loaded.file}` : ' (pass --config)'}, or give --primary URL --candidate URL`,
    });
  }
  return { loaded, service };
}

/** Config `mirror:` with the command line's overrides. */
function mirrorSettings(cli: ParsedCLI, base: MirrorConfig): MirrorConfig {
  const o = cli.options;
  return {
    ...base,
    queue: parsePositive('queue', o.queue, { integer: true, max: 1_000_000 }) ?? base.queue,
    concurrency: parsePositive('concurrency', o.concurrency, { integer: true, max: 1024 }) ?? base.concurrency,
    timeoutMs: parsePositive('timeout-ms', o['timeout-ms'], { integer: true, max: 600_000 }) ?? base.timeoutMs,
    maxBodyBytes: parseByteSize('max-body-bytes', o['max-body-bytes']) ?? base.maxBodyBytes,
    sample: parsePositive('sample', o.sample, { max: 1 }) ?? base.sample,
    unsafe: o.unsafe === true || base.unsafe,
    ...(o.quiet ? { summaryIntervalMs: 0 } : {}),
  };
}

/**
 * `gauntlet mirror`: the live shadow-traffic proxy in the foreground. It runs until SIGINT/SIGTERM,
 * then drains (bounded), flushes its spans to the store and exits 130 with a summary.
 */
export async function mirrorCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const base = await loadConfig(cli.options.config as string | undefined);
  const listenRaw = typeof cli.options.listen === 'string' ? cli.options.listen : base.config.mirror.listen;
  if (!listenRaw) throw new GauntletError('GAUNTLET_USAGE', 'mirror needs --listen HOST:PORT (or mirror.listen in the config)', { hint: 'e.g. gauntlet mirror --listen 127.0.0.1:8480 --primary http://127.0.0.1:3100 --candidate http://127.0.0.1:4110' });
  const listen = parseListen(listenRaw);
  const settings = mirrorSettings(cli, base.config.mirror);
  const { loaded, service } = resolveMirrorTarget(cli, base);
  const result = await runMirror({
    loaded,
    service,
    settings,
    listen,
    metricsListen: typeof cli.options['metrics-listen'] === 'string' ? cli.options['metrics-listen'] : settings.metricsListen,
    allowRemote: cli.options['allow-remote'] === true,
    ...(typeof cli.options.store === 'string' ? { storePath: cli.options.store } : {}),
    signal: ctx.signal,
    log: (line) => ctx.stdout.write(line + '\n'),
  });
  ctx.stdout.write(`mirror: stopped · ${describeMirrorStats(result.stats)}\n`);
  const { gate } = result.judged;
  ctx.stdout.write(`mirror: gate ${gate.verdict} (score ${gate.score}) · assessment: ${assessmentLine(gate)}\n`);
  if (typeof cli.options['gate-json'] === 'string') await writeFileAtomic(cli.options['gate-json'], JSON.stringify(gate, null, 2) + '\n');
  if (result.spansUndelivered > 0) ctx.stderr.write(`warning: ${result.spansUndelivered} spans could not be delivered to the store (left in the spool)\n`);
  ctx.stdout.write(`mirror: run ${result.runId} — judge it from the store with: gauntlet analyze --run ${result.runId}\n`);
  // A daemon stopped by a signal: 130, as for any interrupted command.
  return 130;
}
