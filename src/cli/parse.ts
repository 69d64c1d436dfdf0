import { parseArgs } from 'node:util';
import { GauntletError } from '../util/errors.ts';
import { parseArgsConfig, typedValues, usageError, type OptionTable } from './options.ts';
import { COMMANDS, COMMAND_NAMES, type CommandName, type CommandOptions, type CommandSpec } from './table.ts';

export { COMMANDS, COMMAND_NAMES, type CommandName, type CommandOptions } from './table.ts';
export { commandHelp, globalHelp } from './help.ts';

/** A command with its typed options: `switch (cli.command)` narrows `cli.options`. */
export type ParsedCommand = { [C in CommandName]: { command: C; options: CommandOptions<C>; positionals: string[] } }[CommandName];

export type ParsedCLI =
  | ParsedCommand
  /** `topic`: the command whose help was asked for (`gauntlet run --help`, `gauntlet help run`). */
  | { command: 'help'; topic?: CommandName; options: Record<string, never>; positionals: string[] }
  | { command: 'version'; options: Record<string, never>; positionals: string[] };

export type Command = ParsedCLI['command'];

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

function unknownCommand(name: string): GauntletError {
  return usageError(`unknown command "${name}"`, `one of: ${COMMAND_NAMES.join(', ')}; see gauntlet --help`);
}

/** Pure argument parsing: tests call it without a process. */
export function parseCLI(argv: readonly string[]): ParsedCLI {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { command: 'help', options: {}, positionals: [] };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { command: 'help', options: {}, positionals: [] };
    if (!isCommand(topic)) throw unknownCommand(topic);
    return { command: 'help', topic, options: {}, positionals: [] };
  }
  if (first === '--version' || first === '-v' || first === 'version') return { command: 'version', options: {}, positionals: [] };
  if (!isCommand(first)) throw unknownCommand(first);
  const command = first;
  const spec: CommandSpec = COMMANDS[command];
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: parseArgsConfig(spec.options), allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw usageError((err as Error).message, `see gauntlet ${command} --help`);
  }
  if (parsed.values.help) return { command: 'help', topic: command, options: {}, positionals: [] };
  const options = typedValues(spec.options, parsed.values, parsed.tokens);
  spec.check?.(options, parsed.positionals);
  for (const [name, o] of Object.entries(spec.options as OptionTable)) {
    if (o.required && options[name] === undefined) throw usageError(`${command} needs --${name} ${o.placeholder ?? 'VALUE'}`, o.hint ?? `see gauntlet ${command} --help`);
  }
  return { command, options, positionals: parsed.positionals } as ParsedCommand;
}
