/**
 * What every use-case gets from its caller and gives back: where to print, when to stop, and an
 * outcome the CLI turns into an exit code (use-cases never pick exit codes themselves).
 */
import { readConfig, resolveFrom, type LoadedConfig } from '../config/index.ts';

export interface Output {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** `ok`; `failed`: the verdict says no (gate failed, a check failed, a threshold crossed…); `interrupted`: stopped by a signal. */
export type Outcome = 'ok' | 'failed' | 'interrupted';

/** Where a use-case finds its config and store: both optional, both found the usual way when absent. */
export interface Sources {
  /** gauntlet.config.{ts,yaml,json}; absent: found in the current directory, else the embedded default. */
  config?: string | undefined;
  /** The span store; absent: store.path of the config. */
  store?: string | undefined;
}

/**
 * The config of a use-case. Falling back to the embedded default is said on stderr: in CI, a
 * command run from the wrong directory must not quietly test the reference twins instead.
 */
export async function loadSources(s: Sources): Promise<LoadedConfig> {
  const loaded = await readConfig(s.config);
  if (loaded.source === 'embedded') {
    process.stderr.write('note: no gauntlet.config.{ts,mjs,js,yaml,yml,json} here or above (up to the repository root): using the embedded default (the reference twins) — pass --config or set GAUNTLET_CONFIG\n');
  }
  return loaded;
}

export function storePathOf(loaded: LoadedConfig, store: string | undefined): string {
  if (store !== undefined) return store;
  return resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), loaded.config.store.path);
}

/** Only the flags that were given, so `{ ...given({ x }) }` never sets a property to undefined. */
export function given<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
