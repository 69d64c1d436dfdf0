/**
 * Reading a persistent stack file: TOML (smol-toml), YAML or JSON by extension, validated by the one
 * zod schema. A syntax error or a schema violation names the file, the line and the field.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { GauntletError } from '../util/errors.ts';
import { readDataFile, schemaError } from './read.ts';
import { StackFileSchema, type StackFile } from './stack-file-schema.ts';

export interface LoadedStackFile {
  stack: StackFile;
  /** Absolute path of the file. */
  file: string;
  /** The stack's name: `name` of the file, else the file name without its extension. */
  name: string;
  /** Absolute state directory (pid files, logs, state.json). */
  stateDir: string;
}

const CODE = 'GAUNTLET_STACK_INVALID';

export async function readStackFile(path: string, cwd = process.cwd()): Promise<LoadedStackFile> {
  const file = resolve(cwd, path);
  const ext = extname(file).toLowerCase();
  let stack: StackFile;
  if (ext === '.toml') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new GauntletError(CODE, `cannot read stack file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file, hint: 'pass the stack file with --file FILE, or set stack.persistent in the config' });
    }
    let raw: unknown;
    try {
      raw = parseToml(text);
    } catch (err) {
      const line = err instanceof TomlError ? err.line : undefined;
      throw new GauntletError(CODE, `not valid TOML: ${(err as Error).message.split('\n')[0]}`, { file, ...(line ? { line } : {}) });
    }
    const parsed = StackFileSchema.safeParse(raw);
    if (!parsed.success) {
      // An unknown key is reported at its own line (and path), not at its table's.
      for (const issue of parsed.error.issues) if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) (issue as { path: PropertyKey[] }).path = [...issue.path, issue.keys[0]];
      const lines = tomlKeyLines(text);
      throw withSchemaHint(schemaError(CODE, { file, lineOf: (p) => lineOfPath(lines, p) }, parsed.error));
    }
    stack = parsed.data;
  } else if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    stack = await readDataFile(file, StackFileSchema, CODE, 'stack file').catch((err: unknown) => {
      throw err instanceof GauntletError && err.facts.path !== undefined ? withSchemaHint(err) : err;
    });
  } else {
    throw new GauntletError(CODE, `unknown stack file type "${ext || '(none)'}"`, { file, hint: 'a stack file ends in .toml, .yaml, .yml or .json' });
  }
  const name = stack.name ?? basename(file, extname(file));
  const stateDir = resolve(dirname(file), stack.stateDir ?? `.gauntlet/stack/${name}`);
  return { stack, file, name, stateDir };
}

/** Point at the stack file's own schema rather than the config's. */
function withSchemaHint(err: GauntletError): GauntletError {
  return new GauntletError(err.code, err.message, { ...err.facts, hint: 'run `gauntlet schema stack` for the stack file’s JSON Schema (schemas/stack.json)' }, { cause: err.cause });
}

/**
 * Where each key of a TOML document is defined: `[table]` headers, `[[array]]` headers and
 * `key = value` lines (dotted and quoted keys too). smol-toml keeps no positions, and a schema error
 * must still name a line; a key inside an inline table is reported at the line of its table.
 */
export function tomlKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const arrays = new Map<string, number>();
  let table: string[] = [];
  const note = (path: readonly string[], line: number) => {
    const key = path.join('\u0000');
    if (!lines.has(key)) lines.set(key, line);
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (!s || s.startsWith('#')) return;
    const arr = /^\[\[(.+?)\]\]/.exec(s);
    if (arr) {
      const base = splitKey(arr[1]!);
      const k = base.join('\u0000');
      const n = arrays.get(k) ?? 0;
      arrays.set(k, n + 1);
      table = [...base, String(n)];
      note(base, line);
      note(table, line);
      return;
    }
    const tab = /^\[(.+?)\]/.exec(s);
    if (tab) {
      table = splitKey(tab[1]!);
      for (let n = 1; n <= table.length; n++) note(table.slice(0, n), line);
      return;
    }
    const kv = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/.exec(s);
    if (kv) {
      const key = [...table, ...splitKey(kv[1]!)];
      for (let n = table.length + 1; n <= key.length; n++) note(key.slice(0, n), line);
    }
  });
  return lines;
}

function splitKey(key: string): string[] {
  const out: string[] = [];
  for (const m of key.matchAll(/\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function lineOfPath(lines: Map<string, number>, path: ReadonlyArray<PropertyKey>): number | undefined {
  // Walk up until a defined key: a missing key is reported at its table.
  for (let n = path.length; n >= 0; n--) {
    const line = lines.get(path.slice(0, n).map(String).join('\u0000'));
    if (line !== undefined) return line;
  }
  return undefined;
}
