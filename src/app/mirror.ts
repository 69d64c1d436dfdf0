/**
 * The mirror daemon. This process holds the copy side — the session (span store, embedded
 * receiver, the runtimes it starts), the copy engine, `/metrics`, summary lines — and starts the
 * client's path as a separate proxy process (proxy-process.ts). Once both are up it lowers its own
 * CPU priority to the minimum (Linux: nice 19 on every thread, GC helpers and the store's included),
 * so on a busy host the client's requests are scheduled first and the copy side takes what is left
 * — and, when that is not enough, drops copies and counts them.
 *
 * One mirror daemon is one run in the store: `gauntlet analyze --run ID` judges the mirrored
 * traffic like a parity or replay run.
 */
import { SpanKind } from '@opentelemetry/api';
import { waitForRunToSettle } from '../analyze/index.ts';
import type { LoadedConfig, MirrorConfig } from '../config/index.ts';
import type { JudgedRun } from '../gate/index.ts';
import { LiveRunJudgement } from './mirror-judgement.ts';
import { retainer, type Retainer } from './retention.ts';
import { assertLoopbackListen, makeRedactionRules, redactUrl } from '../record/index.ts';
import * as A from '../contract/attributes.ts';
import { createGauntletMetrics } from '../telemetry/metrics.ts';
import { parseListen, serveMetrics, type MetricsServer } from '../telemetry/metrics-server.ts';
import { GauntletError } from '../util/errors.ts';
import { openSession, type Session } from './session.ts';
import { CopyEngine, describeMirrorStats, lowerOwnPriority, serveCopies, startProxyProcess, type MirrorStats, type ProxyProcess } from '../drive/mirror/index.ts';

export interface RunMirrorOptions {
  /** The stack must define `service` (its primary, candidate and any secondary runtimes). */
  loaded: LoadedConfig;
  service: string;
  settings: MirrorConfig;
  listen: { host: string; port: number };
  metricsListen: string;
  allowRemote: boolean;
  storePath?: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface RunMirrorResult {
  runId: string;
  url: string;
  metricsUrl: string;
  stats: MirrorStats;
  /** The final judgement of the whole run from the store — what `gauntlet gate --run` gives. */
  judged: JudgedRun;
  /** Spans that could not be delivered to the store (spooled or refused). */
  spansUndelivered: number;
}

/**
 * Judge the run from the store while the mirror runs: flush spans, re-judge, log a summary line.
 * The interval stretches as the run grows (judging stays a small share of the wall time).
 */
function judgeWhileRunning(judgement: LiveRunJudgement, session: Session, settings: MirrorConfig, summary: () => void, retain: Retainer, log: (line: string) => void): { stop(): Promise<void> } {
  let stopped = false;
  let wake: () => void = () => {};
  let lastSummary = performance.now();
  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, judgement.nextDelayMs(settings.judgeIntervalMs)).unref();
      });
      if (stopped) break;
      try {
        await session.telemetry.flush(2_000);
        await judgement.judge();
      } catch {
        // A failed live judgement (a store hiccup) is retried next time; the final one is not optional.
      }
      // A mirror runs for weeks: other runs in its store age out; its own run keeps a window.
      const pruned = await retain.maybePrune([], [session.runId]).catch((err: unknown) => `retention failed: ${(err as Error).message}`);
      if (pruned) log(`mirror: ${pruned}`);
      if (settings.summaryIntervalMs > 0 && performance.now() - lastSummary >= settings.summaryIntervalMs) {
        lastSummary = performance.now();
        summary();
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}

