/**
 * The mirror's client path as a process of its own: started with the copy side's settings, it
 * answers clients from the primary and hands copies over IPC. The copy side then lowers its own
 * priority, so on a busy host the client's requests are scheduled first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolveTsxLoader } from '../../daemons/index.ts';
import { GauntletError } from '../../util/errors.ts';
import type { FromProxyProcess, ProxyInit, ToProxyProcess } from './proxy-process.ts';

const PROXY_ENTRY = fileURLToPath(new URL('./proxy-process.ts', import.meta.url));

/**
 * Linux: every thread of this process to `nice` (19 by default; `setpriority` on a thread id applies
 * to that thread; threads started later inherit it). Called after the runtimes and the proxy process
 * were spawned, so they keep the normal priority. Elsewhere, if not allowed, or at nice 0, nothing
 * changes.
 */
export function lowerOwnPriority(nice: number = constants.priority.PRIORITY_LOW): boolean {
  if (nice <= 0) return false;
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), Math.min(nice, constants.priority.PRIORITY_LOW));
    return true;
  } catch {
    return false;
  }
}

export interface ProxyProcess {
  url: string;
  /** Settles if it exits without having been asked to stop, with how it exited. */
  died: Promise<string>;
  send(m: ToProxyProcess): void;
  /** Ask it to stop (it finishes its clients' requests); resolves when it has exited. */
  stop(): Promise<void>;
}

/** Start the client's path; every message but the start-up ones goes to `onMessage`. */
export async function startProxyProcess(init: ProxyInit, onMessage: (m: FromProxyProcess) => void): Promise<ProxyProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', resolveTsxLoader(), PROXY_ENTRY], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let stopping = false;
  let onDeath: (how: string) => void = () => {};
  const died = new Promise<string>((resolve) => (onDeath = resolve));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) onDeath(signal ?? `exit code ${code}`);
      resolve();
    }),
  );
  // Once it has stopped, late acks have nowhere to go: a closed channel is not an error worth a crash.
  child.on('error', () => {});
  const send = (m: ToProxyProcess) => {
    if (child.connected) child.send(m, () => {});
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the mirror proxy process did not start within 30 s')), 30_000);
    child.on('message', (m: FromProxyProcess) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve(m.url);
      } else if (m.type === 'error') {
        clearTimeout(timer);
        reject(m.code ? new GauntletError(m.code, m.message, m.facts ?? {}) : new Error(`mirror proxy process: ${m.message}`));
      } else onMessage(m);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the mirror proxy process exited (${signal ?? code}) before it was listening`));
    });
    send({ type: 'init', init });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    url,
    died,
    send,
    async stop() {
      stopping = true;
      send({ type: 'stop' });
      // It finishes in-flight client requests (bounded at 10 s); a stuck one is killed, not waited for.
      let timer: NodeJS.Timeout | undefined;
      const backstop = new Promise<void>((r) => (timer = setTimeout(() => r(), 15_000)));
      await Promise.race([exited, backstop]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

