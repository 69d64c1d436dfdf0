import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GauntletError } from '../util/errors.ts';

export type Command = 'run' | 'parity' | 'analyze' | 'runs' | 'schema' | 'daemon' | 'help' | 'version';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const COMMON: OptionSpec = {
  config: { type: 'string', short: 'c' },
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
};

const OPTIONS: Record<Exclude<Command, 'help' | 'version'>, OptionSpec> = {
  run: { ...COMMON, json: { type: 'string' }, 'fail-on-divergence': { type: 'boolean' }, repeat: { type: 'string' } },
  parity: { ...COMMON, json: { type: 'string' }, 'fail-on-divergence': { type: 'boolean' }, repeat: { type: 'string' } },
  analyze: { ...COMMON, run: { type: 'string' }, json: { type: 'string' }, 'fail-on-divergence': { type: 'boolean' } },
  runs: { ...COMMON },
  schema: { help: { type: 'boolean', short: 'h' }, out: { type: 'string' } },
  daemon: {
    help: { type: 'boolean', short: 'h' },
    flavour: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'otlp-endpoint': { type: 'string' },
  },
};

export interface ParsedCLI {
  command: Command;
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export const USAGE = `gauntlet — prove a service written twice behaves the same, from its telemetry

Usage:
  gauntlet run [--config FILE] [--json FILE]          the whole gauntlet on the configured stack (npm start)
  gauntlet parity [CASES.yaml ...] [--json FILE]      send parity cases to both runtimes, judge from telemetry
  gauntlet analyze --run ID [--json FILE]             re-judge a stored run in a fresh process
  gauntlet runs                                       list runs in the span store
  gauntlet schema [config|cases] [--out FILE]         print the JSON Schema of a file format
  gauntlet daemon validatord --flavour rust|go [--port N] [--otlp-endpoint URL]
                                                      run a reference twin in the foreground

Options:
  -c, --config FILE        gauntlet.config.{ts,yaml,json} (default: found in the current directory, else the embedded default)
      --store PATH         span store (default: .gauntlet/store.duckdb)
      --fail-on-divergence exit 1 when any divergence is found
      --repeat N           send every parity case N times (ABBA-interleaved pairs; latency needs samples)
  -q, --quiet              print only the summary line
  -h, --help

Exit codes: 0 ok · 1 gate failed (divergence with --fail-on-divergence) · 2 bad usage/config/input · 130 interrupted`;

/** Pure argument parsing: tests call it without a process. */
export function parseCLI(argv: readonly string[]): ParsedCLI {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') return { command: 'help', options: {}, positionals: [] };
  if (first === '--version' || first === '-v' || first === 'version') return { command: 'version', options: {}, positionals: [] };
  if (!(first in OPTIONS)) {
    throw new GauntletError('GAUNTLET_USAGE', `unknown command "${first}"`, { hint: `one of: ${Object.keys(OPTIONS).join(', ')}; see gauntlet --help` });
  }
  const command = first as keyof typeof OPTIONS;
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (err) {
    throw new GauntletError('GAUNTLET_USAGE', (err as Error).message, { hint: `see gauntlet ${command} --help` });
  }
  const options = parsed.values as Record<string, string | boolean | undefined>;
  if (options.help) return { command: 'help', options: {}, positionals: [] };
  if (command === 'analyze' && !options.run) {
    throw new GauntletError('GAUNTLET_USAGE', 'analyze needs --run ID', { hint: 'list stored runs with `gauntlet runs`' });
  }
  if (options.repeat !== undefined && !/^[1-9]\d{0,5}$/.test(String(options.repeat))) {
    throw new GauntletError('GAUNTLET_USAGE', `--repeat must be a whole number from 1 to 999999, got "${String(options.repeat)}"`);
  }
  if (command === 'schema' && parsed.positionals.length > 1) throw new GauntletError('GAUNTLET_USAGE', 'schema takes at most one format name');
  if (command === 'daemon') {
    if (parsed.positionals[0] !== 'validatord') throw new GauntletError('GAUNTLET_USAGE', 'daemon needs a service: validatord');
    if (options.flavour !== 'rust' && options.flavour !== 'go') throw new GauntletError('GAUNTLET_USAGE', '--flavour must be rust or go');
  }
  return { command, options, positionals: parsed.positionals };
}
