import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { GauntletError } from '../util/errors.ts';
import { SpanStore } from './span-store.ts';

const isLocked = (err: unknown) => /Could not set lock|Conflicting lock/i.test(String((err as Error)?.message ?? err));

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
export async function openStoreForRun(path: string, runId: string): Promise<{ store: SpanStore; path: string; shared: boolean }> {
  try {
    return { store: await SpanStore.open(path), path, shared: true };
  } catch (err) {
    if (!isLocked(err)) throw err;
    const own = runStorePath(path, runId);
    return { store: await SpanStore.open(own), path: own, shared: false };
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

/** Open each store of the family in turn (skipping ones another process holds) and run `fn` on it. */
export async function withEachStore<T>(path: string, fn: (store: SpanStore, file: string) => Promise<T | undefined>): Promise<{ result: T | undefined; locked: string[] }> {
  const locked: string[] = [];
  for (const file of await storeFamily(path)) {
    let store: SpanStore;
    try {
      store = await SpanStore.open(file);
    } catch (err) {
      if (isLocked(err)) {
        locked.push(file);
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

/** A run's spans, wherever in the store family they were written. */
export async function findRunSpans(path: string, runId: string) {
  const { result, locked } = await withEachStore(path, async (store) => {
    const spans = await store.spansForRun(runId);
    return spans.length ? spans : undefined;
  });
  if (result) return result;
  throw runNotFound(path, runId, locked);
}

/** No spans for the run in any store file: say so, and whether a file could not be read because another process holds it. */
export function runNotFound(path: string, runId: string, locked: readonly string[]): GauntletError {
  return new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no spans for run "${runId}" in the store`, {
    file: path,
    hint: locked.length ? `${locked.join(', ')} is in use by another gauntlet process; retry when it finishes` : 'list stored runs with `gauntlet runs`',
  });
}
