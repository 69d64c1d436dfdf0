import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const CLI = join(SRC, 'cli');
/** The CLI parses, prints help and maps outcomes/errors to exit codes: everything else is a use-case in app/. */
const ALLOWED = new Set(['cli', 'app', 'config', 'util']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('src/cli is thin', () => {
  it('imports only from src/app, src/config and src/util', () => {
    const arrows: string[] = [];
    for (const file of files(CLI)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
        const folder = relative(SRC, resolve(dirname(file), m[1]!)).split('/')[0]!;
        if (!ALLOWED.has(folder)) arrows.push(`${relative(SRC, file)} -> ${m[1]}`);
      }
    }
    expect(arrows).toEqual([]);
  });
});
