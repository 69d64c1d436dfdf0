import { createRequire } from 'node:module';
import { GauntletError, INPUT_ERROR_CODES } from '../util/errors.ts';
import { parseCLI, USAGE, type ParsedCLI } from './parse.ts';
import { analyzeCommand, parityCommand, runsCommand, type CommandContext } from './commands/parity.ts';
import { schemaCommand } from './commands/schema.ts';
import { daemonCommand } from './commands/daemon.ts';
import { baselineCommand, gateCommand, reportCommand } from './commands/gate.ts';
import { runCommand } from './commands/run.ts';
import { smokeCommand } from './commands/smoke.ts';
import { recordCommand } from './commands/record.ts';
import { mirrorCommand } from './commands/mirror.ts';
import { replayCommand } from './commands/replay.ts';
import { importCommand } from './commands/import.ts';
import { watchCommand } from './commands/watch.ts';
import { loadCommand } from './commands/load.ts';
import { ingestCommand } from './commands/ingest.ts';

export const EXIT = { ok: 0, gateFailed: 1, badInput: 2, internal: 70, interrupted: 130 } as const;

async function dispatch(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  switch (cli.command) {
    case 'help':
      ctx.stdout.write(USAGE + '\n');
      return EXIT.ok;
    case 'version': {
      const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
      ctx.stdout.write(`gauntlet ${pkg.version}\n`);
      return EXIT.ok;
    }
    case 'run':
      return runCommand(cli, ctx);
    case 'load':
      return loadCommand(cli, ctx);
    case 'ingest':
      return ingestCommand(cli, ctx);
    case 'smoke':
      return smokeCommand(cli, ctx);
    case 'parity':
      return parityCommand(cli, ctx);
    case 'gate':
      return gateCommand(cli, ctx);
    case 'report':
      return reportCommand(cli, ctx);
    case 'baseline':
      return baselineCommand(cli, ctx);
    case 'analyze':
      return analyzeCommand(cli, ctx);
    case 'runs':
      return runsCommand(cli, ctx);
    case 'schema':
      return schemaCommand(cli, ctx);
    case 'daemon':
      return daemonCommand(cli, ctx);
    case 'record':
      return recordCommand(cli, ctx);
    case 'mirror':
      return mirrorCommand(cli, ctx);
    case 'replay':
      return replayCommand(cli, ctx);
    case 'import':
      return importCommand(cli, ctx);
    case 'watch':
      return watchCommand(cli, ctx);
  }
}

/** The only place errors become exit codes. */
export async function main(argv: readonly string[], io: Pick<CommandContext, 'stdout' | 'stderr'> = process): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cli = parseCLI(argv);
    return await dispatch(cli, { ...io, signal: controller.signal });
  } catch (err) {
    if (err instanceof GauntletError) {
      io.stderr.write(`gauntlet: ${err.describe()}\n`);
      if (err.code === 'GAUNTLET_INTERRUPTED') return EXIT.interrupted;
      return INPUT_ERROR_CODES.has(err.code) ? EXIT.badInput : EXIT.internal;
    }
    if (controller.signal.aborted) {
      io.stderr.write('gauntlet: interrupted\n');
      return EXIT.interrupted;
    }
    io.stderr.write(`gauntlet: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
