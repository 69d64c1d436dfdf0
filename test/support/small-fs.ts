import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small filesystem of its own (a tmpfs the test mounts), for full-disk and read-only tests.
 * Needs root (CI runs .ci/run as root); `undefined` elsewhere, and the caller falls back to an
 * injected ENOSPC / chmod so the test still runs.
 */
export interface SmallFs {
  dir: string;
  readOnly(): void;
  writable(): void;
  dispose(): Promise<void>;
}

export async function mountSmallFs(size: string): Promise<SmallFs | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-smallfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  const remount = (mode: string) => execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'ignore' });
  return {
    dir,
    readOnly: () => remount('ro'),
    writable: () => remount('rw'),
    dispose: async () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
