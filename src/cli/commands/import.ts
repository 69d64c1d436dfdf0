import { loadConfig } from '../../config/index.ts';
import { importHar, makeRedactionRules, type HarImportResult } from '../../record/index.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';
import { pickService } from './record.ts';

export function describeImport(r: HarImportResult): string[] {
  const skipped = Object.entries(r.unsupported).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = [`imported ${r.imported} of ${r.entries} HAR entries to ${r.files.join(', ')}`];
  if (skipped.length) lines.push(`not imported: ${skipped.map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
  const hosts = Object.entries(r.hosts).sort((a, b) => b[1] - a[1]);
  // Replay sends every entry to the service's runtimes: traffic of several hosts is usually a mistake.
  if (hosts.length > 1) lines.push(`warning: entries from ${hosts.length} hosts (${hosts.map(([h, n]) => `${h} ${n}`).join(', ')}); keep one with --host HOST`);
  return lines;
}

/** `gauntlet import har FILE --out FILE`: HAR 1.2 → recording, redacted like `gauntlet record`. */
export async function importCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(cli.options.config as string | undefined);
  const result = await importHar({
    file: cli.positionals[1]!,
    out: cli.options.out as string,
    service: pickService(cli, loaded),
    rules: makeRedactionRules(loaded.config.redact),
    ...(typeof cli.options.host === 'string' ? { host: cli.options.host } : {}),
    skipInvalid: cli.options['skip-invalid'] === true,
  });
  ctx.stdout.write(describeImport(result).map((l) => `gauntlet import: ${l}\n`).join(''));
  return 0;
}
