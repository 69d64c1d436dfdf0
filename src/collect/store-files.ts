import { access, readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { GauntletError } from '../util/errors.ts';
import { SpanStore, lockHolderOf, type StoreOpenOptions } from './span-store.ts';

const isLocked = (err: unknown) =>
  (err instanceof GauntletError && err.code === 'GAUNTLET_STORE_LOCKED') || /Could not set lock|Conflicting lock/i.test(String((err as Error)?.message ?? err));

/** Who held each store file the last time a reader found it locked (file → "PID 123 (/usr/bin/node)"). */
const lockHolders = new Map<string, string>();

/**
 * Opens an existing store for reading only — what `runs`, `analyze` and `gate` need. It takes no
 * write lock and writes nothing, so it works on a read-only file or directory. Throws
 * GAUNTLET_STORE_LOCKED (naming the holder) while a writer holds the file, GAUNTLET_STORE_INVALID
 * for a file that is not a gauntlet store, GAUNTLET_RUN_NOT_FOUND when there is no file.
 */
export function openStoreForReading(path: string): Promise<SpanStore> {
  return SpanStore.open(path, { readOnly: true });
}

/** `.gauntlet/store.duckdb` + run → `.gauntlet/store.<run>.duckdb` */
export function runStorePath(path: string, runId: string): string {
  const ext = extname(path) || '.duckdb';
  return join(dirname(path), `${basename(path, ext)}.${runId}${ext}`);
}

/**
 * DuckDB lets one process write a file. When another gauntlet run holds the store, this run writes
 * a store of its own beside it instead of failing or waiting — two runs at once never share (or
 * corrupt) a file, and readers look in both (see `findRunSpans`).
 */
export async function openStoreForRun(path: string, runId: string, opts: Pick<StoreOpenOptions, 'memoryLimitMb'> = {}): Promise<{ store: SpanStore; path: string; shared: boolean }> {
  try {
    return { store: await SpanStore.open(path, opts), path, shared: true };
  } catch (err) {
    if (!isLocked(err)) throw err;
    const own = runStorePath(path, runId);
    return { store: await SpanStore.open(own, opts), path: own, shared: false };
  }
}

/** The store file and its per-run siblings, main file first. */
export async function storeFamily(path: string): Promise<string[]> {
  const ext = extname(path) || '.duckdb';
  const stem = basename(path, ext);
  const siblings = (await readdir(dirname(path)).catch(() => [] as string[]))
    .filter((f) => f.startsWith(`${stem}.`) && f.endsWith(ext) && f !== basename(path))
    .sort()
    .map((f) => join(dirname(path), f));
  return [path, ...siblings];
}

/**
 * Open each existing store of the family in turn, read-only (skipping ones another process holds
 * for writing), and run `fn` on it until it returns something.
 */
export async function withEachStore<T>(path: string, fn: (store: SpanStore, file: string) => Promise<T | undefined>): Promise<{ result: T | undefined; locked: string[] }> {
  const locked: string[] = [];
  for (const file of await storeFamily(path)) {
    if (!(await exists(file))) continue; // no store yet: nothing to read
    let store: SpanStore;
    try {
      store = await openStoreForReading(file);
    } catch (err) {
      if (isLocked(err)) {
        locked.push(file);
        const holder = lockHolderOf((err as Error).cause ?? err);
        if (holder) lockHolders.set(file, holder);
        continue;
      }
      throw err;
    }
    try {
      const result = await fn(store, file);
      if (result !== undefined) return { result, locked };
    } finally {
      await store.close();
    }
  }
  return { result: undefined, locked };
}

const exists = (file: string) => access(file).then(() => true, () => false);

/** A run's spans, wherever in the store family they were written. */
export async function findRunSpans(path: string, runId: string) {
  const { result, locked } = await withEachStore(path, async (store) => {
    const spans = await store.spansForRun(runId);
    return spans.length ? spans : undefined;
  });
  if (result) return result;
  throw runNotFound(path, runId, locked);
}

/**
 * No spans for the run in any readable store file. When a file could not be read because another
 * process holds it, the run may well be in there: that is GAUNTLET_STORE_LOCKED, not "not found".
 */
export function runNotFound(path: string, runId: string, locked: readonly string[]): GauntletError {
  if (locked.length) {
    const held = locked.map((f) => (lockHolders.has(f) ? `${f} (held by ${lockHolders.get(f)})` : f)).join(', ');
    return new GauntletError('GAUNTLET_STORE_LOCKED', `run "${runId}" is not in the readable store files, and ${held} is in use by another process, so it may be in there`, {
      file: locked[0],
      hint: 'wait for that gauntlet process to finish (it holds the store while it runs), then retry',
    });
  }
  return new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no spans for run "${runId}" in the store`, {
    file: path,
    hint: 'list stored runs with `gauntlet runs`',
  });
}
