/**
 * A load worker thread: it holds the VUs (one pool per runtime), runs its share of each block it is
 * told to run, and answers with counts and encoded HdrHistograms. It decides nothing about what to
 * run next and judges nothing: the orchestrating thread plans blocks, merges and exports.
 */
import { parentPort } from 'node:worker_threads';
import { createSpanSubscriber } from '../../telemetry/probe-spans.ts';
import { startTelemetry, type HarnessTelemetry } from '../../telemetry/tracing.ts';
import { SeriesRecorder } from '../../collect/load/hdr.ts';
import { runClosedBlock, runOpenBlock, type WorkerShare } from './executors.ts';
import type { IterationContext } from './iteration.ts';
import { Lookahead, createRequestSource, type RequestSource } from './requests.ts';
import type { BlockCommand, BlockResult, EngineSettings, WorkerCommand, WorkerMessage } from './types.ts';
import { VuPool } from './vu.ts';

const port = parentPort;
if (!port) throw new Error('load worker must run in a worker thread');

let worker = 0;
let workers = 1;
let settings: EngineSettings | undefined;
let telemetry: HarnessTelemetry | undefined;
const pools = new Map<string, VuPool>();
const sources = new Map<string, RequestSource>();
/** Closed-model iteration counters per (scenario, runtime, warm-up or measured). */
const closedCounts = new Map<string, number>();

const post = (m: WorkerMessage) => port.postMessage(m);

port.on('message', (cmd: WorkerCommand) => {
  void handle(cmd).catch((err: unknown) => post({ type: 'error', worker, message: (err as Error).message, ...((err as Error).stack ? { stack: (err as Error).stack! } : {}) }));
});

async function handle(cmd: WorkerCommand): Promise<void> {
  switch (cmd.type) {
    case 'init':
      worker = cmd.worker;
      workers = cmd.workers;
      settings = cmd.settings;
      if (settings.otlpEndpoint && settings.spanSampleRatio > 0) telemetry = startTelemetry({ endpoint: settings.otlpEndpoint, runId: settings.runId });
      post({ type: 'ready', worker });
      return;
    case 'block':
      post(await runBlock(cmd));
      return;
    case 'stop':
      await Promise.all([...pools.values()].map((p) => p.close()));
      await telemetry?.flush().catch(() => undefined);
      await telemetry?.shutdown().catch(() => undefined);
      port!.close();
      return;
  }
}

async function runBlock(cmd: BlockCommand): Promise<BlockResult> {
  const s = settings!;
  const origin = new URL(cmd.target.url).origin;
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new VuPool(origin, s.requestTimeoutMs)));
  const sourceKey = `${cmd.scenario.name}\u0000${cmd.target.runtime}`;
  let source = sources.get(sourceKey);
  if (!source) sources.set(sourceKey, (source = createRequestSource(cmd.scenario.workload, cmd.target.headers)));
  const countKey = `${sourceKey}\u0000${cmd.measure}`;
  const recorder = cmd.measure ? new SeriesRecorder() : undefined;
  const ctx: IterationContext = {
    settings: s,
    cmd,
    recorder,
    spans: telemetry && cmd.measure ? createSpanSubscriber(telemetry.tracer, { maxEventBodyBytes: s.maxEventBodyBytes }) : undefined,
    counters: { scheduled: 0, started: 0, completed: 0, dropped: 0, errors: 0, interrupted: 0, lastSend: 0 },
    inFlight: new Set(),
    stopping: false,
  };
  const share: WorkerShare = { worker, workers, pool, source, lookahead: new Lookahead(source), closedIterations: closedCounts.get(countKey) ?? 0 };
  const progress = setInterval(() => {
    const c = ctx.counters;
    post({ type: 'progress', worker, id: cmd.id, started: c.started, completed: c.completed, dropped: c.dropped, errors: c.errors });
  }, 250);
  try {
    if (cmd.scenario.plan.model === 'open') await runOpenBlock(ctx, share);
    else await runClosedBlock(ctx, share);
  } finally {
    clearInterval(progress);
  }
  closedCounts.set(countKey, share.closedIterations);
  const c = ctx.counters;
  const blockEnd = cmd.startEpochMs + (cmd.toMs - cmd.fromMs);
  return {
    type: 'block-done',
    id: cmd.id,
    worker,
    scheduled: cmd.scenario.plan.model === 'open' ? c.scheduled : c.started,
    started: c.started,
    completed: c.completed,
    dropped: c.dropped,
    interrupted: c.interrupted,
    startEpochMs: cmd.startEpochMs,
    nominalMs: cmd.toMs - cmd.fromMs,
    // A sender that fell behind stretches its window: the achieved rate then shows the shortfall.
    sendEndEpochMs: Math.max(blockEnd, c.lastSend > 0 ? c.lastSend + performance.timeOrigin : 0),
    endEpochMs: Date.now(),
    maxVUs: pool.size,
    series: recorder?.drain() ?? [],
  };
}
