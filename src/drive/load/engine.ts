/**
 * A load run: every scenario against both runtimes of a service, measured in short alternating
 * blocks (ABBA…), so whatever drifts on the machine — thermal state, a noisy neighbour, the store's
 * background work — lands on both runtimes alike. Each runtime walks the scenario's whole timeline
 * (ramps included) across its own blocks and receives the same request sequence.
 *
 * The run reports nothing to judge with: each block's histograms and counters go to the collector
 * as OTLP metrics, and the report is built from the store afterwards.
 */
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { request } from 'undici';
import * as A from '../../contract/attributes.ts';
import { GauntletError } from '../../util/errors.ts';
import { aggregateLoadPoints } from '../../collect/load/aggregate.ts';
import { evaluateThreshold } from '../../collect/load/evaluate.ts';
import { blockPoints, exportPoints } from './export.ts';
import * as M from '../../contract/load-metrics.ts';
import type { LoadPlan } from './plan.ts';
import { WorkerPool } from './pool.ts';
import type { RecordedPlan } from '../../collect/load/report-types.ts';
import { createRequestSource } from './requests.ts';
import { arrivalsUntil, valueAt } from './schedule.ts';
import type { EncodablePoint } from '../../collect/index.ts';
import type { EngineSettings, LoadTarget, PlannedScenario, ProgressMessage } from './types.ts';

export interface LoadProgress {
  scenario: string;
  runtime: string;
  phase: 'setup' | 'warmup' | 'measure';
  block: number;
  blocks: number;
  started: number;
  completed: number;
  dropped: number;
  errors: number;
  /** Iterations per second the block asks for (open model). */
  targetRate: number | null;
  elapsedMs: number;
}

export interface RunLoadOptions {
  plan: LoadPlan;
  /** [A, B] */
  targets: [LoadTarget, LoadTarget];
  settings: EngineSettings;
  /** The collector the block metrics are exported to. */
  metricsEndpoint: string;
  workers: number;
  histogramScale: number;
  tracer: Tracer;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Each measured block's metric points, as exported to the collector (the live Prometheus view subscribes here). */
  onBlockPoints?: (points: readonly EncodablePoint[]) => void;
}

export interface LoadRunResult {
  blocks: number;
  /** `scenario runtime metric threshold` of the abortOnFail threshold that stopped the run. */
  aborted: string | null;
}

/** Warm-up iterations use indices far above any measured one, so measured requests stay the same. */
const WARMUP_INDEX_OFFSET = 2 ** 40;
/** Lead time for a block command to reach every worker before the block starts. */
const BLOCK_LEAD_MS = 25;

export function recordedPlan(plan: LoadPlan, targets: readonly LoadTarget[]): RecordedPlan {
  return {
    service: plan.service,
    runtimes: targets.map((t) => ({ name: t.runtime, role: t.role })),
    source: 'gauntlet',
    scenarios: plan.scenarios.map((s) => ({
      name: s.name,
      executor: s.executor,
      thresholds: s.thresholds.map((t) => ({ metric: t.key.source, threshold: t.threshold.source, abortOnFail: t.abortOnFail, delayAbortEvalMs: t.delayAbortEvalMs })),
    })),
  };
}

