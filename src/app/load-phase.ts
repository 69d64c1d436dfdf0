/**
 * The load comparison against the runtimes of a session: what `gauntlet load` runs on its own and
 * `gauntlet run` runs as its load phase. The scenario file is read and checked before anything
 * starts; the targets are the session's runtimes (their URLs come from the running stack). Nothing
 * is returned to judge with: the report is read back from the store afterwards.
 */
import type { LoadedConfig } from '../config/index.ts';
import { GauntletError } from '../util/errors.ts';
import { assertLoopback, assertReachable, defaultWorkers, readScenarioFile, runLoad, type LoadPlan, type LoadProgress, type LoadTarget } from '../drive/load/index.ts';
import type { Session } from './session.ts';
import type { EncodablePoint } from '../collect/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import type { MetricsConfig } from '../config/index.ts';
import { createLoadMetrics, type LoadMetrics } from '../telemetry/metrics-load.ts';
import { pushMetrics } from '../telemetry/metrics-push.ts';

/**
 * A load run's live Prometheus series (`gauntlet_load_*`, read by the vectord-load dashboard): the
 * engine's block points translated as they are exported, pushed to the Pushgateway at most every
 * `everyMs` and once at the end — periodic pushes are what let `rate()` see a short run. Every
 * second: a runtime's series first appear in the push after its first block, and a series pushed
 * only once never moves, so with pushes 5 s apart the candidate of a run of a few seconds had no rate.
 */
export interface LiveLoadMetrics {
  readonly metrics: LoadMetrics;
  record(points: readonly EncodablePoint[]): void;
  flush(): Promise<void>;
  /**
   * The judged thresholds (`gauntlet_load_threshold_passed`, the dashboard's threshold table), pushed
   * once the run is judged. Never throws: an unreachable gateway was already reported by `flush`
   * (gauntlet load) or is by the batch push after the reports are written (gauntlet run).
   */
  thresholds(report: LoadReport): Promise<void>;
}

export function liveLoadMetrics(url: string | undefined, config: MetricsConfig, everyMs = 1_000): LiveLoadMetrics | undefined {
  if (!url) return undefined;
  const metrics = createLoadMetrics();
  // A group of its own beside the batch run's push (a push replaces its group); never a run id.
  const push = () => pushMetrics(metrics.registry, { url, job: config.job, groupings: { ...config.groupings, source: 'load' } });
  let last = 0;
  let pending: Promise<void> | undefined;
  return {
    metrics,
    record(points) {
      metrics.recordPoints(points);
      if (Date.now() - last < everyMs || pending) return;
      last = Date.now();
      // Never blocks the engine: a slow gateway only delays the next push.
      pending = push().catch(() => {}).finally(() => (pending = undefined));
    },
    async flush() {
      await pending;
      await push();
    },
    async thresholds(report) {
      for (const scenario of report.scenarios) {
        for (const rt of scenario.runtimes) {
          for (const t of rt.thresholds) metrics.setThreshold({ service: report.service, runtime: rt.runtime, scenario: scenario.name }, `${t.metric} ${t.threshold}`, t.ok);
        }
      }
      await push().catch(() => {});
    },
  };
}

export interface LoadInput {
  /** The config the plan was checked against. */
  loaded: LoadedConfig;
  plan: LoadPlan;
  /** Non-loopback targets allowed (--allow-remote or load.allowRemote). */
  allowRemote: boolean;
  /** [A, B] */
  runtimes: [string, string];
}

/** The plan's service must be in the stack (the embedded default has validatord and vectord). */
function assertService(loaded: LoadedConfig, service: string, file: string): void {
  if (service in loaded.config.stack.services) return;
  throw new GauntletError('GAUNTLET_INPUT_INVALID', `service "${service}" is not in the stack (have: ${Object.keys(loaded.config.stack.services).join(', ')})`, {
    file,
    path: 'service',
    hint: `add it under stack.services${loaded.file ? ` in ${loaded.file}` : ' in a gauntlet.config.yaml'}, e.g. ${service}: { primary: rust, candidate: go, runtimes: { rust: { url: "http://127.0.0.1:3100" }, go: { url: "http://127.0.0.1:4110" } } }`,
  });
}

