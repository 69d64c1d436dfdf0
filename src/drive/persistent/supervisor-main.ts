/**
 * Process entry of the persistent stack's supervisor: `node --import tsx supervisor-main.ts STATE_DIR`.
 * `gauntlet stack up` starts it detached (its own session, output to supervisor.log), so it outlives
 * the CLI; SIGHUP applies a new desired.json, SIGTERM/SIGINT stop the stack. A process entry may
 * call process.exit.
 */
import { writeFileSync } from 'node:fs';
import { processStartTicks, stackPaths } from './state.ts';
import { Supervisor } from './supervisor.ts';

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  if (!stateDir) throw new Error('usage: supervisor-main.ts STATE_DIR');
  const supervisor = new Supervisor(stateDir);
  writeFileSync(stackPaths(stateDir).supervisorPid, JSON.stringify({ pid: process.pid, startTicks: processStartTicks(process.pid) }) + '\n');
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
