import { createRequire } from 'node:module';
import type { Outcome, Output } from '../app/output.ts';
import { GauntletError } from '../util/errors.ts';
import { baselineCommand, gateCommand, reportCommand } from './commands/gate.ts';
import { collectCommand } from './commands/collect.ts';
import { daemonCommand } from './commands/daemon.ts';
import { exportCommand } from './commands/export.ts';
import { ingestCommand, loadCommand } from './commands/load.ts';
import { mirrorCommand } from './commands/mirror.ts';
import { analyzeCommand, parityCommand, runsCommand } from './commands/parity.ts';
import { importCommand, recordCommand } from './commands/record.ts';
import { replayCommand } from './commands/replay.ts';
import { reviewCommand } from './commands/review.ts';
import { runCommand } from './commands/run.ts';
import { schemaCommand } from './commands/schema.ts';
import { smokeCommand } from './commands/smoke.ts';
import { stackCommand } from './commands/stack.ts';
import { watchCommand } from './commands/watch.ts';
import { EXIT, exitCodeOf, exitCodeOfOutcome } from './exit-codes.ts';
import { commandHelp, globalHelp } from './help.ts';
import { parseCLI } from './parse.ts';
import type { CommandName, CommandOptions } from './table.ts';

export { EXIT } from './exit-codes.ts';

type Handler<C extends CommandName> = (options: CommandOptions<C>, positionals: string[], out: Output) => Promise<Outcome>;

/** One handler per command of the table: a command without one does not compile. */
const HANDLERS: { [C in CommandName]: Handler<C> } = {
  run: runCommand,
  smoke: smokeCommand,
  parity: parityCommand,
  analyze: analyzeCommand,
  export: exportCommand,
  watch: watchCommand,
  gate: gateCommand,
  report: reportCommand,
  baseline: baselineCommand,
  runs: runsCommand,
  schema: schemaCommand,
  record: recordCommand,
  collect: collectCommand,
  mirror: mirrorCommand,
  replay: replayCommand,
  import: importCommand,
  load: loadCommand,
  ingest: ingestCommand,
  daemon: daemonCommand,
  stack: stackCommand,
  review: reviewCommand,
};

function dispatch<C extends CommandName>(cli: { command: C; options: CommandOptions<C>; positionals: string[] }, out: Output): Promise<Outcome> {
  const handler: Handler<C> = HANDLERS[cli.command];
  return handler(cli.options, cli.positionals, out);
}

/** The only place errors become exit codes. */
export async function main(argv: readonly string[], io: Pick<Output, 'stdout' | 'stderr'> = process): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cli = parseCLI(argv);
    if (cli.command === 'help') {
      io.stdout.write((cli.topic ? commandHelp(cli.topic) : globalHelp()) + '\n');
      return EXIT.ok;
    }
    if (cli.command === 'version') {
      const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
      io.stdout.write(`gauntlet ${pkg.version}\n`);
      return EXIT.ok;
    }
    return exitCodeOfOutcome(await dispatch(cli, { ...io, signal: controller.signal }));
  } catch (err) {
    if (err instanceof GauntletError) io.stderr.write(`gauntlet: ${err.describe()}\n`);
    else if (controller.signal.aborted) io.stderr.write('gauntlet: interrupted\n');
    else io.stderr.write(`gauntlet: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return exitCodeOf(err, controller.signal.aborted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
