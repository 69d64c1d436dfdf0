import { GauntletError } from '../util/errors.ts';
import { readCaseFile, resolveFrom, type LoadedConfig } from './read.ts';
import type { CaseFile } from './schema.ts';

export interface LoadedCases {
  file: string;
  cases: CaseFile;
}

/** Read and validate every case file before anything is started, so bad input costs nothing. */
export async function readParityCases(loaded: LoadedConfig, files?: string[]): Promise<LoadedCases[]> {
  const list = files?.length ? files.map((f) => resolveFrom(process.cwd(), f)) : loaded.config.parity.cases.map((f) => resolveFrom(loaded.baseDir, f));
  if (list.length === 0) {
    throw new GauntletError('GAUNTLET_NOTHING_TO_RUN', 'no parity case files given', { hint: 'pass case files (gauntlet parity CASES.yaml) or list them under parity.cases in the config' });
  }
  const out: LoadedCases[] = [];
  for (const file of list) {
    const cases = await readCaseFile(file);
    if (!(cases.service in loaded.config.stack.services)) {
      throw new GauntletError('GAUNTLET_CASES_INVALID', `service "${cases.service}" is not in the stack (have: ${Object.keys(loaded.config.stack.services).join(', ')})`, {
        file,
        path: 'service',
        ...(loaded.file ? { hint: `add it under stack.services in ${loaded.file}` } : {}),
      });
    }
    out.push({ file, cases });
  }
  return out;
}

