/**
 * Replay throughput against the reference twins: the shipped validatord recording, repeated to
 * `PAIRS` entries, replayed `--fast` at concurrency 16 inside a real session (embedded receiver,
 * DuckDB store, both twins as child processes exporting SERVER spans), then judged from the store.
 * Headline figure: paired exchanges per second *analysed* — send, ingest, settle and report — plus
 * the CPU each pair cost the harness and the twins (steadier than rates on a shared machine).
 *   npx tsx bench/replay.bench.ts [PAIRS]
 * Figures are reported, never asserted.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildParityReport, waitForRunToSettle } from '../src/analyze/index.ts';
import { readConfig } from '../src/config/index.ts';
import { planReplay, runReplayPhase } from '../src/drive/replay.ts';
import { openSession } from '../src/app/session.ts';
import { judgeRun } from '../src/gate/index.ts';
import type { RecordedExchange } from '../src/record/format.ts';
import { readRecording } from '../src/record/reader.ts';
import { startProfile } from './profile-phases.ts';

/**
 * CPU milliseconds used so far by each child process (the twins), from /proc; empty elsewhere. On a
 * shared machine wall-clock rates swing with the neighbours' load, CPU per pair much less.
 */
async function childCpuMs(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  try {
    for (const task of await readdir('/proc/self/task')) {
      const kids = (await readFile(`/proc/self/task/${task}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
      for (const pid of kids) {
        const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
        out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * 10); // utime + stime, in 10 ms ticks
      }
    }
  } catch {
    // not Linux: no figure
  }
  return out;
}

/**
 * The floor under the harness's CPU per pair: a bare undici pool against a bare `node:http` server
 * in this process, same concurrency, a small JSON body. Client and server CPU together per request;
 * a pair is two requests (one per twin), and the twins' servers are not ours to count, so the
 * comparable floor per pair is about twice the client share.
 */
async function bareHop(requests: number): Promise<{ cpuUsPerRequest: number; requestsPerS: number }> {
  const body = JSON.stringify({ id: 42, status: 'shipped', total: 12.5 });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: CONCURRENCY });
  const one = async () => {
    const r = await pool.request({ path: '/v1/orders/42', method: 'GET' });
    await r.body.text();
  };
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await one();
    }));
  };
  try {
    await run(Math.min(2000, requests));
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await run(requests);
    const cpu = process.cpuUsage(cpuBefore);
    return { cpuUsPerRequest: (cpu.user + cpu.system) / requests, requestsPerS: requests / ((performance.now() - started) / 1000) };
  } finally {
    await pool.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const SHIPPED = fileURLToPath(new URL('../harness/recordings/validatord.ndjson', import.meta.url));
const CONCURRENCY = 16;

/**
 * `profile`: the same replay under V8's sampling profiler, reporting the harness's main-thread CPU
 * per pair by phase (send, span export, receive, store, analysis, I/O) — issue 17's breakdown. The
 * profiler costs a few percent, so the headline rates come from the unprofiled bench.
 */
export async function runReplayBench(pairs = Number(process.env.BENCH_REPLAY_PAIRS ?? 10_000), opts: { profile?: boolean } = {}): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-replay-bench-'));
  const { exchanges } = await readRecording(SHIPPED);
  const many: RecordedExchange[] = Array.from({ length: pairs }, (_, i) => ({ ...exchanges[i % exchanges.length]!, seq: i + 1 }));
  const loaded = await readConfig(undefined, dir);
  // BENCH_STORE_MEMORY_MB caps DuckDB's buffer pool (store.memoryLimitMb), to tell its growth from the driver's.
  if (process.env.BENCH_STORE_MEMORY_MB) loaded.config.store.memoryLimitMb = Number(process.env.BENCH_STORE_MEMORY_MB);
  const plan = planReplay(many, { routes: ['/v1/orders/{id}'], safeRoutes: [], allowUnsafe: true, limit: pairs });
  const session = await openSession(loaded, { services: new Set(['validatord']), storePath: join(dir, 'store.duckdb') });
  let figures: Record<string, number | string> | undefined;
  const phaseRows: Record<string, string> = {};
  try {
    // Warm both twins and the harness's JIT so the figure is steady-state throughput.
    const warm = planReplay(exchanges, { routes: [], safeRoutes: [], allowUnsafe: true, limit: 200 });
    await runReplayPhase(session, loaded.config, { service: 'validatord', plan: warm, pacing: { mode: 'fast' }, concurrency: CONCURRENCY, maxDurationMs: 600_000, recordings: [] });
    await session.telemetry.flush();

    const stopProfile = opts.profile ? await startProfile() : undefined;
    // Resident memory across the send alone: the plan is built, so growth here is the send's own.
    const rssBefore = process.memoryUsage().rss;
    const twinsBefore = await childCpuMs();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const drive = await runReplayPhase(session, loaded.config, { service: 'validatord', plan, pacing: { mode: 'fast' }, concurrency: CONCURRENCY, maxDurationMs: 600_000, recordings: [SHIPPED] });
    const sent = performance.now();
    const rssSent = process.memoryUsage().rss;
    const cpu = process.cpuUsage(cpuBefore);
    const twinsAfter = await childCpuMs();
    const twinUs = [...twinsAfter].map(([pid, ms]) => ((ms - (twinsBefore.get(pid) ?? 0)) * 1000) / drive.pairs).filter((us) => us > 50);
    await session.telemetry.flush();
    const settled = await waitForRunToSettle(session.store, session.runId, { maxMs: 30_000 });
    const ingested = performance.now();
    const spans = await session.store.spansForRun(session.runId);
    const report = buildParityReport(session.runId, spans);
    const done = performance.now();
    // The gate as CI runs it on the same spans: report again, exchanges, latency judgement, rules.
    const judged = await judgeRun(session.runId, spans, loaded);
    const gated = performance.now();
    const wholeCpu = process.cpuUsage(cpuBefore);
    const phases = stopProfile ? await stopProfile.stop([['send', sent], ['flush + settle', ingested], ['report', done]]) : undefined;
    const svc = report.services[0]!;
    const bare = await bareHop(Math.min(pairs * 2, 20_000));
    const harnessUs = (cpu.user + cpu.system) / drive.pairs;
    figures = {
      'pairs replayed': drive.pairs,
      'pairs in report (incl. 200 warm-up)': svc.pairs,
      'send phase: paired exchanges/s': drive.pairs / ((sent - started) / 1000),
      'send phase: harness CPU µs per pair': (cpu.user + cpu.system) / drive.pairs,
      ...(twinUs.length ? { 'send phase: twins CPU µs per pair (both)': twinUs.reduce((a, b) => a + b, 0) } : {}),
      'flush + settle: seconds': (ingested - sent) / 1000,
      'report from store: seconds': (done - ingested) / 1000,
      'gate (judgeRun on the same spans): seconds': (gated - done) / 1000,
      'gate verdict': judged.gate.verdict,
      'RSS growth during the send MB': (rssSent - rssBefore) / 2 ** 20,
      'end to end: paired exchanges/s analysed': drive.pairs / ((done - started) / 1000),
      'spans stored for the run': settled.spans,
      'floor: bare undici + node:http, CPU µs per request (client+server)': bare.cpuUsPerRequest,
      'floor: bare undici + node:http, requests/s': bare.requestsPerS,
      'harness CPU per pair, × bare hop per request': harnessUs / bare.cpuUsPerRequest,
      // The whole process's peak so far: run one size per process (bench/scaling.bench.ts does).
      'peak RSS MB (process)': process.resourceUsage().maxRSS / 1024,
    };
    if (phases) {
      // Send + flush + settle + report: everything the harness spends on a pair.
      figures['profiled window: process CPU µs per pair (all threads)'] = (wholeCpu.user + wholeCpu.system) / drive.pairs;
      for (const [window, byPhase] of phases) {
        const total = [...byPhase.values()].reduce((a, b) => a + b, 0);
        figures[`${window}: sampled main-thread µs per pair`] = total / drive.pairs;
        for (const [phase, us] of [...byPhase].sort((a, b) => b[1] - a[1])) {
          if (us / total >= 0.01) phaseRows[`  ${window} · ${phase}`] = `${(us / drive.pairs).toFixed(0)} µs per pair (${((100 * us) / total).toFixed(0)}%)`;
        }
      }
    }
  } finally {
    await session.close();
    if (figures) {
      const bytes = await storeBytes(dir);
      figures['store bytes per span'] = bytes / (Number(figures['spans stored for the run']) || 1);
    }
    await rm(dir, { recursive: true, force: true });
  }
  return { ...figures, ...phaseRows };
}

/** The store file and anything DuckDB keeps next to it (WAL). */
async function storeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) if (name.startsWith('store.duckdb')) total += (await stat(join(dir, name))).size;
  return total;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runReplayBench(process.argv[2] ? Number(process.argv[2]) : undefined);
  if (process.env.BENCH_JSON) process.stdout.write(`BENCH_JSON ${JSON.stringify(figures)}\n`);
  for (const [metric, value] of Object.entries(figures)) console.log(`${metric.padEnd(48)} ${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value}`);
}
