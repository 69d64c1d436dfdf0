/**
 * The state directory of a persistent stack: what `stack up` asks for (desired.json), what the
 * supervisor reports (state.json), pid files and log files. The CLI and the supervisor are separate
 * processes; these files are the only thing they share (written atomically: temp + rename).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackDaemon } from '../../config/index.ts';

export interface StackPaths {
  dir: string;
  desired: string;
  state: string;
  supervisorPid: string;
  supervisorLog: string;
  logs: string;
  pids: string;
}

export function stackPaths(dir: string): StackPaths {
  return {
    dir,
    desired: join(dir, 'desired.json'),
    state: join(dir, 'state.json'),
    supervisorPid: join(dir, 'supervisor.pid'),
    supervisorLog: join(dir, 'supervisor.log'),
    logs: join(dir, 'logs'),
    pids: join(dir, 'pids'),
  };
}

export const daemonLog = (p: StackPaths, name: string): string => join(p.logs, `${name}.log`);
export const daemonPidFile = (p: StackPaths, name: string): string => join(p.pids, `${name}.pid`);

/** What `stack up` wants running: the file's daemons as parsed, plus a generation the supervisor acknowledges. */
export interface DesiredStack {
  generation: number;
  name: string;
  file: string;
  /** Directory relative `cwd`s resolve against (the stack file's). */
  baseDir: string;
  otlpEndpoint?: string | undefined;
  metricsListen: string;
  daemons: Record<string, StackDaemon>;
}

export type DaemonStatus = 'starting' | 'running' | 'backoff' | 'stopped' | 'failed';
export type DaemonHealth = 'ok' | 'failing' | 'unknown';

export interface DaemonState {
  name: string;
  /** `reference validatord/rust` or the command's argv[0]. */
  what: string;
  pid?: number | undefined;
  host: string;
  port: number;
  url: string;
  status: DaemonStatus;
  health: DaemonHealth;
  /** ISO time the current process started. */
  startedAt?: string | undefined;
  restarts: number;
  lastError?: string | undefined;
  /** Hash of its definition: `up` restarts it when this changes. */
  specHash: string;
  /** Reference twin identity, for configs that resolve runtimes against the stack. */
  reference?: { service: string; flavour: string } | undefined;
  env: Record<string, string>;
}

export interface ApplyResult {
  generation: number;
  started: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

export interface StackState {
  name: string;
  file: string;
  supervisor: { pid: number; startedAt: string; metricsUrl: string };
  daemons: Record<string, DaemonState>;
  lastApply?: ApplyResult;
  updatedAt: string;
}

export interface PidFile {
  pid: number;
  /** /proc start time (clock ticks since boot): tells our process from a later one that reused the pid. */
  startTicks?: number | undefined;
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A half-written file cannot happen (atomic rename); anything else is a real problem.
    throw err;
  }
}

/** Start time of a process in clock ticks since boot (Linux /proc), or undefined where there is no /proc. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/** True when the process recorded in a pid file still runs (not a zombie, not a recycled pid). */
export function pidAlive(p: PidFile | undefined): boolean {
  if (!p || !Number.isInteger(p.pid) || p.pid <= 0) return false;
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return false;
    if (p.startTicks !== undefined && Number(fields[19]) !== p.startTicks) return false;
  } catch {
    // no /proc: trust kill(0)
  }
  return true;
}
