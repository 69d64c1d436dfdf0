/**
 * How a worker thread (load VUs, the latency judge) gets its code. Worker threads do not inherit
 * tsx's loader, and loading ~600 TypeScript and package modules through the loader hooks took ~1.5 s
 * per worker (3.2 s for two on a 2-core machine, measured); one esbuild bundle (esbuild ships with
 * tsx) starts in ~0.1–0.3 s. Each entry's bundle is cached in the temp directory and rebuilt when any
 * of its input files changes. If esbuild cannot be used, workers fall back to registering tsx
 * themselves (worker-boot.mjs): slower, same code.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const CACHE_DIR = join(tmpdir(), 'gauntlet-workers');

export interface WorkerCode {
  /** The script a Worker is created with. */
  url: URL;
  /** workerData it needs (the tsx fallback is told which module to load). */
  workerData: Record<string, unknown>;
  mode: 'bundle' | 'tsx';
}

interface Manifest {
  source: string;
  esbuild: string;
  bundle: string;
  inputs: Record<string, number>;
}

const cached = new Map<string, Promise<WorkerCode>>();

/**
 * The code for a worker running `entry` (a TypeScript module URL); `name` keys the cached bundle
 * ('load-worker', 'judge-worker'). Resolved once per process and entry.
 */
export function workerCode(entry: URL, name: string): Promise<WorkerCode> {
  let code = cached.get(entry.href);
  if (!code) {
    code = resolveCode(entry, name);
    cached.set(entry.href, code);
  }
  return code;
}

async function resolveCode(entry: URL, name: string): Promise<WorkerCode> {
  const fallback: WorkerCode = { url: BOOT, workerData: { entry: entry.href }, mode: 'tsx' };
  const source = fileURLToPath(entry);
  const manifest = join(CACHE_DIR, `${name}.manifest.json`);
  try {
    const esbuild = await import('esbuild');
    const bundle = (await reuse(source, manifest, esbuild.version)) ?? (await rebuild(esbuild, source, manifest, name));
    return { url: new URL(`file://${bundle}`), workerData: {}, mode: 'bundle' };
  } catch {
    return fallback;
  }
}

/** The cached bundle, if it was built from the same files (by mtime) with the same esbuild. */
async function reuse(source: string, manifest: string, version: string): Promise<string | undefined> {
  let m: Manifest;
  try {
    m = JSON.parse(await readFile(manifest, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (m.source !== source || m.esbuild !== version) return undefined;
  try {
    await stat(m.bundle);
    const checks = await Promise.all(Object.entries(m.inputs).map(async ([file, mtime]) => (await stat(file)).mtimeMs === mtime));
    return checks.every(Boolean) ? m.bundle : undefined;
  } catch {
    return undefined;
  }
}

async function rebuild(esbuild: typeof import('esbuild'), source: string, manifestPath: string, name: string): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  const bundle = join(CACHE_DIR, `${name}-${process.pid}-${Date.now()}.mjs`);
  const result = await esbuild.build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    metafile: true,
    logLevel: 'silent',
    // CommonJS packages inside an ESM bundle still call require() for Node built-ins.
    banner: { js: "import { createRequire as __gauntletRequire } from 'node:module'; const require = __gauntletRequire(import.meta.url);" },
  });
  const inputs: Record<string, number> = {};
  for (const file of Object.keys(result.metafile!.inputs)) {
    const abs = file.startsWith('/') ? file : join(process.cwd(), file);
    inputs[abs] = (await stat(abs)).mtimeMs;
  }
  const manifest: Manifest = { source, esbuild: esbuild.version, bundle, inputs };
  // Rename makes the manifest switch atomically: concurrent runs see an old or a new one, never half.
  const tmp = `${manifestPath}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest));
  await rename(tmp, manifestPath);
  return bundle;
}
