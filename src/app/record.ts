/** `record`: a recording reverse proxy in the foreground; `import har`: a HAR export → recording, redacted the same way. */
import type { LoadedConfig } from '../config/index.ts';
import { importHar, makeRedactionRules, parseListen, startRecordProxy, type HarImportResult, type RecordProxyStats } from '../record/index.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, type Outcome, type Output, type Sources } from './output.ts';

/** The given service, else the config's only service: a recording must say which service it is traffic of. */
function pickService(service: string | undefined, loaded: LoadedConfig): string {
  if (service !== undefined) return service;
  const names = Object.keys(loaded.config.stack.services);
  if (names.length === 1) return names[0]!;
  throw new GauntletError('GAUNTLET_CONFIG_INVALID', `say which service this traffic belongs to: --service NAME (the config has ${names.join(', ')})`);
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

export interface RecordInput extends Pick<Sources, 'config'> {
  /** HOST:PORT or PORT. */
  listen: string;
  upstream: string;
  out: string;
  service?: string | undefined;
  maxBytes?: number | undefined;
  maxTotalBytes?: number | undefined;
  maxBodyBytes?: number | undefined;
  allowRemote: boolean;
}

/** Runs until the signal aborts — the normal way to stop it — then finishes in-flight exchanges and renames the file. */
export async function recordTraffic(input: RecordInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const { host, port } = parseListen(input.listen);
  const proxy = await startRecordProxy({
    host,
    port,
    upstream: input.upstream,
    out: input.out,
    service: pickService(input.service, loaded),
    rules: makeRedactionRules(loaded.config.redact),
    ...(input.maxBytes !== undefined ? { maxBytes: input.maxBytes } : {}),
    ...(input.maxTotalBytes !== undefined ? { maxTotalBytes: input.maxTotalBytes } : {}),
    ...(input.maxBodyBytes !== undefined ? { maxBodyBytes: input.maxBodyBytes } : {}),
    allowRemote: input.allowRemote,
    onWarning: (m) => out.stderr.write(`warning: ${m}\n`),
  });
  out.stdout.write(`gauntlet record: listening on ${proxy.url} → ${input.upstream}, recording to ${input.out} — Ctrl-C to stop\n`);
  await untilAborted(out.signal);
  const stats = await proxy.close();
  out.stdout.write(`gauntlet record: ${describeRecordStats(stats)}\n`);
  return 'ok';
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function describeImport(r: HarImportResult): string[] {
  const skipped = Object.entries(r.unsupported).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = [`imported ${r.imported} of ${r.entries} HAR entries to ${r.files.join(', ')}`];
  if (skipped.length) lines.push(`not imported: ${skipped.map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
  const hosts = Object.entries(r.hosts).sort((a, b) => b[1] - a[1]);
  // Replay sends every entry to the service's runtimes: traffic of several hosts is usually a mistake.
  if (hosts.length > 1) lines.push(`warning: entries from ${hosts.length} hosts (${hosts.map(([h, n]) => `${h} ${n}`).join(', ')}); keep one with --host HOST`);
  return lines;
}

export interface ImportHarInput extends Pick<Sources, 'config'> {
  file: string;
  out: string;
  service?: string | undefined;
  host?: string | undefined;
  skipInvalid: boolean;
}

/** HAR 1.2 → recording, redacted like `gauntlet record`. */
export async function importHarFile(input: ImportHarInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const result = await importHar({
    file: input.file,
    out: input.out,
    service: pickService(input.service, loaded),
    rules: makeRedactionRules(loaded.config.redact),
    ...(input.host !== undefined ? { host: input.host } : {}),
    skipInvalid: input.skipInvalid,
  });
  out.stdout.write(describeImport(result).map((l) => `gauntlet import: ${l}\n`).join(''));
  return 'ok';
}
