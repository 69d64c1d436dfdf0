/**
 * The mirror's added latency: the validatord twins (rust primary, go candidate) as child
 * processes, the real `gauntlet mirror` daemon (its proxy process, and the copy side — embedded
 * receiver, DuckDB store, copies to the candidate, comparison — at the lowest CPU priority), and an
 * open-model generator here sending
 * `RATE` req/s through the mirror and `RATE` req/s straight to the primary, interleaved request by
 * request, so machine drift lands on both alike. Half the requests are valid orders (identical
 * answers), half miss the id (422, enum-encoding divergence): the copy path diffs and classifies.
 *
 * Each rate is measured twice: against a mirror that copies nothing (the POST is not a safe route
 * there) — the proxy hop alone — and against the copying one, so the copy path's own share of the
 * added latency can be read off.
 *   npx tsx bench/mirror.bench.ts [RATE,RATE…] [SECONDS] [MIRROR OPTIONS…]   (default 250,1000 req/s per path, 4 s)
 * Figures are reported, never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { spawnDaemon } from '../src/daemons/index.ts';

const BIN = fileURLToPath(new URL('../bin/gauntlet.mjs', import.meta.url));
const SCHEMA = { fields: { id: { type: 'string', required: true }, qty: { type: 'integer', required: true, min: 1, max: 100 } } };
const BODIES = [JSON.stringify({ schema: SCHEMA, record: { id: 'ord-1', qty: 3 } }), JSON.stringify({ schema: SCHEMA, record: { qty: 3 } })];
const WARMUP_MS = 1_000;

/**
 * CPU milliseconds used so far by a process and all its descendants (the mirror daemon spawns its
 * proxy and copy sides), from /proc; NaN elsewhere. Bounded: at most 64 processes are visited.
 */
async function treeCpuMs(root: number): Promise<number> {
  let total = 0;
  const queue = [root];
  try {
    for (let visited = 0; queue.length > 0 && visited < 64; visited++) {
      const pid = queue.shift() as number;
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
      for (const task of await readdir(`/proc/${pid}/task`)) {
        const kids = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
        queue.push(...kids.map(Number));
      }
    }
    return total;
  } catch {
    return NaN;
  }
}

interface MirrorProcess {
  url: string;
  metricsUrl: string;
  pid: number;
  stop(): Promise<string>;
}

/**
 * Node flags for the mirror process only, e.g. `BENCH_MIRROR_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p"`
 * to profile the proxy (Node refuses --cpu-prof in NODE_OPTIONS).
 */
