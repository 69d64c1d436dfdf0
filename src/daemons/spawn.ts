import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GauntletError } from '../util/errors.ts';
import type { Flavour } from './common/args.ts';
import { holdLifeline, lifelineEnv, lifelineStdio } from '../util/lifeline.ts';
import type { ListeningEvent } from './common/lifecycle.ts';

/** Process entries per service. */
const ENTRIES = {
  validatord: fileURLToPath(new URL('./validatord/main.ts', import.meta.url)),
  vectord: fileURLToPath(new URL('./vectord/main.ts', import.meta.url)),
} as const;
export type DaemonService = keyof typeof ENTRIES;
/** The services a reference daemon exists for. */
export const DAEMON_SERVICES = Object.keys(ENTRIES) as DaemonService[];

/** Every twin with a process entry, storaged included (the persistent stack can run it on its own). */
const TWIN_ENTRIES = { ...ENTRIES, storaged: fileURLToPath(new URL('./storaged/main.ts', import.meta.url)) } as const;

/**
 * The command line of a reference twin, for a supervisor that spawns it itself (log files, fixed
 * ports): `node --import tsx main.ts --flavour F`; append `--host`, `--port`, `--otlp-endpoint`.
 */
export function referenceDaemonArgv(service: keyof typeof TWIN_ENTRIES, flavour: Flavour): string[] {
  return [process.execPath, '--import', resolveTsxLoader(), TWIN_ENTRIES[service], '--flavour', flavour];
}

export interface SpawnDaemonOptions {
  service: DaemonService;
  flavour: Flavour;
  /** OTLP/HTTP base URL (`/v1/traces` is appended). Omitted: the child's env decides, usually off. */
  otlpEndpoint?: string;
  host?: string;
  /** 0 (default) lets the OS pick a free port; read it from the returned url. */
  port?: number;
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /** Appended to the command line, e.g. ['--fault-latency-ms', '50']. */
  extraArgs?: string[];
  startTimeoutMs?: number;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningDaemon {
  url: string;
  pid: number;
  service: string;
  runtime: string;
  /** Settles when the process has exited, however that happened. */
  exited: Promise<DaemonExit>;
  /** SIGTERM, wait for exit (the daemon flushes spans first); SIGKILL after `killAfterMs`. */
  stop(killAfterMs?: number): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_KILL_AFTER_MS = 10_000;
const STDERR_TAIL_BYTES = 4_000;

/**
 * Starts a reference daemon as a child process (`node --import tsx main.ts`) and resolves once it
 * prints its `listening` line. Fails with GAUNTLET_DAEMON_START — carrying the end of its stderr —
 * if it exits or stays silent past the start timeout.
 */
export async function spawnDaemon(options: SpawnDaemonOptions): Promise<RunningDaemon> {
  const args = [
    '--import',
    resolveTsxLoader(),
    ENTRIES[options.service],
    '--flavour',
    options.flavour,
    '--host',
    options.host ?? '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    ...(options.otlpEndpoint ? ['--otlp-endpoint', options.otlpEndpoint] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env, ...lifelineEnv() },
    stdio: lifelineStdio(),
  }) as ChildProcess;
  holdLifeline(child);

  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<DaemonExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // Spawning itself failed (no 'exit' follows): surface it like a crash at startup.
    child.on('error', (error) => {
      stderrTail += `${error.message}\n`;
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  // A parent that exits normally kills its children here; one that is SIGKILLed cannot, and the
  // child notices the lifeline closing instead (see util/lifeline.ts).
  const killOnParentExit = () => child.kill('SIGKILL');
  process.once('exit', killOnParentExit);
  void exited.then(() => process.off('exit', killOnParentExit));

  const label = `${options.service} (${options.flavour})`;
  const fail = (message: string, cause: unknown) => {
    const stderr = stderrTail ? `; stderr:\n${stderrTail.trimEnd()}` : '';
    const hint = `run it by hand to see all output: node --import tsx ${args.slice(2).join(' ')}`;
    return new GauntletError('GAUNTLET_DAEMON_START', `${label} ${message}${stderr}`, { runtime: options.flavour, hint }, { cause });
  };

  let listening: ListeningEvent;
  try {
    listening = await waitForListening(child, exited, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw fail((error as Error).message, error);
  }

  return {
    url: listening.url,
    pid: listening.pid,
    service: listening.service,
    runtime: listening.runtime,
    exited,
    stop: (killAfterMs = DEFAULT_KILL_AFTER_MS) => stopChild(child, exited, killAfterMs),
  };
}

async function waitForListening(child: ChildProcess, exited: Promise<DaemonExit>, timeoutMs: number): Promise<ListeningEvent> {
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      new Promise<ListeningEvent>((resolve) => {
        lines.on('line', (line) => {
          const event = parseListening(line);
          if (event) resolve(event);
        });
      }),
      exited.then(({ code, signal }) => {
        throw new Error(`exited before listening (code ${code}, signal ${signal})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not report listening within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    // Keep draining stdout so a chatty daemon never blocks on a full pipe.
    lines.removeAllListeners('line');
    lines.on('line', () => {});
  }
}

function parseListening(line: string): ListeningEvent | undefined {
  try {
    const event = JSON.parse(line) as Partial<ListeningEvent>;
    return event.event === 'listening' && typeof event.url === 'string' ? (event as ListeningEvent) : undefined;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<DaemonExit>, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}

/**
 * tsx's ESM loader as an absolute file URL: `--import tsx` would resolve from the child's cwd,
 * which need not be this repository.
 */
/** The tsx loader's URL, for `node --import` in a child that runs TypeScript. */
export function resolveTsxLoader(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('tsx/package.json');
  return pathToFileURL(packageJson.replace(/package\.json$/, 'dist/loader.mjs')).href;
}
