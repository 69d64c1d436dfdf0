/**
 * One `stack up` / `stack down` at a time per state directory. Two at once (two terminals, a CI
 * job and a developer) both read the same desired generation, both find no supervisor, and both
 * start one: two supervisors fighting over the same ports and pid files. The lock is a file created
 * exclusively (O_EXCL) holding the holder's pid and /proc start time; a holder that died (SIGKILL,
 * OOM) leaves a stale lock that the next caller takes over, and a live holder is waited for, with
 * a message naming it, until the caller's deadline or interrupt.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GauntletError } from '../../util/errors.ts';
import { pidAlive, processStartTicks, type PidFile } from './state.ts';

export interface LockHolder extends PidFile {
  /** What the holder is doing: `up` or `down`. */
  what: string;
  since: string;
}

export interface StackLockOptions {
  /** Give up waiting for a live holder after this long. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called once when the lock is held by a live process and this call starts waiting. */
  onWait?: ((holder: LockHolder, file: string) => void) | undefined;
  pollMs?: number;
}

export const stackLockFile = (stateDir: string): string => join(stateDir, 'stack.lock');

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockHolder;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // Created but not yet written (the holder is between open and write), or garbage: treat as held
    // by nobody we can name — waited for like a live holder, taken over only once it is stale by age.
    if (err instanceof SyntaxError) return { pid: -1, what: 'unknown', since: '' };
    throw err;
  }
}

/** Try once: true when this process now holds the lock. */
async function tryCreate(file: string, what: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    const holder: LockHolder = { pid: process.pid, startTicks: processStartTicks(process.pid), what, since: new Date().toISOString() };
    await handle.writeFile(JSON.stringify(holder) + '\n');
  } finally {
    await handle.close();
  }
  return true;
}

/** Run `fn` holding the state directory's lock; released (only if still ours) however `fn` ends. */
export async function withStackLock<T>(stateDir: string, what: string, opts: StackLockOptions, fn: () => Promise<T>): Promise<T> {
  const file = stackLockFile(stateDir);
  const deadline = Date.now() + opts.timeoutMs;
  let announced = false;
  let unreadableSince: number | undefined;
  for (;;) {
    if (await tryCreate(file, what)) break;
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released between our create and our read: try again at once
    const unnamed = holder.pid === -1;
    if (unnamed) unreadableSince ??= Date.now();
    else unreadableSince = undefined;
    // A dead holder's lock is stale; an unreadable one is after a few seconds (a holder writes it at once).
    const stale = unnamed ? Date.now() - unreadableSince! > 5_000 : !pidAlive(holder);
    if (stale) {
      await rm(file, { force: true });
      continue;
    }
    if (!announced && !unnamed) {
      announced = true;
      opts.onWait?.(holder, file);
    }
    if (opts.signal?.aborted) throw new GauntletError('GAUNTLET_INTERRUPTED', `interrupted while waiting for ${file}`);
    if (Date.now() > deadline) {
      throw new GauntletError('GAUNTLET_STACK_LOCKED', `another \`gauntlet stack ${holder.what}\` (pid ${holder.pid}, since ${holder.since}) still holds ${file} after ${opts.timeoutMs} ms`, {
        file,
        hint: 'let it finish, or stop it; a lock left by a process that died is taken over by itself',
      });
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  }
  try {
    return await fn();
  } finally {
    const holder = await readHolder(file).catch(() => undefined);
    if (holder?.pid === process.pid) await rm(file, { force: true });
  }
}