export async function runLoad(opts: RunLoadOptions): Promise<LoadRunResult> {
  const { plan, targets, settings } = opts;
  const runSpan = opts.tracer.startSpan('gauntlet load', {
    kind: SpanKind.INTERNAL,
    root: true,
    attributes: {
      [A.ATTR_GAUNTLET_RUN_ID]: settings.runId,
      [A.ATTR_GAUNTLET_DRIVER]: 'load',
      [A.ATTR_GAUNTLET_SERVICE]: plan.service,
      [M.ATTR_LOAD_SOURCE]: 'gauntlet',
      [M.ATTR_LOAD_PLAN]: JSON.stringify(recordedPlan(plan, targets)),
    },
  });
  const planned = plan.scenarios.reduce((n, s) => n + 2 * Math.ceil(s.durationMs / plan.blockMs), 0);
  runSpan.setAttribute(M.ATTR_LOAD_BLOCKS_PLANNED, planned);
  const pool = await WorkerPool.start(opts.workers, settings);
  let blocks = 0;
  let aborted: string | null = null;
  try {
    for (const scenario of plan.scenarios) {
      for (const t of targets) await setupTarget(scenario, t, settings, opts);
      for (const t of targets) await runWarmup(pool, scenario, t, plan.warmupMs, opts);
      const segments = Math.ceil(scenario.durationMs / plan.blockMs);
      const points = new Map<string, EncodablePoint[]>(targets.map((t) => [t.runtime, []]));
      // Iteration-based executors end when every runtime has run its iterations, not at maxDuration.
      const started = new Map<string, number>(targets.map((t) => [t.runtime, 0]));
      const done = () => scenario.iterationBased === true && [...started.values()].every((n) => n >= scenario.maxIterations);
      for (let k = 0; k < segments && !aborted && !done(); k++) {
        const order = k % 2 === 0 ? targets : [targets[1], targets[0]];
        for (const target of order) {
          if (opts.signal?.aborted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted');
          const fromMs = k * plan.blockMs;
          const toMs = Math.min(scenario.durationMs, fromMs + plan.blockMs);
          const block = { scenario, target, fromMs, toMs, measure: true, indexOffset: 0 };
          const results = await runBlockWithProgress(pool, block, opts, { phase: 'measure', block: 2 * k + (order[0] === target ? 1 : 2), blocks: 2 * segments });
          blocks++;
          started.set(target.runtime, started.get(target.runtime)! + results.reduce((n, r) => n + r.started, 0));
          const exported = blockPoints({ runId: settings.runId, service: plan.service, scenario, target, scale: opts.histogramScale }, results);
          await exportPoints(opts.metricsEndpoint, settings.runId, exported);
          opts.onBlockPoints?.(exported);
          points.get(target.runtime)!.push(...exported);
          aborted = checkAbort(scenario, target, points.get(target.runtime)!, toMs);
          if (aborted) break;
        }
      }
      if (aborted) break;
    }
  } finally {
    if (aborted) runSpan.setAttribute(M.ATTR_LOAD_ABORTED, aborted);
    // Interrupted: the run span says so, and the report built from the store is marked incomplete.
    if (opts.signal?.aborted && blocks < planned) runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_INCOMPLETE, true);
    runSpan.setAttribute(M.ATTR_LOAD_BLOCKS, blocks);
    runSpan.end();
    await pool.stop();
  }
  return { blocks, aborted };
}

async function runBlockWithProgress(
  pool: WorkerPool,
  block: { scenario: PlannedScenario; target: LoadTarget; fromMs: number; toMs: number; measure: boolean; indexOffset: number },
  opts: RunLoadOptions,
  where: { phase: LoadProgress['phase']; block: number; blocks: number },
) {
  const started = Date.now();
  const totals = new Map<number, ProgressMessage>();
  const plan = block.scenario.plan;
  const targetRate = plan.model === 'open' ? ((arrivalsUntil(plan.rate, block.toMs) - arrivalsUntil(plan.rate, block.fromMs)) / (block.toMs - block.fromMs)) * 1000 : null;
  const report = () => {
    const sum = (f: (p: ProgressMessage) => number) => [...totals.values()].reduce((n, p) => n + f(p), 0);
    opts.onProgress?.({
      scenario: block.scenario.name,
      runtime: block.target.runtime,
      ...where,
      started: sum((p) => p.started),
      completed: sum((p) => p.completed),
      dropped: sum((p) => p.dropped),
      errors: sum((p) => p.errors),
      targetRate,
      elapsedMs: Date.now() - started,
    });
  };
  const results = await pool.runBlock({ ...block, startEpochMs: Date.now() + BLOCK_LEAD_MS }, (p) => {
    totals.set(p.worker, p);
    report();
  });
  for (const r of results) totals.set(r.worker, { type: 'progress', worker: r.worker, id: 0, started: r.started, completed: r.completed, dropped: r.dropped, errors: 0 });
  report();
  return results;
}

