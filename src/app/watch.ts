/**
 * `gauntlet watch`: a long-running probe daemon in the blackbox-exporter mould. Every interval it
 * runs the parity cases against every runtime through the same path a batch run takes — driver →
 * spans → store → buildParityReport + evaluateGate — and publishes the judged cycle as Prometheus
 * metrics on /metrics, so the runtime-parity panels are live without CI.
 *
 * Each cycle is a run of its own (its own run id in the store), so `gauntlet analyze --run ID`
 * reproduces any cycle's verdict in a fresh process. Counters accumulate across cycles; gauges
 * (findings, gate) describe the latest cycle.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadedConfig } from '../config/index.ts';
import { judgeRun, type GateResult } from '../gate/index.ts';
import { waitForRunToSettle } from '../analyze/index.ts';
import { createGauntletMetrics, type GauntletMetrics } from '../telemetry/metrics.ts';
import { recordJudgement } from '../report/metrics-judgement.ts';
import { createMetricsSubscriber } from '../telemetry/metrics-probe.ts';
import { serveMetrics } from '../telemetry/metrics-server.ts';
import { createSpanMetrics, type SpanMetrics } from '../collect/spanmetrics.ts';
import { newRunId } from '../drive/run-id.ts';
import { openSession, type Session } from './session.ts';
import { retainer } from './retention.ts';
import { runParityPhase } from '../drive/index.ts';
import type { LoadedCases } from '../config/index.ts';

export interface WatchOptions {
  loaded: LoadedConfig;
  caseFiles: LoadedCases[];
  intervalMs: number;
  /** host:port of /metrics and /healthz. */
  listen: string;
  /** Stop after this many cycles; undefined runs until the signal aborts. */
  maxCycles?: number;
  repeat: number;
  /** Also serve traces_span_metrics_* computed from each cycle's stored spans. */
  spanmetrics: boolean;
  storePath?: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface WatchSummary {
  cycles: number;
  failed: number;
  url: string;
  /** The latest judged cycle: its run id and gate — what `gauntlet gate --run` gives on that run. */
  last?: { runId: string; gate: GateResult };
}

interface WatchState {
  cycles: number;
  failed: number;
  lastRunId: string | null;
  lastVerdict: string | null;
  lastError: string | null;
  lastCycleEnd: string | null;
  lastGate?: GateResult;
}

/** One cycle: drive, wait for the runtimes' spans, judge from the store, publish. */
async function runCycle(
  session: Session,
  opts: WatchOptions,
  metrics: GauntletMetrics,
  spanMetrics: SpanMetrics | undefined,
  state: WatchState,
): Promise<void> {
  const runId = newRunId();
  const drove = await runParityPhase(session, opts.caseFiles, opts.loaded, {
    runId,
    driver: 'watch',
    repeat: opts.repeat,
    signal: opts.signal,
    subscribers: [createMetricsSubscriber(metrics)],
  });
  // An interrupted cycle is not judged: half a run would publish a verdict nobody asked for.
  if (opts.signal.aborted) return;
  await session.telemetry.flush();
  await waitForRunToSettle(session.store, runId);
  const spans = await session.store.spansForRun(runId);
  // judgeRun re-reads the ledger every cycle, so a ledger edit takes effect without a restart.
  const { report, gate } = await judgeRun(runId, spans, opts.loaded);
  recordJudgement(metrics, report, gate);
  spanMetrics?.observe(spans);
  const labels = new Map<string, number>();
  for (const f of gate.findings) labels.set(f.label, (labels.get(f.label) ?? 0) + 1);
  const findings = labels.size ? [...labels].map(([l, n]) => `${n} ${l}`).join(', ') : 'none';
  state.lastRunId = runId;
  state.lastVerdict = gate.verdict;
  state.lastGate = gate;
  opts.log(`cycle ${state.cycles + 1} · run ${runId} · ${drove.pairs} pairs · gate ${gate.verdict} (score ${gate.score}) · findings: ${findings}`);
}

export async function runWatch(opts: WatchOptions): Promise<WatchSummary> {
  const metrics = createGauntletMetrics({ processMetrics: true });
  const spanMetrics = opts.spanmetrics ? createSpanMetrics(metrics.registry) : undefined;
  const state: WatchState = { cycles: 0, failed: 0, lastRunId: null, lastVerdict: null, lastError: null, lastCycleEnd: null };
  const session = await openSession(opts.loaded, {
    services: new Set(opts.caseFiles.map((c) => c.cases.service)),
    daemon: true,
    ...(opts.storePath ? { storePath: opts.storePath } : {}),
  });
  let server: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  const retain = retainer(session.store, opts.loaded.config.store.retention);
  try {
    // Healthy = the process is up and serving; a failing cycle shows in lastError and in
    // gauntlet_watch_cycles_total{result="error"}, where an alert can see it.
    server = await serveMetrics({ listen: opts.listen, registry: metrics.registry, health: () => ({ ok: true, cycles: state.cycles, failed: state.failed, lastRunId: state.lastRunId, lastVerdict: state.lastVerdict, lastError: state.lastError, lastCycleEnd: state.lastCycleEnd }) });
    const targets = [...session.stack.services.values()].map((s) => `${s.service} (${[s.primary, s.candidate, ...s.others].map((r) => r.name).join(' vs ')})`);
    opts.log(`watch: serving ${server.url}/metrics and ${server.url}/healthz · probing ${targets.join(', ')} every ${opts.intervalMs / 1000}s`);
    while (!opts.signal.aborted && (opts.maxCycles === undefined || state.cycles < opts.maxCycles)) {
      const started = performance.now();
      try {
        await runCycle(session, opts, metrics, spanMetrics, state);
        if (opts.signal.aborted) break;
        metrics.watchCycles.inc({ result: 'ok' });
        state.lastError = null;
      } catch (err) {
        if (opts.signal.aborted) break;
        // A daemon keeps probing: one bad cycle (a store hiccup, a runtime restarting) is a
        // metric and a log line, not the end of monitoring.
        state.failed++;
        state.lastError = (err as Error).message;
        metrics.watchCycles.inc({ result: 'error' });
        opts.log(`cycle ${state.cycles + 1} failed: ${(err as Error).message}`);
      }
      state.cycles++;
      state.lastCycleEnd = new Date().toISOString();
      // Weeks of cycles: old runs go, by age and by size, never the latest one.
      const pruned = await retain.maybePrune(state.lastRunId ? [state.lastRunId] : []).catch((err: unknown) => `retention failed: ${(err as Error).message}`);
      if (pruned) opts.log(pruned);
      metrics.watchCycleDuration.set((performance.now() - started) / 1000);
      metrics.watchLastCycle.set(Date.now() / 1000);
      if (opts.maxCycles !== undefined && state.cycles >= opts.maxCycles) break;
      // Fixed rate: the next cycle starts one interval after this one started (at once if it overran).
      const wait = opts.intervalMs - (performance.now() - started);
      if (wait > 0) await sleep(wait, undefined, { signal: opts.signal }).catch(() => {});
    }
    return { cycles: state.cycles, failed: state.failed, url: server.url, ...(state.lastGate && state.lastRunId ? { last: { runId: state.lastRunId, gate: state.lastGate } } : {}) };
  } finally {
    await server?.close();
    await session.close();
  }
}
