/**
 * Shared by the load tests (not a test file itself): a run of the engine against given targets with
 * an embedded receiver and an in-memory store, returning the report built from the store — the same
 * path `gauntlet load` takes, minus the CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SpanStore, startReceiver } from '../src/collect/index.ts';
import { LoadConfigSchema } from '../src/config/schema.ts';
import { loadReportFromStore } from '../src/analyze/index.ts';
import { planScenarios, runLoad, type LoadTarget } from '../src/drive/load/index.ts';
import { ScenarioFileSchema } from '../src/config/index.ts';
import type { LoadReport } from '../src/collect/load/index.ts';
import { startTelemetry } from '../src/telemetry/tracing.ts';

export interface EngineRun {
  report: LoadReport;
  store: SpanStore;
  runId: string;
  close(): Promise<void>;
}

/** Runs `file` (a scenario file as an object) against [a, b]; keep the store open for extra queries. */
export async function runEngine(file: unknown, targets: [LoadTarget, LoadTarget], opts: { workers?: number; sampleRatio?: number } = {}): Promise<EngineRun> {
  const store = await SpanStore.open(':memory:');
  const receiver = await startReceiver({ store });
  const runId = `r-test-${Math.random().toString(16).slice(2, 8)}`;
  const telemetry = startTelemetry({ endpoint: receiver.url, runId });
  try {
    const plan = planScenarios(ScenarioFileSchema.parse(file), 'inline', LoadConfigSchema.parse({}));
    await runLoad({
      plan,
      targets,
      settings: { runId, service: plan.service, requestTimeoutMs: 10_000, spanSampleRatio: opts.sampleRatio ?? 0, otlpEndpoint: receiver.url, maxEventBodyBytes: 4096 },
      metricsEndpoint: receiver.url,
      workers: opts.workers ?? 1,
      histogramScale: 8,
      tracer: telemetry.tracer,
    });
    await telemetry.flush();
    const report = await loadReportFromStore(store, runId);
    return {
      report,
      store,
      runId,
      close: async () => {
        await telemetry.shutdown();
        await receiver.close();
        await store.close();
      },
    };
  } catch (err) {
    await telemetry.shutdown().catch(() => undefined);
    await receiver.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}

export const target = (runtime: string, url: string, role: LoadTarget['role'] = runtime === 'a' ? 'primary' : 'candidate'): LoadTarget => ({ runtime, role, url, headers: {} });

/**
 * A test target in a process of its own (so its stalls and CPU never touch the engine's threads):
 * answers every request after `delayMs`, and with `stallMs` > 0 blocks its event loop for that long
 * once a second — the wrk2 coordinated-omission scenario. Prints its port, then a request count on
 * SIGUSR2-free demand via GET /count.
 */
const TARGET_SOURCE = `
const http = require('node:http');
const delay = Number(process.env.DELAY_MS || 0), stall = Number(process.env.STALL_MS || 0);
let count = 0, first = 0, last = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/count') return res.end(JSON.stringify({ count, first, last }));
  req.resume();
  req.on('end', () => {
    const now = performance.now() + performance.timeOrigin;
    if (count === 0) first = now;
    last = now;
    count++;
    const send = () => res.end('ok');
    if (delay > 0) setTimeout(send, delay); else send();
  });
});
server.keepAliveTimeout = 60000;
if (stall > 0) setInterval(() => { const t = Date.now(); while (Date.now() - t < stall) {} }, 1000);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export interface TargetProcess {
  url: string;
  stats(): Promise<{ count: number; first: number; last: number }>;
  stop(): Promise<void>;
}

export async function startTargetProcess(env: { DELAY_MS?: number; STALL_MS?: number } = {}): Promise<TargetProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', TARGET_SOURCE], {
    env: { ...process.env, DELAY_MS: String(env.DELAY_MS ?? 0), STALL_MS: String(env.STALL_MS ?? 0) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port.trim()}`;
  return {
    url,
    stats: async () => (await (await fetch(`${url}/count`)).json()) as { count: number; first: number; last: number },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