const MIRROR_NODE_ARGS = (process.env.BENCH_MIRROR_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function startMirrorProcess(args: string[], cwd: string): Promise<MirrorProcess> {
  const child = spawn(process.execPath, [...MIRROR_NODE_ARGS, BIN, 'mirror', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--quiet', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = performance.now() + 30_000;
  let m: RegExpExecArray | null;
  while (!(m = /listening on (http:\/\/\S+) → .* metrics (http:\/\/\S+)\/metrics/.exec(out))) {
    if (child.exitCode !== null || performance.now() > deadline) throw new Error(`gauntlet mirror did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: m[1]!,
    metricsUrl: m[2]!,
    pid: child.pid as number,
    async stop() {
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGINT');
      await exited;
      return out;
    },
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

/**
 * Open model: slot i is due at start + i / (rate × targets) and goes to target i mod n, whatever
 * the earlier ones are doing. Latency is from the actual send to the last body byte; slots whose
 * send was late by over 5 ms are counted (the generator's own lag, which lands on both targets).
 */
async function interleave(targets: string[], ratePerTarget: number, durationMs: number): Promise<{ samples: number[][]; errors: number; late: number }> {
  const pools = targets.map((t) => new Pool(new URL(t).origin, { connections: 64, keepAliveTimeout: 30_000 }));
  const samples = targets.map(() => [] as number[]);
  let errors = 0;
  let late = 0;
  const interval = 1000 / (ratePerTarget * targets.length);
  const total = Math.floor((WARMUP_MS + durationMs) / interval);
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const send = (i: number, due: number) => {
    const t = i % targets.length;
    const body = BODIES[Math.floor(i / targets.length) % 2]!;
    const t0 = performance.now();
    const measured = due - started >= WARMUP_MS;
    if (measured && t0 - due > 5) late++;
    const p = pools[t]!
      .request({ path: '/v1/validate', method: 'POST', headers: { 'content-type': 'application/json' }, body, headersTimeout: 10_000, bodyTimeout: 10_000 })
      .then(async (r) => {
        await r.body.text();
        if (r.statusCode !== 200 && r.statusCode !== 422) errors++;
        else if (measured) samples[t]!.push(performance.now() - t0);
      })
      .catch(() => void errors++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  for (let i = 0; i < total; ) {
    const now = performance.now();
    for (; i < total && started + i * interval <= now; i++) {
      // Bounded: a stalled target cannot make the generator hold unbounded requests.
      if (inFlight.size >= 4096) errors++;
      else send(i, started + i * interval);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 15_000))]);
  await Promise.all(pools.map((p) => p.close()));
  return { samples: samples.map((s) => s.sort((a, b) => a - b)), errors, late };
}

/**
 * For each rate: the proxy-only mirror, then the copying one, each in a fresh daemon process with the
 * same twins. Figures per rate: direct and through-the-mirror p50/p99 (ms, from the send) and the
 * difference ("added"); copies mirrored and dropped.
 */
export async function runMirrorBench(rates: readonly number[] = [250, 1_000], seconds = 4, mirrorArgs: readonly string[] = []): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-mirror-bench-'));
  const rust = await spawnDaemon({ service: 'validatord', flavour: 'rust' });
  const go = await spawnDaemon({ service: 'validatord', flavour: 'go' });
  const figures: Record<string, number> = {};
  try {
    // The embedded default config marks POST /v1/validate safe; this one does not, so nothing is copied.
    await writeFile(join(dir, 'no-copies.yaml'), 'stack: { services: {} }\nreplay: { safeRoutes: [] }\n');
    for (const rate of rates) {
      for (const [phase, extra] of [
        ['proxy only', ['--config', join(dir, 'no-copies.yaml')]],
        ['mirror', mirrorArgs],
      ] as const) {
        const mirror = await startMirrorProcess(['--primary', rust.url, '--candidate', go.url, '--store', join(dir, `${phase.replace(' ', '-')}-${rate}.duckdb`), ...extra], dir);
        try {
          const cpuBefore = await treeCpuMs(mirror.pid);
          const { samples, errors, late } = await interleave([rust.url, mirror.url], rate, seconds * 1000);
          const cpuMs = (await treeCpuMs(mirror.pid)) - cpuBefore;
          const [direct, through] = samples as [number[], number[]];
          const at = `@${rate}/s ${phase}:`;
          figures[`${at} direct p50 ms`] = quantile(direct, 0.5);
          figures[`${at} direct p99 ms`] = quantile(direct, 0.99);
          figures[`${at} through p50 ms`] = quantile(through, 0.5);
          figures[`${at} through p99 ms`] = quantile(through, 0.99);
          figures[`${at} added p50 ms`] = quantile(through, 0.5) - quantile(direct, 0.5);
          figures[`${at} added p99 ms`] = quantile(through, 0.99) - quantile(direct, 0.99);
          // The CPU covers the warm-up requests too; with copies on it includes the copy side's work.
          const sentThrough = (through.length * (seconds * 1000 + WARMUP_MS)) / (seconds * 1000);
          figures[`${at} mirror process tree CPU µs per request`] = (cpuMs * 1000) / Math.max(1, sentThrough);
          figures[`${at} samples per path`] = Math.min(direct.length, through.length);
          figures[`${at} errors`] = errors;
          figures[`${at} sends late > 5 ms`] = late;
        } finally {
          // The final line counts every copy, including those still queued when the load stopped.
          const stopped = /mirror: stopped · .* · ([\d,]+) mirrored .* · ([\d,]+) dropped/.exec(await mirror.stop());
          if (phase === 'mirror' && stopped) {
            figures[`@${rate}/s mirror: copies mirrored`] = Number(stopped[1]!.replace(/,/g, ''));
            figures[`@${rate}/s mirror: copies dropped (queue full)`] = Number(stopped[2]!.replace(/,/g, ''));
          }
        }
      }
    }
    return figures;
  } finally {
    await Promise.allSettled([rust.stop(), go.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rates = process.argv[2] ? process.argv[2].split(',').map(Number) : undefined;
  const figures = await runMirrorBench(rates, Number(process.argv[3] ?? 4), process.argv.slice(4));
  for (const [metric, value] of Object.entries(figures)) console.log(`${metric.padEnd(48)} ${value.toLocaleString('en-US', { maximumFractionDigits: 3 })}`);
}
