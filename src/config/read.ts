import { readFile, access } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { tsImport } from 'tsx/esm/api';
import { GauntletError, type ErrorCode } from '../util/errors.ts';
import { CaseFileSchema, ConfigSchema, type CaseFile, type GauntletConfig, type GauntletConfigInput } from './schema.ts';
import { DEFAULT_CONFIG } from './defaults.ts';
import { describeJsonSyntaxProblem, findJsonSyntaxProblem } from './json-syntax.ts';

/** Typed helper for `gauntlet.config.ts`: `export default defineConfig({...})`. */
export function defineConfig(config: GauntletConfigInput): GauntletConfigInput {
  return config;
}

export interface LoadedConfig {
  config: GauntletConfig;
  /** File it came from, or undefined for the built-in default. */
  file: string | undefined;
  /** Directory relative paths in the config resolve against. */
  baseDir: string;
  /** Where it came from: --config, GAUNTLET_CONFIG, found from the working directory up, or the embedded default. */
  source?: 'flag' | 'env' | 'discovered' | 'embedded';
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const CONFIG_NAMES = ['gauntlet.config.ts', 'gauntlet.config.mjs', 'gauntlet.config.js', 'gauntlet.config.yaml', 'gauntlet.config.yml', 'gauntlet.config.json'];

/** `a.b[2].c` — the JSON path users see in messages. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}

interface SourceText {
  file: string;
  text: string;
  lineOf(path: ReadonlyArray<PropertyKey>): number | undefined;
  value: unknown;
}

/**
 * Parse YAML (a superset of JSON) keeping positions so schema errors can name a line. A `.json`
 * file is held to JSON's grammar first, and its syntax errors are told in JSON's words with line
 * and column — YAML would accept some invalid JSON and word the rest as a YAML problem.
 */
function parseYamlSource(file: string, text: string, code: ErrorCode): SourceText {
  if (extname(file).toLowerCase() === '.json') {
    const problem = findJsonSyntaxProblem(text);
    if (problem) throw new GauntletError(code, describeJsonSyntaxProblem(problem), { file, line: problem.line, column: problem.column });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    throw new GauntletError(code, `not valid YAML: ${first.message.split('\n')[0]}`, { file, ...(pos ? { line: pos.line, column: pos.col } : {}) });
  }
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" alias expansion; unresolved aliases throw here.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new GauntletError(code, `not valid YAML: ${(err as Error).message}`, { file });
  }
  return {
    file,
    text,
    value,
    lineOf(path) {
      // Walk down as far as the path exists: a missing key is reported at its parent.
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

export function schemaError(code: ErrorCode, src: { file: string; lineOf?: SourceText['lineOf'] }, error: z.ZodError): GauntletError {
  const issue = error.issues[0]!;
  const line = src.lineOf?.(issue.path);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more: ${error.issues.slice(1, 4).map((i) => formatPath(i.path)).join(', ')})` : '';
  return new GauntletError(code, `${issue.message}${more}`, {
    file: src.file,
    path: formatPath(issue.path),
    ...(line ? { line } : {}),
    hint: 'run `gauntlet schema` for the full JSON Schema',
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The nearest gauntlet.config.* from `cwd` up to the repository root (the first directory holding
 * `.git`), or the filesystem root outside a repository — so a command run from a subdirectory
 * finds the project's config instead of silently falling back to the embedded default.
 */
export async function findConfigFile(cwd: string): Promise<string | undefined> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const candidate = join(dir, name);
      if (await exists(candidate)) return candidate;
    }
    if ((await exists(join(dir, '.git'))) || dirname(dir) === dir) return undefined;
  }
}

/**
 * Load and validate a config. TS/JS configs are imported (they are the user's code by choice);
 * YAML/JSON are parsed as data only — no config value is ever evaluated.
 */
export async function readConfig(file?: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const given = file ?? (env.GAUNTLET_CONFIG || undefined);
  const path = given ? resolve(cwd, given) : await findConfigFile(cwd);
  if (!path) {
    // The built-in default points at files shipped in this package, so resolve them from here.
    return { config: ConfigSchema.parse(DEFAULT_CONFIG), file: undefined, baseDir: PACKAGE_ROOT, source: 'embedded' };
  }
  if (!(await exists(path))) {
    throw new GauntletError('GAUNTLET_CONFIG_NOT_FOUND', 'config file not found', { file: path, hint: 'pass --config PATH or create gauntlet.config.yaml' });
  }
  const ext = extname(path);
  let raw: unknown;
  let lineOf: SourceText['lineOf'] | undefined;
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') {
    try {
      // tsImport loads the file as a module of its own whatever the nearest package.json says: a
      // `.ts` config outside an ESM package would otherwise be required as CommonJS and fail with
      // "Cannot require() ES Module … in a cycle".
      const mod = (ext === '.ts' || ext === '.mts' ? await tsImport(pathToFileURL(path).href, import.meta.url) : await import(pathToFileURL(path).href)) as { default?: unknown };
      raw = mod.default;
      // Compiled as CommonJS (no "type": "module" nearby), `export default` arrives one level down.
      if (raw !== null && typeof raw === 'object' && 'default' in raw && Object.keys(raw).every((k) => k === 'default' || k === '__esModule')) raw = (raw as { default: unknown }).default;
    } catch (err) {
      throw new GauntletError('GAUNTLET_CONFIG_INVALID', `could not load: ${(err as Error).message}`, { file: path }, { cause: err });
    }
    if (raw === undefined) throw new GauntletError('GAUNTLET_CONFIG_INVALID', 'has no default export', { file: path, hint: 'export default defineConfig({...})' });
  } else {
    const src = parseYamlSource(path, await readFile(path, 'utf8'), 'GAUNTLET_CONFIG_INVALID');
    raw = src.value;
    lineOf = src.lineOf;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw schemaError('GAUNTLET_CONFIG_INVALID', { file: path, ...(lineOf ? { lineOf } : {}) }, parsed.error);
  return { config: parsed.data, file: path, baseDir: dirname(path), source: file ? 'flag' : given ? 'env' : 'discovered' };
}

export function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * Load any YAML/JSON data file against its schema: a missing file, a syntax error and a schema
 * violation each name the file, and the latter two the line and JSON path.
 */
export async function readDataFile<S extends z.ZodType>(file: string, schema: S, code: ErrorCode, what: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GauntletError(code, `cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  const src = parseYamlSource(file, text, code);
  const parsed = schema.safeParse(src.value);
  if (!parsed.success) throw schemaError(code, src, parsed.error);
  return parsed.data;
}

/** Load a parity case file (YAML or JSON) with line-accurate errors. */
export async function readCaseFile(file: string): Promise<CaseFile> {
  return readDataFile(file, CaseFileSchema, 'GAUNTLET_CASES_INVALID', 'case file');
}
