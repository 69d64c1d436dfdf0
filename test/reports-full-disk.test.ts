import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSet } from '../src/util/atomic-write.ts';
import { GauntletError } from '../src/util/errors.ts';
import { runCli } from './support/cli.ts';
import { mountSmallFs } from './support/small-fs.ts';

/** Reports on a full disk: the verdict and run id are printed regardless, the error names the path, nothing partial is left. */
describe('reports on a full filesystem', () => {
  it('gauntlet run: verdict and run id printed, exit 2 naming the path and the full disk, no partial report set', async () => {
    const fs = await mountSmallFs('96k');
    // Root mounts a real 96 KiB tmpfs (CI runs as root); the unit test below covers the same path by injection.
    expect(fs, 'mounting a tmpfs needs root — .ci/run runs as root').toBeDefined();
    const work = await mkdtemp(join(tmpdir(), 'gauntlet-full-reports-'));
    try {
      const r = await runCli(['run', '--skip', 'load', '--store', join(work, 's.duckdb'), '--reports-dir', fs!.dir], { cwd: work, timeoutMs: 120_000 });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stdout).toMatch(/^gate: \w+ \(score [\d.]+\)/m);
      expect(r.stdout).toMatch(/re-judge any time: gauntlet gate --run r-\S+/);
      expect(r.stderr).toMatch(new RegExp(`GAUNTLET_DISK_FULL: .*the disk holding ${fs!.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/r-\\S+ is full`));
      expect(await readdir(fs!.dir)).toEqual([]);
      // The run itself is stored and complete: its reports can be written elsewhere later.
      const runId = /gate --run (r-\S+)/.exec(r.stdout)![1]!;
      const regate = await runCli(['gate', '--run', runId, '--store', join(work, 's.duckdb'), '--html', join(work, 'later.html')], { cwd: work });
      // Its verdict is the latency judge's business on a busy machine; the report is what matters here.
      expect(regate.code, regate.stderr).not.toBe(2);
      expect(existsSync(join(work, 'later.html'))).toBe(true);
    } finally {
      await fs?.dispose();
      await rm(work, { recursive: true, force: true });
    }
  }, 180_000);

  it('a set of files is all or nothing (injected ENOSPC on the third file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-fileset-'));
    try {
      const runDir = join(dir, 'r-1');
      const enospc = () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      const files = [
        { path: join(runDir, 'a.json'), data: () => '{}' },
        { path: join(dir, 'explicit.xml'), data: () => '<x/>' },
        { path: join(runDir, 'c.html'), data: enospc },
      ];
      const err = await writeFileSet(files, runDir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GauntletError);
      expect((err as GauntletError).code).toBe('GAUNTLET_DISK_FULL');
      expect((err as GauntletError).message).toContain(join(runDir, 'c.html'));
      expect(await readdir(dir)).toEqual([]);
      await writeFileSet(files.slice(0, 2), runDir);
      expect((await readdir(dir)).sort()).toEqual(['explicit.xml', 'r-1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
