/**
 * Watch soak: the real CLI, `gauntlet watch --interval 1s` on the embedded default (the reference
 * twins on loopback, the embedded collector), for SOAK_SECONDS (default 120). Every few seconds the
 * child's VmRSS and the store's bytes on disk (file + WAL) are sampled; the slopes per hour are a
 * least-squares fit over the second half of the run, after warm-up. A second, shorter phase runs
 * the same daemon with a tight `store.retention` (runs older than 30 s or beyond 1 MiB, applied
 * every 5 s) and reports where the store settles; a third runs that daemon again with DuckDB's own
 * buffer pool (80% of RAM) instead of watch's 256 MiB default. Bounded in time; nothing leaves loopback.
 *
 * Why an age limit in the second phase: retention measures the database's used blocks, and at this
 * rate every span is still in the WAL (checkpoints come every ~120k rows), so a size limit alone
 * sees a store of a few KiB and prunes nothing for the first hour.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG } from '../src/config/defaults.ts';
import { BIN, REPO_ROOT } from '../test/support/cli.ts';

const SAMPLE_MS = 3_000;
/** The second phase keeps runs this young. */
const RETAIN_SECONDS = 30;

interface Sample {
  s: number;
  rssMb: number;
  storeMb: number;
}

/** Slope of y over x by least squares. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : NaN;
}

async function bytesOf(path: string): Promise<number> {
  let n = 0;
  for (const p of [path, `${path}.wal`]) n += await stat(p).then((s) => s.size, () => 0);
  return n;
}

function rssMbOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `gauntlet watch` for `seconds`, then SIGINT (the normal way to stop it); samples while it runs. */
async function soak(args: string[], cwd: string, storePath: string, seconds: number): Promise<{ samples: Sample[]; cycles: number; stdout: string }> {
  // --max-cycles bounds the daemon even if the SIGINT were lost.
  const child = spawn(process.execPath, [BIN, 'watch', '--interval', '1s', '--listen', '127.0.0.1:0', '--store', storePath, '--max-cycles', String(seconds + 30), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const samples: Sample[] = [];
  const started = performance.now();
  let done = false;
  void exited.then(() => (done = true));
  while (!done && performance.now() - started < seconds * 1000) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const rss = rssMbOf(child.pid!);
    if (rss === undefined) break;
    samples.push({ s: (performance.now() - started) / 1000, rssMb: rss, storeMb: (await bytesOf(storePath)) / 1024 / 1024 });
  }
  child.kill('SIGINT');
  const hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(hard);
  if (code !== 0) throw new Error(`watch exited ${code}: ${stderr.slice(-2000)}`);
  const cycles = (stdout.match(/^cycle \d+ /gm) ?? []).length;
  return { samples, cycles, stdout };
}

function figures(label: string, r: { samples: Sample[]; cycles: number }, seconds: number): Record<string, number> {
  const late = r.samples.filter((x) => x.s >= seconds / 2);
  const xs = late.map((x) => x.s / 3600);
  const last = r.samples.at(-1);
  return {
    [`${label} cycles`]: r.cycles,
    [`${label} RSS MB first sample`]: r.samples[0]?.rssMb ?? NaN,
    [`${label} RSS MB last sample`]: last?.rssMb ?? NaN,
    [`${label} RSS MB max`]: Math.max(...r.samples.map((x) => x.rssMb)),
    [`${label} RSS slope MB/h (2nd half)`]: slope(xs, late.map((x) => x.rssMb)),
    [`${label} store MB at end`]: last?.storeMb ?? NaN,
    [`${label} store MB max`]: Math.max(...r.samples.map((x) => x.storeMb)),
    [`${label} store slope MB/h (2nd half)`]: slope(xs, late.map((x) => x.storeMb)),
  };
}

/** The embedded default as a data-only JSON config: paths made absolute, retention tight. */
function retentionConfig(storePath: string, memoryLimitMb?: number): object {
  const abs = (p: string) => resolve(REPO_ROOT, p);
  const d = DEFAULT_CONFIG;
  return {
    ...d,
    smoke: { ...d.smoke, suites: (d.smoke?.suites ?? []).map(abs) },
    parity: { ...d.parity, cases: (d.parity?.cases ?? []).map(abs) },
    run: {
      ...d.run,
      replay: { ...d.run?.replay, recordings: (d.run?.replay?.recordings ?? []).map(abs) },
      load: { ...d.run?.load, scenarios: abs(d.run!.load!.scenarios as string) },
    },
    store: { path: storePath, retention: { maxAgeDays: RETAIN_SECONDS / 86_400, maxSizeMb: 1, everySeconds: 5 }, ...(memoryLimitMb ? { memoryLimitMb } : {}) },
  };
}

export async function runWatchSoakBench(): Promise<Record<string, number>> {
  const seconds = Number(process.env.SOAK_SECONDS ?? 120);
  if (!(seconds >= 10)) throw new Error(`SOAK_SECONDS must be at least 10, got ${process.env.SOAK_SECONDS}`);
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-bench-watch-soak-'));
  try {
    // No config file in the working directory: the embedded default applies.
    const store = join(dir, 'store.duckdb');
    const plain = await soak([], dir, store, seconds);
    const out = figures('default retention', plain, seconds);

    const retained = join(dir, 'retained.duckdb');
    const config = join(dir, 'gauntlet.config.json');
    await writeFile(config, JSON.stringify(retentionConfig(retained), null, 2));
    const tightSeconds = Math.max(30, Math.round(seconds / 2));
    const tight = await soak(['--config', config], dir, retained, tightSeconds);
    const pruned = (tight.stdout.match(/^retention: deleted/gm) ?? []).length;
    Object.assign(out, figures('retention 30 s/1 MiB', tight, tightSeconds), { 'retention 30 s/1 MiB prune passes that deleted runs': pruned });

    // The same daemon with DuckDB's own buffer pool (80% of RAM) instead of watch's 256 MiB default,
    // right after, for the side-by-side RSS slope.
    const unbounded = join(dir, 'unbounded.duckdb');
    const configUnbounded = join(dir, 'gauntlet.unbounded.json');
    await writeFile(configUnbounded, JSON.stringify(retentionConfig(unbounded, 1_048_576), null, 2));
    const wide = await soak(['--config', configUnbounded], dir, unbounded, tightSeconds);
    Object.assign(out, figures('retention, DuckDB default pool', wide, tightSeconds));
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
