/**
 * `mirror`: the live shadow-traffic proxy in the foreground, with the command line's overrides of
 * the config's `mirror:` settings. It runs until the signal aborts, then drains (bounded), flushes
 * its spans to the store and reports `interrupted` with a summary.
 */
import { readConfig, type LoadedConfig, type MirrorConfig, type ServiceConfig } from '../config/index.ts';
import { describeMirrorStats } from '../drive/mirror/index.ts';
import { assessmentLine } from '../gate/index.ts';
import { parseListen, parseUpstream } from '../record/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { runMirror } from './mirror.ts';
import type { Outcome, Output, Sources } from './output.ts';

export interface MirrorInput extends Sources {
  /** HOST:PORT; absent: mirror.listen of the config. */
  listen?: string | undefined;
  primary?: string | undefined;
  candidate?: string | undefined;
  secondary?: string | undefined;
  service?: string | undefined;
  queue?: number | undefined;
  concurrency?: number | undefined;
  timeoutMs?: number | undefined;
  maxBodyBytes?: number | undefined;
  sample?: number | undefined;
  copyNice?: number | undefined;
  unsafe: boolean;
  metricsListen?: string | undefined;
  allowRemote: boolean;
  gateJson?: string | undefined;
  quiet: boolean;
}

/**
 * Which service is mirrored, and to where. `primary` + `candidate` (+ `secondary`) URLs describe it
 * directly (runtimes named after their roles; routes and noise rules still come from the config's
 * service of that name, if any); otherwise it is a service of the stack.
 */
export function resolveMirrorTarget(input: MirrorInput, loaded: LoadedConfig): { loaded: LoadedConfig; service: string } {
  const services = loaded.config.stack.services;
  const named = input.service ?? loaded.config.mirror.service;
  if (input.primary !== undefined || input.candidate !== undefined || input.secondary !== undefined) {
    if (input.primary === undefined || input.candidate === undefined) {
      throw new GauntletError('GAUNTLET_CONFIG_INVALID', 'mirror needs both --primary URL and --candidate URL (or neither, to mirror a service of the config)');
    }
    const service = named ?? (Object.keys(services).length === 1 ? Object.keys(services)[0]! : 'default');
    const runtimes: ServiceConfig['runtimes'] = {};
    for (const [role, url] of [['primary', input.primary], ['candidate', input.candidate], ['secondary', input.secondary]] as const) {
      if (url === undefined) continue;
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
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `say which service to mirror: --service NAME (the config has ${names.join(', ')})`, { hint: 'or give the runtimes directly: --primary URL --candidate URL' });
  }
  if (!(service in services)) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `service "${service}" is not in the stack (have: ${names.join(', ')})`, {
      hint: `add it under stack.services${loaded.file ? ` in ${loaded.file}` : ' (pass --config)'}, or give --primary URL --candidate URL`,
    });
  }
  return { loaded, service };
}

/** Config `mirror:` with the command line's overrides. */
function mirrorSettings(input: MirrorInput, base: MirrorConfig): MirrorConfig {
  return {
    ...base,
    queue: input.queue ?? base.queue,
    concurrency: input.concurrency ?? base.concurrency,
    timeoutMs: input.timeoutMs ?? base.timeoutMs,
    maxBodyBytes: input.maxBodyBytes ?? base.maxBodyBytes,
    sample: input.sample ?? base.sample,
    copyNice: input.copyNice ?? base.copyNice,
    unsafe: input.unsafe || base.unsafe,
    ...(input.quiet ? { summaryIntervalMs: 0 } : {}),
  };
}

export async function serveMirror(input: MirrorInput, out: Output): Promise<Outcome> {
  const base = await readConfig(input.config);
  const listenRaw = input.listen ?? base.config.mirror.listen;
  if (!listenRaw) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', 'mirror needs --listen HOST:PORT (or mirror.listen in the config)', {
      hint: 'e.g. gauntlet mirror --listen 127.0.0.1:8480 --primary http://127.0.0.1:3100 --candidate http://127.0.0.1:4110',
    });
  }
  const listen = parseListen(listenRaw);
  const settings = mirrorSettings(input, base.config.mirror);
  const { loaded, service } = resolveMirrorTarget(input, base);
  const result = await runMirror({
    loaded,
    service,
    settings,
    listen,
    metricsListen: input.metricsListen ?? settings.metricsListen,
    allowRemote: input.allowRemote,
    ...(input.store !== undefined ? { storePath: input.store } : {}),
    signal: out.signal,
    log: (line) => out.stdout.write(line + '\n'),
  });
  out.stdout.write(`mirror: stopped · ${describeMirrorStats(result.stats)}\n`);
  const { gate } = result.judged;
  out.stdout.write(`mirror: gate ${gate.verdict} (score ${gate.score}) · assessment: ${assessmentLine(gate)}\n`);
  if (input.gateJson !== undefined) await writeFileAtomic(input.gateJson, JSON.stringify(gate, null, 2) + '\n');
  if (result.spansUndelivered > 0) out.stderr.write(`warning: ${result.spansUndelivered} spans could not be delivered to the store (left in the spool)\n`);
  out.stdout.write(`mirror: run ${result.runId} — judge it from the store with: gauntlet analyze --run ${result.runId}\n`);
  // A daemon stopped by a signal: interrupted (exit 130), as for any interrupted command.
  return 'interrupted';
}