export async function runMirror(opts: RunMirrorOptions): Promise<RunMirrorResult> {
  const { loaded, service, settings, log } = opts;
  const cfg = loaded.config;
  // Refuse a non-loopback bind before anything is started.
  assertLoopbackListen(opts.listen.host, opts.allowRemote, 'the mirror');
  assertLoopbackListen(parseListen(opts.metricsListen).host, opts.allowRemote, 'the mirror (metrics endpoint)');
  const session: Session = await openSession(loaded, { services: new Set([service]), lifecycle: { command: 'mirror', phases: ['mirror'] }, daemon: true, ...(opts.storePath ? { storePath: opts.storePath } : {}) });
  const { runId } = session;
  let proxy: ProxyProcess | undefined;
  let server: MetricsServer | undefined;
  let engine: CopyEngine | undefined;
  try {
    const svc = session.stack.services.get(service)!;
    const metrics = createGauntletMetrics({ processMetrics: true });
    const runSpan = session.telemetry.tracer.startSpan('gauntlet run', {
      kind: SpanKind.INTERNAL,
      root: true,
      attributes: { [A.ATTR_GAUNTLET_RUN_ID]: runId, [A.ATTR_GAUNTLET_DRIVER]: 'mirror', [A.ATTR_GAUNTLET_RUN_SERVICES]: [service], [A.ATTR_GAUNTLET_RUN_NOISE]: JSON.stringify(cfg.noise) },
    });
    const rt = (e: { name: string; url: string; headers: Record<string, string> }) => ({ name: e.name, url: e.url, headers: e.headers });
    // Created before the proxy starts, so no batch it sends can arrive before there is someone to take it.
    let served: ReturnType<typeof serveCopies> | undefined;
    const e = new CopyEngine({
      runId,
      service,
      primary: rt(svc.primary),
      candidate: rt(svc.candidate),
      secondaries: svc.others.map(rt),
      telemetry: session.telemetry,
      metrics,
      rules: makeRedactionRules(cfg.redact),
      recordHeaders: [...cfg.noise.headers.compare, ...Object.keys(cfg.noise.headers.volatile)],
      queue: settings.queue,
      maxQueueBytes: settings.maxQueueBytes,
      concurrency: settings.concurrency,
      timeoutMs: settings.timeoutMs,
      maxBodyBytes: settings.maxBodyBytes,
      maxEventBodyBytes: cfg.probe.maxEventBodyBytes,
      log,
      onJobDone: (bytes) => served?.ack(bytes),
    });
    engine = e;
    served = serveCopies(e, (m) => proxy?.send(m));
    const routes = cfg.stack.services[service]?.routes;
    proxy = await startProxyProcess(
      {
        host: opts.listen.host,
        port: opts.listen.port,
        allowRemote: opts.allowRemote,
        primary: rt(svc.primary),
        ...(routes ? { routes } : {}),
        safeRoutes: cfg.replay.safeRoutes,
        unsafe: settings.unsafe,
        sample: settings.sample,
        upstreamTimeoutMs: settings.upstreamTimeoutMs,
        maxBodyBytes: settings.maxBodyBytes,
        maxRequestBytes: settings.maxRequestBytes,
        capacity: settings.queue + settings.concurrency,
        maxQueueBytes: settings.maxQueueBytes,
      },
      (m) => (m.type === 'log' ? log(m.line) : m.type === 'jobs' || m.type === 'counts' ? served!.receive(m) : undefined),
    );
    const p = proxy;
    // Live verdicts come from the store, through the same judgement as `gate --run`.
    const judgement = new LiveRunJudgement({ store: session.store, runId, loaded, metrics, log });
    const statsNow = (): MirrorStats => ({ ...e.snapshot(), ...judgement.stats() });
    server = await serveMetrics({ listen: opts.metricsListen, registry: metrics.registry, health: () => ({ ok: true, runId, ...statsNow(), verdict: judgement.last?.gate.verdict ?? null }) });
    const lowered = lowerOwnPriority(settings.copyNice);
    const rules = makeRedactionRules(cfg.redact);
    const sides = [
      `primary ${svc.primary.name} (${redactUrl(svc.primary.url, rules)})`,
      `candidate ${svc.candidate.name} (${redactUrl(svc.candidate.url, rules)})`,
      ...svc.others.map((o) => `secondary ${o.name} (${redactUrl(o.url, rules)})`),
    ];
    log(`mirror: listening on ${p.url} → ${sides.join(' · ')} · metrics ${server.url}/metrics · run ${runId}${lowered ? '' : ' (copy side at normal CPU priority)'} — Ctrl-C to stop`);
    const judging = judgeWhileRunning(judgement, session, settings, () => log(`mirror: ${describeMirrorStats(statsNow())}`), retainer(session.store, cfg.store.retention), log);
    const death = await new Promise<string | undefined>((resolve) => {
      if (opts.signal.aborted) resolve(undefined);
      opts.signal.addEventListener('abort', () => resolve(undefined), { once: true });
      void p.died.then(resolve);
    });
    await judging.stop();
    // Clients can no longer reach the mirror: wind the copy side down and say so (exit 70).
    if (death) log(`mirror: the proxy process died (${death}) — stopping`);
    log(`mirror: stopping — finishing client requests, running queued copies for up to ${settings.drainMs / 1000} s`);
    await p.stop();
    await e.close(settings.drainMs);
    runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_PAIRS, e.snapshot().outcomes.mirrored);
    runSpan.end();
    // A daemon stopped by a signal has finished; one whose client path died has not.
    await session.finish(death ? 'failed' : 'complete');
    // Bounded: with the collector gone, what is left waits in the spool and is reported.
    await session.telemetry.flush(2_000);
    await waitForRunToSettle(session.store, runId, { maxMs: 3_000 });
    // The final verdict: the whole stored run, judged exactly as `gauntlet gate --run` judges it.
    const judged = await judgement.judge({ final: true });
    const stats = statsNow();
    if (death) throw new Error(`the mirror proxy process died (${death}); run ${runId} holds what was mirrored until then`);
    return { runId, url: p.url, metricsUrl: server.url, stats, judged, spansUndelivered: session.telemetry.spansFailed() };
  } finally {
    await proxy?.stop();
    await engine?.close(0);
    await server?.close();
    await session.close();
  }
}
