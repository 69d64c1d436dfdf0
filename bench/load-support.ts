/**
 * What the load bench runs against and with: a Debian nginx serving a small file, a stalling
 * target, and the engine driven through its library API with an in-memory store (the numbers are
 * read back from the store, as `gauntlet load` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SpanStore, startReceiver } from '../src/collect/index.ts';
import { LoadConfigSchema } from '../src/config/schema.ts';
import { loadReportFromStore } from '../src/analyze/index.ts';
import { planScenarios, runLoad } from '../src/drive/load/index.ts';
import { ScenarioFileSchema } from '../src/config/index.ts';
import type { LoadReport } from '../src/collect/load/index.ts';
import { startTelemetry } from '../src/telemetry/tracing.ts';

export interface Target {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** nginx (Debian package), one worker process, keep-alive without a request cap, no access log. */
export async function startNginx(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-bench-nginx-'));
  const port = await freePort();
  await mkdir(join(dir, 'www'));
  await mkdir(join(dir, 'logs'));
  await writeFile(join(dir, 'www', 'index.html'), 'hello, load\n');
  await writeFile(
    join(dir, 'nginx.conf'),
    `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log error;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
  access_log off; default_type text/html;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  keepalive_requests 100000000; keepalive_timeout 120s;
  server { listen 127.0.0.1:${port}; root ${dir}/www; location / { } }
}
`,
  );
  const child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(port, child);
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Node server in its own process that blocks its event loop for `stallMs` once a second. */
export async function startStallingTarget(stallMs: number): Promise<Target> {
  const source = `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('ok')); });
s.keepAliveTimeout = 60000;
setInterval(() => { const t = Date.now(); while (Date.now() - t < ${stallMs}) {} }, 1000);
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return {
    url: `http://127.0.0.1:${port.trim()}/`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One scenario against `url` (as both runtimes A and B), `workers` worker threads; the report comes from the store. */
export async function runScenario(url: string, scenario: Record<string, unknown>, opts: { workers: number; block: string; onBlock?: () => void }): Promise<LoadReport> {
  const u = new URL(url);
  const store = await SpanStore.open(':memory:');
  const receiver = await startReceiver({ store });
  const runId = `bench-${Date.now()}`;
  const telemetry = startTelemetry({ endpoint: receiver.url, runId });
  try {
    const plan = planScenarios(
      ScenarioFileSchema.parse({ service: 'bench', ab: { block: opts.block, warmup: '500ms' }, scenarios: { s: { ...scenario, workload: { kind: 'http', requests: [{ path: u.pathname }] } } } }),
      'bench',
      LoadConfigSchema.parse({ maxVUs: 20_000 }),
    );
    const target = (runtime: string, role: 'primary' | 'candidate') => ({ runtime, role, url: u.origin, headers: {} });
    await runLoad({
      plan,
      targets: [target('a', 'primary'), target('b', 'candidate')],
      settings: { runId, service: 'bench', requestTimeoutMs: 10_000, spanSampleRatio: 0, otlpEndpoint: undefined, maxEventBodyBytes: 1024 },
      metricsEndpoint: receiver.url,
      workers: opts.workers,
      histogramScale: 8,
      tracer: telemetry.tracer,
      ...(opts.onBlock ? { onProgress: opts.onBlock } : {}),
    });
    await telemetry.flush();
    return await loadReportFromStore(store, runId);
  } finally {
    await telemetry.shutdown();
    await receiver.close();
    await store.close();
  }
}
