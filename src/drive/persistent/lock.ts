/**
 * One `stack up` / `stack down` at a time per state directory. Two at once (two terminals, a CI
 * job and a developer) both read the same desired generation, both find no supervisor, and both
 * start one: two supervisors fighting over the same ports and pid files. The lock is a file created
 * exclusively (O_EXCL) holding the holder's pid and /proc start time; a holder that died (SIGKILL,
 * OOM) leaves a stale lock that the next caller takes over, and a live holder is waited for, with
 * a message naming it, until the caller's deadline or interrupt.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GauntletError } from '../../util/errors.ts';
import { pidAlive, processStartTicks, type PidFile } from './state.ts';

export interface LockHolder extends PidFile {
  /** What the holder is doing: `up` or `down`. */
  what: string;
  since: string;
  /** This holder's own mark: a release removes the lock only if it still carries it. */
  token?: string;
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

/** Try once: the token written when this call now holds the lock, else undefined. */
async function tryCreate(file: string, what: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  const token = randomBytes(8).toString('hex');
  try {
    const holder: LockHolder = { pid: process.pid, startTicks: processStartTicks(process.pid), what, since: new Date().toISOString(), token };
    await handle.writeFile(JSON.stringify(holder) + '\n');
  } finally {
    await handle.close();
  }
  return token;
}

const sameHolder = (a: LockHolder | undefined, b: LockHolder) => a !== undefined && a.pid === b.pid && a.since === b.since && a.token === b.token;

/**
 * Remove a stale lock — but only the one seen stale. Two waiters can find the same dead holder; if
 * both simply deleted the file, the slower one would delete the lock the faster one had just
 * created, and both would run. So a takeover holds a second exclusive file (`stack.lock.takeover`)
 * and re-reads the lock under it: while the stale lock exists nobody can create a new one, and only
 * a takeover deletes a lock that is not its own, so the file it re-read is the file it deletes. A
 * takeover file older than 10 s belongs to a process that died in these few lines: it is removed.
 */
async function takeOverStale(file: string, stale: LockHolder): Promise<void> {
  const mutex = `${file}.takeover`;
  let handle;
  try {
    handle = await open(mutex, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const since = await stat(mutex).then((st) => st.mtimeMs, () => undefined);
    if (since !== undefined && Date.now() - since > 10_000) await rm(mutex, { force: true });
    return; // another waiter is taking over: look again
  }
  await handle.close();
  try {
    const now = await readHolder(file).catch(() => undefined);
    // (An unreadable lock reads as the same unnamed holder each time, so it compares equal too.)
    if (sameHolder(now, stale)) await rm(file, { force: true });
  } finally {
    await rm(mutex, { force: true });
  }
}

/** Run `fn` holding the state directory's lock; released (only if still ours) however `fn` ends. */
export async function withStackLock<T>(stateDir: string, what: string, opts: StackLockOptions, fn: () => Promise<T>): Promise<T> {
  const file = stackLockFile(stateDir);
  const deadline = Date.now() + opts.timeoutMs;
  let announced = false;
  let unreadableSince: number | undefined;
  let token: string | undefined;
  for (;;) {
    token = await tryCreate(file, what);
    if (token !== undefined) break;
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released between our create and our read: try again at once
    const unnamed = holder.pid === -1;
    if (unnamed) unreadableSince ??= Date.now();
    else unreadableSince = undefined;
    // A dead holder's lock is stale; an unreadable one is after a few seconds (a holder writes it at once).
    const stale = unnamed ? Date.now() - unreadableSince! > 5_000 : !pidAlive(holder);
    if (stale) {
      await takeOverStale(file, holder);
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
    if (holder?.token === token) await rm(file, { force: true });
  }
}
