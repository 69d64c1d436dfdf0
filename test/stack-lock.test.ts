import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stackLockFile, withStackLock } from '../src/drive/persistent/lock.ts';

/**
 * The persistent stack's lock (src/drive/persistent/lock.ts) with many contenders at once: whoever
 * holds it runs alone, a dead holder's lock is taken over exactly once (two waiters that both saw
 * it stale must not both delete — the slower would delete the faster's fresh lock), a live holder
 * is waited for until the deadline, and nothing is left behind.
 */
describe('withStackLock', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function contend(n: number) {
    let active = 0;
    let most = 0;
    let ran = 0;
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        // Staggered by a fraction of a millisecond each: some contenders read the stale holder
        // while others are already creating their own lock.
        await new Promise((r) => setTimeout(r, (i % 4) * 0.5));
        return withStackLock(dir, 'up', { timeoutMs: 30_000, pollMs: 2 }, async () => {
          active++;
          most = Math.max(most, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          ran++;
        });
      }),
    );
    return { most, ran };
  }

  it('over a dead holder\'s lock, 16 contenders run one at a time, each once, and leave no file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-lock-'));
    for (let round = 0; round < 30; round++) {
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      await writeFile(stackLockFile(dir), JSON.stringify({ pid: dead, what: 'up', since: new Date().toISOString(), token: 'gone' }) + '\n');
      expect(await contend(16)).toEqual({ most: 1, ran: 16 });
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('a live holder is waited for until the deadline: GAUNTLET_STACK_LOCKED naming it; its lock is left alone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-lock-'));
    const holder = { pid: process.pid, what: 'down', since: '2026-12-03T20:00:00.000Z', token: 'theirs' };
    await writeFile(stackLockFile(dir), JSON.stringify(holder) + '\n');
    const waited: string[] = [];
    const started = Date.now();
    const err = await withStackLock(dir, 'up', { timeoutMs: 300, pollMs: 20, onWait: (h) => waited.push(`${h.what} ${h.pid}`) }, async () => 'ran').catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(err).toMatchObject({ code: 'GAUNTLET_STACK_LOCKED' });
    expect((err as Error).message).toContain(`another \`gauntlet stack down\` (pid ${process.pid}, since 2026-12-03T20:00:00.000Z) still holds ${stackLockFile(dir)}`);
    expect(waited).toEqual([`down ${process.pid}`]);
    expect(existsSync(stackLockFile(dir))).toBe(true);
  });

  it('an interrupt while waiting ends the wait (GAUNTLET_INTERRUPTED)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-lock-'));
    await writeFile(stackLockFile(dir), JSON.stringify({ pid: process.pid, what: 'up', since: 'now', token: 'x' }) + '\n');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(withStackLock(dir, 'up', { timeoutMs: 30_000, pollMs: 10, signal: ac.signal }, async () => 'ran')).rejects.toMatchObject({ code: 'GAUNTLET_INTERRUPTED' });
  });
});