/** Unmeasured load at the scenario's mean rate (or its first VU count): JIT, caches and connections warm up on both runtimes. */
async function runWarmup(pool: WorkerPool, s: PlannedScenario, target: LoadTarget, warmupMs: number, opts: RunLoadOptions): Promise<void> {
  if (warmupMs <= 0) return;
  let plan: PlannedScenario['plan'];
  if (s.plan.model === 'open') {
    const mean = arrivalsUntil(s.plan.rate, s.durationMs) / s.durationMs;
    plan = { ...s.plan, rate: { start: mean, stages: [{ durationMs: warmupMs, target: mean }] } };
  } else {
    const vus = Math.max(1, Math.round(valueAt(s.plan.vus, s.durationMs / 2)));
    plan = { model: 'closed', vus: { start: vus, stages: [{ durationMs: warmupMs, target: vus }] } };
  }
  const scenario: PlannedScenario = { ...s, plan, durationMs: warmupMs, maxIterations: Infinity };
  await runBlockWithProgress(pool, { scenario, target, fromMs: 0, toMs: warmupMs, measure: false, indexOffset: WARMUP_INDEX_OFFSET }, opts, { phase: 'warmup', block: 0, blocks: 0 });
}

/** The workload's setup requests (vectord: the collection and its seed points), each checked. */
async function setupTarget(s: PlannedScenario, target: LoadTarget, settings: EngineSettings, opts: RunLoadOptions): Promise<void> {
  const steps = createRequestSource(s.workload, target.headers).setup();
  opts.onProgress?.({ scenario: s.name, runtime: target.runtime, phase: 'setup', block: 0, blocks: 0, started: 0, completed: 0, dropped: 0, errors: 0, targetRate: null, elapsedMs: 0 });
  for (const step of steps) {
    const url = new URL(step.path, target.url).toString();
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < step.headers.length; i += 2) headers[step.headers[i]!] = step.headers[i + 1]!;
    let status: number;
    let text: string;
    try {
      const res = await request(url, { method: step.method as 'PUT', headers, body: step.body, headersTimeout: settings.requestTimeoutMs, bodyTimeout: settings.requestTimeoutMs });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new GauntletError('GAUNTLET_CONFIG_INVALID', `scenario "${s.name}": setup request ${step.method} ${step.path} to runtime ${target.runtime} failed: ${(err as Error).message}`, { runtime: target.runtime, url });
    }
    // A collection left over from an earlier run (409) is fine: the seed upserts overwrite its points.
    const fine = status === step.expectStatus || (step.method === 'PUT' && status === 409);
    if (!fine) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `scenario "${s.name}": setup request ${step.method} ${step.path} got ${status} from runtime ${target.runtime} (expected ${step.expectStatus}): ${text.slice(0, 200)}`, {
        runtime: target.runtime,
        url,
        hint: 'the runtime rejected the workload\'s seed data: check the workload settings against what the service accepts',
      });
    }
  }
}

/** k6's abortOnFail: checked after every block of the runtime, once `delayAbortEval` of scenario time has passed. */
function checkAbort(s: PlannedScenario, target: LoadTarget, points: EncodablePoint[], scenarioTimeMs: number): string | null {
  const watched = s.thresholds.filter((t) => t.abortOnFail && scenarioTimeMs >= t.delayAbortEvalMs);
  if (watched.length === 0) return null;
  const agg = aggregateLoadPoints(points).get(s.name)?.get(target.runtime);
  if (!agg) return null;
  for (const t of watched) {
    const r = evaluateThreshold(agg, { metric: t.key.source, threshold: t.threshold.source, abortOnFail: true });
    if (!r.ok) return `${s.name} ${target.runtime} ${t.key.source} ${t.threshold.source}`;
  }
  return null;
}
