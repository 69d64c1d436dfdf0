/** `gauntlet --help` and `gauntlet <command> --help`, generated from the command table. */
import type { Option, OptionTable } from './options.ts';
import { COMMANDS, COMMAND_NAMES, type CommandName, type CommandSpec } from './table.ts';

const EXIT_CODES = 'Exit codes: 0 ok · 1 gate failed (divergence with --fail-on-divergence) · 2 bad usage/config/input · 70 internal error · 130 interrupted';
const COLUMN = 54;
const WIDTH = 120;

/** Words of `text` in lines of at most `width` characters, each indented by `indent`. */
function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(' '.repeat(indent) + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(' '.repeat(indent) + line);
  return lines;
}

function valueOf(o: Option<unknown>): string {
  return o.kind === 'boolean' ? '' : ` ${o.placeholder ?? 'VALUE'}`;
}

function flagOf(name: string, o: Option<unknown>): string {
  return `${o.short ? `-${o.short}, ` : '    '}--${name}${valueOf(o)}`;
}

function defaultOf(o: Option<unknown>): string | undefined {
  if (o.defaultText) return o.defaultText;
  if (o.kind === 'boolean' || o.default === undefined) return undefined;
  return Array.isArray(o.default) ? o.default.join(',') : String(o.default);
}

/** The usage lines of a command: its forms, or `gauntlet NAME ARGS --required X [options]`. */
export function usageLines(name: CommandName): string[] {
  const spec: CommandSpec = COMMANDS[name];
  if (spec.forms) return [...spec.forms];
  const required = Object.entries(spec.options)
    .filter(([, o]) => o.required)
    .map(([n, o]) => `--${n}${valueOf(o)}`);
  const optional = Object.keys(spec.options).some((n) => n !== 'help' && !spec.options[n]!.required);
  return [['gauntlet', name, spec.args, ...required, optional ? '[options]' : undefined].filter(Boolean).join(' ')];
}

function optionLines(options: OptionTable): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const extra = [o.choices && o.kind !== 'enum' ? `one of: ${o.choices.join(', ')}` : undefined, defaultOf(o) !== undefined ? `default: ${defaultOf(o)}` : undefined, o.required ? 'required' : undefined].filter(Boolean);
    return [flagOf(name, o), `${o.description}${extra.length ? ` (${extra.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`);
}

/** `gauntlet <command> --help`: usage, what it does, every option of its table, examples, exit codes. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const out = [`gauntlet ${name} — ${spec.summary}`, '', 'Usage:', ...usageLines(name).map((l) => `  ${l}`)];
  if (spec.description) out.push('', ...wrap(spec.description, 0, 100));
  out.push('', 'Options:', ...optionLines(spec.options));
  if (spec.examples?.length) out.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  const one = spec.exit1 ? `1 ${spec.exit1} · ` : '';
  out.push('', `Exit codes: 0 ok · ${one}2 bad usage/config/input · 70 internal error · 130 interrupted`);
  return out.join('\n');
}

/** `gauntlet --help`: one entry per command, then the common options. */
export function globalHelp(): string {
  const out = ['gauntlet — prove a service written twice behaves the same, from its telemetry', '', 'Usage:'];
  for (const name of COMMAND_NAMES) {
    const lines = usageLines(name);
    const summary = COMMANDS[name].summary;
    const last = lines[lines.length - 1]!;
    for (const l of lines.slice(0, -1)) out.push(`  ${l}`);
    const text = wrap(summary, COLUMN);
    if (last.length + 2 < COLUMN) out.push(`  ${last.padEnd(COLUMN - 2)}${text[0]!.trimStart()}`, ...text.slice(1));
    else out.push(`  ${last}`, ...text);
  }
  out.push(`  ${'gauntlet help COMMAND'.padEnd(COLUMN - 2)}a command's options and examples (same as gauntlet COMMAND --help)`);
  out.push('', 'Common options:', ...optionLines(COMMANDS.run.options).filter((l) => /--(config|store|quiet|help) /.test(l + ' ')));
  out.push('', EXIT_CODES);
  return out.join('\n');
}
