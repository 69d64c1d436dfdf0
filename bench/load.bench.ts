/**
 * The load engine against the tools people would otherwise use, in one run on one machine:
 *
 * - maximum throughput, closed model, keep-alive, against a Debian nginx (one worker process)
 *   serving a 12-byte file — gauntlet (1 worker thread) beside autocannon (one thread) and wrk
 *   (`-t1`), reported as ratios per core;
 * - memory per virtual user at 1,000 VUs (peak RSS at 1,000 VUs minus at 10, per VU);
 * - closed vs open model against a target that stalls 200 ms once a second: the closed model's
 *   p99 hides the stall (coordinated omission), the open model's — from the intended start — shows it.
 *
 * A plain script (`npx tsx bench/load.bench.ts`, or `npm run bench load`); figures, never assertions.
 * wrk comes from the Debian package; without it the wrk figures are skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { runScenario, startNginx, startStallingTarget } from './load-support.ts';

const CONNECTIONS = 50;
const SECONDS = 5;
const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p));

async function engineRps(url: string): Promise<number> {
  const report = await runScenario(url, { executor: 'constant-vus', vus: CONNECTIONS, duration: `${SECONDS}s` }, { workers: 1, block: `${SECONDS}s` });
  const rates = report.scenarios[0]!.runtimes.map((r) => r.achievedRate ?? 0);
  return rates.reduce((a, b) => a + b, 0) / rates.length;
}

async function autocannonRps(url: string): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: SECONDS });
  return result.requests.average;
}

async function wrkRps(url: string): Promise<number | undefined> {
  if (!WRK) return undefined;
  const { stdout } = await promisify(execFile)(WRK, ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, url]);
  const m = /Requests\/sec:\s*([\d.]+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** Peak RSS of this process (orchestrator + worker threads) while a closed-model run holds `vus` VUs. */
async function peakRss(url: string, vus: number): Promise<number> {
  let peak = process.memoryUsage().rss;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 50);
  try {
    await runScenario(url, { executor: 'constant-vus', vus, duration: '2s' }, { workers: 1, block: '2s', onBlock: sample });
  } finally {
    clearInterval(timer);
  }
  return peak;
}

export async function runLoadBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const nginx = await startNginx();
  try {
    // Interleaved rounds, best of two each: the tools see the same machine conditions.
    const best = { engine: 0, autocannon: 0, wrk: 0 };
    for (let round = 0; round < 2; round++) {
      best.engine = Math.max(best.engine, await engineRps(nginx.url));
      best.autocannon = Math.max(best.autocannon, await autocannonRps(nginx.url));
      best.wrk = Math.max(best.wrk, (await wrkRps(nginx.url)) ?? 0);
    }
    figures[`nginx ${CONNECTIONS} conns: gauntlet req/s (1 worker)`] = best.engine;
    figures[`nginx ${CONNECTIONS} conns: autocannon req/s`] = best.autocannon;
    figures['gauntlet / autocannon'] = best.engine / best.autocannon;
    if (best.wrk > 0) {
      figures[`nginx ${CONNECTIONS} conns: wrk -t1 req/s`] = best.wrk;
      figures['gauntlet / wrk (per core)'] = best.engine / best.wrk;
    }
    const small = await peakRss(nginx.url, 10);
    const large = await peakRss(nginx.url, 1000);
    figures['memory per VU at 1,000 VUs: KiB'] = Math.max(0, large - small) / 990 / 1024;
  } finally {
    await nginx.stop();
  }

  const stalling = await startStallingTarget(200);
  try {
    const open = await runScenario(stalling.url, { executor: 'constant-arrival-rate', rate: 500, duration: '3s', preAllocatedVUs: 50, maxVUs: 500 }, { workers: 1, block: '3s' });
    const closed = await runScenario(stalling.url, { executor: 'constant-vus', vus: 10, duration: '3s' }, { workers: 1, block: '3s' });
    const o = open.scenarios[0]!.runtimes[0]!;
    const c = closed.scenarios[0]!.runtimes[0]!;
    figures['stall 200ms/s, open 500/s: p99 from intended start ms'] = o.latency.p99 ?? NaN;
    figures['stall 200ms/s, open 500/s: p99 from send ms'] = o.latencySent?.p99 ?? NaN;
    figures['stall 200ms/s, open 500/s: achieved req/s'] = o.achievedRate ?? NaN;
    figures['stall 200ms/s, closed 10 VUs: p99 ms'] = c.latency.p99 ?? NaN;
    figures['stall 200ms/s, closed 10 VUs: achieved req/s'] = c.achievedRate ?? NaN;
  } finally {
    await stalling.stop();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runLoadBench();
  for (const [metric, value] of Object.entries(figures)) console.log(`${metric.padEnd(56)} ${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`);
}