/** [A, B] from the scenario file, else the service's primary and candidate; URLs checked for loopback before anything starts. */
function runtimesOf(loaded: LoadedConfig, plan: LoadPlan, allowRemote: boolean): [string, string] {
  const svc = loaded.config.stack.services[plan.service]!;
  const names: [string, string] = plan.runtimes ?? [svc.primary, svc.candidate];
  names.forEach((name, i) => {
    const rt = svc.runtimes[name];
    if (!rt) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `runtime "${name}" is not a runtime of ${plan.service} (have: ${Object.keys(svc.runtimes).join(', ')})`, { file: plan.file, path: `runtimes[${i}]` });
    }
    if (rt.url) assertLoopback(rt.url, { runtime: name, path: `stack.services.${plan.service}.runtimes.${name}.url` }, allowRemote);
  });
  if (names[0] === names[1]) throw new GauntletError('GAUNTLET_INPUT_INVALID', 'runtimes must name two different runtimes', { file: plan.file, path: 'runtimes' });
  return names;
}

/** Read and check a scenario file against the stack: bad input costs nothing. */
export async function prepareLoad(base: LoadedConfig, file: string, opts: { allowRemote?: boolean | undefined } = {}): Promise<LoadInput> {
  const plan = await readScenarioFile(file, base.config.load);
  assertService(base, plan.service, file);
  const allowRemote = opts.allowRemote === true || base.config.load.allowRemote;
  return { loaded: base, plan, runtimes: runtimesOf(base, plan, allowRemote), allowRemote };
}

/**
 * Run the plan against the session's runtimes. An interrupt (the signal) ends the run between
 * blocks; the run span is then marked incomplete and this returns `{ interrupted: true }`.
 */
export async function runLoadPhase(
  session: Session,
  input: LoadInput,
  opts: {
    signal?: AbortSignal;
    workers?: number;
    onProgress?: (p: LoadProgress) => void;
    /** The live Prometheus view of the run (the vectord-load dashboard): each block's points, pushed as they come. */
    live?: LiveLoadMetrics;
  } = {},
): Promise<{ interrupted: boolean }> {
  const { plan } = input;
  const cfg = input.loaded.config;
  const endpoints = session.stack.services.get(plan.service);
  if (!endpoints) throw new GauntletError('GAUNTLET_INTERNAL', `service "${plan.service}" was not started in this session`, { file: plan.file, path: 'service' });
  const all = [endpoints.primary, endpoints.candidate, ...endpoints.others];
  const targets = input.runtimes.map((name): LoadTarget => {
    const e = all.find((x) => x.name === name)!;
    return { runtime: e.name, role: e.role === 'primary' || e.role === 'candidate' ? e.role : 'secondary', url: e.url, headers: e.headers };
  }) as [LoadTarget, LoadTarget];
  for (const t of targets) {
    const facts = { runtime: t.runtime, path: `stack.services.${plan.service}.runtimes.${t.runtime}.url` };
    assertLoopback(t.url, facts, input.allowRemote);
    await assertReachable(t.url, facts);
  }
  try {
    await runLoad({
      plan,
      targets,
      settings: {
        runId: session.runId,
        service: plan.service,
        requestTimeoutMs: cfg.load.requestTimeoutMs,
        spanSampleRatio: cfg.load.spanSampleRatio,
        otlpEndpoint: session.receiver.url,
        maxEventBodyBytes: cfg.probe.maxEventBodyBytes,
      },
      metricsEndpoint: session.receiver.url,
      workers: opts.workers ?? defaultWorkers(cfg.load.workers),
      histogramScale: cfg.load.histogramScale,
      tracer: session.telemetry.tracer,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.live ? { onBlockPoints: (points: readonly EncodablePoint[]) => opts.live!.record(points) } : {}),
    });
    await opts.live?.flush();
  } catch (err) {
    await opts.live?.flush().catch(() => {});
    if (opts.signal?.aborted && err instanceof GauntletError && err.code === 'GAUNTLET_INTERRUPTED') return { interrupted: true };
    throw err;
  }
  return { interrupted: false };
}
