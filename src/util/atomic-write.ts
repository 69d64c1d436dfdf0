import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { diskFullError, isDiskFull } from './errors.ts';

const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/** A full disk becomes GAUNTLET_DISK_FULL naming the file; anything else is rethrown. */
function explain(err: unknown, path: string): unknown {
  return isDiskFull(err) ? diskFullError(path, `could not write ${basename(path)}`, err) : err;
}

/** Write a file so readers never see half of it: temp file in the same directory, then rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tmpName(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw explain(err, path);
  }
}

/**
 * Write a set of files all or nothing: every file goes to a temp file first, and only when all of
 * them are written are they renamed into place. A failure (a full disk) removes the temp files and
 * leaves no member of the set behind. Files under `freshDir` — a directory that does not exist yet,
 * such as a run's report directory — are staged in a sibling directory renamed into place at once,
 * so even a kill mid-way never leaves a partial set under that name.
 */
export async function writeFileSet(files: ReadonlyArray<{ path: string; data: () => string | Uint8Array }>, freshDir?: string): Promise<void> {
  const inDir = freshDir ? files.filter((f) => dirname(f.path) === freshDir) : [];
  const loose = files.filter((f) => !inDir.includes(f));
  const stage = freshDir && inDir.length ? `${freshDir}.partial-${process.pid}-${randomBytes(4).toString('hex')}` : undefined;
  const temps: Array<{ tmp: string; path: string }> = [];
  let current = freshDir ?? '';
  try {
    if (stage) {
      await mkdir(stage, { recursive: true });
      for (const f of inDir) {
        current = f.path;
        await writeFile(join(stage, basename(f.path)), f.data());
      }
    }
    for (const f of loose) {
      current = f.path;
      await mkdir(dirname(f.path), { recursive: true });
      const tmp = tmpName(f.path);
      temps.push({ tmp, path: f.path });
      await writeFile(tmp, f.data());
    }
    if (stage) {
      current = freshDir!;
      await rename(stage, freshDir!);
    }
    for (const t of temps) {
      current = t.path;
      await rename(t.tmp, t.path);
    }
  } catch (err) {
    if (stage) await rm(stage, { recursive: true, force: true });
    await Promise.all(temps.map((t) => rm(t.tmp, { force: true })));
    throw explain(err, current);
  }
}
