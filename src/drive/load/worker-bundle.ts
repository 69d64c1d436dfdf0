/**
 * How a load worker thread gets its code. Worker threads do not inherit tsx's loader, and loading
 * ~600 TypeScript and package modules through the loader hooks took ~1.5 s per worker (3.2 s for two
 * on a 2-core machine, measured); one esbuild bundle (esbuild ships with tsx) starts in ~0.3 s. The
 * bundle is cached in the temp directory and rebuilt when any input file changes. If esbuild cannot
 * be used, workers fall back to registering tsx themselves (worker-boot.mjs): slower, same code.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));
const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const CACHE_DIR = join(tmpdir(), 'gauntlet-load-worker');
const MANIFEST = join(CACHE_DIR, 'manifest.json');

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

let cached: Promise<WorkerCode> | undefined;

export function workerCode(): Promise<WorkerCode> {
  return (cached ??= resolveCode());
}

async function resolveCode(): Promise<WorkerCode> {
  const fallback: WorkerCode = { url: BOOT, workerData: { entry: new URL('./worker.ts', import.meta.url).href }, mode: 'tsx' };
  try {
    const esbuild = await import('esbuild');
    const bundle = (await reuse(esbuild.version)) ?? (await rebuild(esbuild));
    return { url: new URL(`file://${bundle}`), workerData: {}, mode: 'bundle' };
  } catch {
    return fallback;
  }
}

/** The cached bundle, if it was built from the same files (by mtime) with the same esbuild. */
async function reuse(version: string): Promise<string | undefined> {
  let m: Manifest;
  try {
    m = JSON.parse(await readFile(MANIFEST, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (m.source !== SOURCE || m.esbuild !== version) return undefined;
  try {
    await stat(m.bundle);
    const checks = await Promise.all(Object.entries(m.inputs).map(async ([file, mtime]) => (await stat(file)).mtimeMs === mtime));
    return checks.every(Boolean) ? m.bundle : undefined;
  } catch {
    return undefined;
  }
}

async function rebuild(esbuild: typeof import('esbuild')): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  const bundle = join(CACHE_DIR, `worker-${process.pid}-${Date.now()}.mjs`);
  const result = await esbuild.build({
    entryPoints: [SOURCE],
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
  const manifest: Manifest = { source: SOURCE, esbuild: esbuild.version, bundle, inputs };
  // Rename makes the manifest switch atomically: concurrent runs see an old or a new one, never half.
  const tmp = `${MANIFEST}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest));
  await rename(tmp, MANIFEST);
  return bundle;
}
