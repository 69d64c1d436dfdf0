/**
 * What the CLI does to a persistent stack: `up` (write desired.json, then start the supervisor
 * detached or signal the running one, and wait for the daemons' health), `down` (SIGTERM the
 * supervisor, wait, and make sure no daemon of the pid files survives), and reading its state.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedStackFile } from '../../config/index.ts';
import { resolveTsxLoader } from '../../daemons/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import { withStackLock, type LockHolder } from './lock.ts';
import { pidAlive, readJson, stackPaths, type ApplyResult, type DesiredStack, type PidFile, type StackPaths, type StackState } from './state.ts';

const SUPERVISOR_ENTRY = fileURLToPath(new URL('./supervisor-main.ts', import.meta.url));
const POLL_MS = 100;
/** Time the supervisor gets to stop its daemons beyond their own grace periods. */
const SUPERVISOR_STOP_SLACK_MS = 5_000;
const STARTUP_GRACE_MS = 15_000;

export interface UpResult {
  apply: ApplyResult;
  state: StackState;
  /** Daemons not healthy when `up` stopped waiting. */
  unhealthy: string[];
  supervisorStarted: boolean;
}

async function supervisorPid(paths: StackPaths): Promise<PidFile | undefined> {
  const p = await readJson<PidFile>(paths.supervisorPid);
  return pidAlive(p) ? p : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logTail(file: string, bytes = 2_000): string {
  try {
    return readFileSync(file, 'utf8').slice(-bytes).trimEnd();
  } catch {
    return '';
  }
}

export interface StackControlOptions {
  signal?: AbortSignal | undefined;
  /** Another `stack up`/`down` holds the state directory: this call waits for it (told once). */
  onWait?: ((holder: LockHolder, lockFile: string) => void) | undefined;
}

/** How long a caller waits for another `up`/`down` on the same stack: at least a minute. */
const lockWaitMs = (ms: number) => Math.max(60_000, 2 * ms);

/** One `up` or `down` at a time per state directory (see lock.ts): the other waits its turn. */
export async function upStack(loaded: LoadedStackFile, opts: StackControlOptions = {}): Promise<UpResult> {
  await mkdir(loaded.stateDir, { recursive: true });
  return withStackLock(loaded.stateDir, 'up', { timeoutMs: lockWaitMs(upWaitMs(loaded)), signal: opts.signal, onWait: opts.onWait }, () => applyUp(loaded, opts.signal));
}

/** How long `up` waits for the daemons' health: the slowest start timeout, plus the supervisor's slack. */
function upWaitMs(loaded: LoadedStackFile): number {
  return Math.max(...Object.values(loaded.stack.daemons).map((d) => d.health.startTimeoutMs), 1_000) + SUPERVISOR_STOP_SLACK_MS;
}

async function applyUp(loaded: LoadedStackFile, signal?: AbortSignal): Promise<UpResult> {
  const paths = stackPaths(loaded.stateDir);
  await mkdir(paths.logs, { recursive: true });
  await mkdir(paths.pids, { recursive: true });
  const previous = await readJson<DesiredStack>(paths.desired);
  const desired: DesiredStack = {
    generation: (previous?.generation ?? 0) + 1,
    name: loaded.name,
    file: loaded.file,
    baseDir: dirname(loaded.file),
    otlpEndpoint: loaded.stack.otlpEndpoint,
    metricsListen: loaded.stack.supervisor.metricsListen,
    daemons: loaded.stack.daemons,
  };
  await writeFileAtomic(paths.desired, JSON.stringify(desired, null, 2) + '\n');

  const running = await supervisorPid(paths);
  const supervisorStarted = !running;
  if (running) {
    process.kill(running.pid, 'SIGHUP');
  } else {
    // A supervisor that died hard (SIGKILL, OOM) may have left daemons behind: stop them first.
    await killLeftovers(paths);
    const log = openSync(paths.supervisorLog, 'a');
    try {
      // Detached: its own session, so it outlives this CLI and a Ctrl-C in this terminal. Its
      // daemons share its process group, which `down` falls back to killing as a whole.
      const child = spawn(process.execPath, ['--import', resolveTsxLoader(), SUPERVISOR_ENTRY, loaded.stateDir], { detached: true, stdio: ['ignore', log, log], cwd: dirname(loaded.file) });
      child.unref();
    } finally {
      closeSync(log);
    }
  }

  const waitMs = upWaitMs(loaded);
  const t0 = Date.now();
  const deadline = t0 + waitMs;
  const failed = (why: string) =>
    new GauntletError('GAUNTLET_DAEMON_START', `${why}; the end of ${paths.supervisorLog}:\n${logTail(paths.supervisorLog)}`, { file: loaded.file, hint: 'fix the cause and run `gauntlet stack up` again' });
  for (;;) {
    if (signal?.aborted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted while waiting for the stack; it keeps starting in the background', { hint: 'check it with `gauntlet stack status`' });
    const state = await readJson<StackState>(paths.state);
    if (state?.lastApply?.generation === desired.generation) {
      const pending = Object.values(state.daemons).filter((d) => d.health !== 'ok' && d.status !== 'failed' && d.status !== 'stopped');
      if (pending.length === 0 || Date.now() > deadline) {
        const unhealthy = Object.values(state.daemons).filter((d) => d.health !== 'ok').map((d) => d.name);
        return { apply: state.lastApply, state, unhealthy, supervisorStarted };
      }
    }
    // The supervisor writes its pid file first thing; give a cold start (tsx compiling) some seconds.
    if (!(await supervisorPid(paths)) && (!supervisorStarted || Date.now() - t0 > STARTUP_GRACE_MS)) throw failed('the stack supervisor is not running');
    if (Date.now() > deadline) throw failed(`the stack supervisor did not apply ${paths.desired} within ${waitMs} ms`);
    await sleep(POLL_MS);
  }
}

export interface DownResult {
  /** Daemons the supervisor stopped (from its last state). */
  stopped: string[];
  /** Processes that had to be killed by pid file (the supervisor was gone or too slow). */
  killed: number[];
  wasRunning: boolean;
}

export async function downStack(stateDir: string, opts: StackControlOptions = {}): Promise<DownResult> {
  if (!existsSync(stateDir)) return { stopped: [], killed: [], wasRunning: false };
  return withStackLock(stateDir, 'down', { timeoutMs: lockWaitMs(0), signal: opts.signal, onWait: opts.onWait }, () => applyDown(stateDir));
}

async function applyDown(stateDir: string): Promise<DownResult> {
  const paths = stackPaths(stateDir);
  const state = await readJson<StackState>(paths.state);
  const desired = await readJson<DesiredStack>(paths.desired);
  const sup = await supervisorPid(paths);
  const killed: number[] = [];
  if (sup) {
    const grace = Math.max(0, ...Object.values(desired?.daemons ?? {}).map((d) => d.stopGraceMs));
    process.kill(sup.pid, 'SIGTERM');
    const deadline = Date.now() + grace + SUPERVISOR_STOP_SLACK_MS;
    while (pidAlive(sup) && Date.now() < deadline) await sleep(POLL_MS);
    if (pidAlive(sup)) {
      // Its whole process group: the supervisor and every daemon it spawned.
      try {
        process.kill(-sup.pid, 'SIGKILL');
      } catch {
        process.kill(sup.pid, 'SIGKILL');
      }
      killed.push(sup.pid);
    }
  }
  killed.push(...(await killLeftovers(paths)));
  await rm(paths.supervisorPid, { force: true });
  await rm(paths.desired, { force: true });
  await rm(paths.state, { force: true });
  return { stopped: Object.keys(state?.daemons ?? {}), killed, wasRunning: sup !== undefined };
}

/** SIGTERM, then SIGKILL after 2 s, every live process named by a daemon pid file; removes the files. */
async function killLeftovers(paths: StackPaths): Promise<number[]> {
  let files: string[] = [];
  try {
    files = (await readdir(paths.pids)).filter((f) => f.endsWith('.pid'));
  } catch {
    return [];
  }
  const alive: PidFile[] = [];
  for (const f of files) {
    let p: PidFile | undefined;
    try {
      p = JSON.parse(await readFile(join(paths.pids, f), 'utf8')) as PidFile;
    } catch {
      p = undefined;
    }
    if (pidAlive(p)) alive.push(p!);
  }
  for (const p of alive) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + 2_000;
  while (alive.some(pidAlive) && Date.now() < deadline) await sleep(POLL_MS);
  for (const p of alive) if (pidAlive(p)) process.kill(p.pid, 'SIGKILL');
  await Promise.all(files.map((f) => rm(join(paths.pids, f), { force: true })));
  return alive.map((p) => p.pid);
}

export interface StackStatus {
  running: boolean;
  state: StackState | undefined;
}

export async function readStackStatus(stateDir: string): Promise<StackStatus> {
  const paths = stackPaths(stateDir);
  const sup = await supervisorPid(paths);
  const state = sup ? await readJson<StackState>(paths.state) : undefined;
  return { running: sup !== undefined && state !== undefined, state };
}

/** The log files of a stack: each daemon's, and the supervisor's as `supervisor`. */
export async function stackLogFiles(stateDir: string): Promise<Map<string, string>> {
  const paths = stackPaths(stateDir);
  const out = new Map<string, string>();
  if (existsSync(paths.supervisorLog)) out.set('supervisor', paths.supervisorLog);
  try {
    for (const f of (await readdir(paths.logs)).sort()) if (f.endsWith('.log')) out.set(f.slice(0, -4), join(paths.logs, f));
  } catch {
    // no logs yet
  }
  return out;
}
