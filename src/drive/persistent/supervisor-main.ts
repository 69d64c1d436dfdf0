/**
 * Process entry of the persistent stack's supervisor: `node --import tsx supervisor-main.ts STATE_DIR`.
 * `gauntlet stack up` starts it detached (its own session, output to supervisor.log), so it outlives
 * the CLI; SIGHUP applies a new desired.json, SIGTERM/SIGINT stop the stack. A process entry may
 * call process.exit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pidAlive, processStartTicks, stackPaths, type PidFile } from './state.ts';
import { Supervisor } from './supervisor.ts';

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  if (!stateDir) throw new Error('usage: supervisor-main.ts STATE_DIR');
  const pidFile = stackPaths(stateDir).supervisorPid;
  // One supervisor per state directory: `stack up` holds the stack lock while it starts one, and a
  // supervisor started by any other way still refuses to run beside a live one.
  const other = (() => {
    try {
      return JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;
    } catch {
      return undefined;
    }
  })();
  if (other && other.pid !== process.pid && pidAlive(other)) {
    process.stderr.write(`supervisor ${process.pid}: another supervisor (pid ${other.pid}) runs this stack (${pidFile}); not starting\n`);
    process.exit(1);
  }
  const supervisor = new Supervisor(stateDir);
  writeFileSync(pidFile, JSON.stringify({ pid: process.pid, startTicks: processStartTicks(process.pid) }) + '\n');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    supervisor.log(`${signal}: stopping the stack`);
    supervisor.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        supervisor.log(`shutdown failed: ${(err as Error).stack ?? String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void supervisor.reload());
  await supervisor.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`supervisor failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
