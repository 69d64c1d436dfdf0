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
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { waitForRunToSettle } from '../analyze/index.ts';
import type { LoadedConfig, MirrorConfig } from '../config/index.ts';
import { resolveTsxLoader } from '../daemons/index.ts';
import { ledgerFor } from '../gate/index.ts';
import { assertLoopbackListen, makeRedactionRules, redactUrl } from '../record/index.ts';
import * as A from '../telemetry/attributes.ts';
import { createGauntletMetrics } from '../telemetry/metrics.ts';
import { parseListen, serveMetrics, type MetricsServer } from '../telemetry/metrics-server.ts';
import { GauntletError } from '../util/errors.ts';
import { openSession, type Session } from './session.ts';
import { CopyEngine } from '../drive/mirror/copy-engine.ts';
import { describeMirrorStats } from '../drive/mirror/describe.ts';
import type { FromProxyProcess, ProxyInit, ToProxyProcess } from '../drive/mirror/proxy-process.ts';
import { serveCopies } from '../drive/mirror/remote-path.ts';
import type { MirrorStats } from '../drive/mirror/types.ts';

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
  /** Spans that could not be delivered to the store (spooled or refused). */
  spansUndelivered: number;
}

const PROXY_ENTRY = fileURLToPath(new URL('../drive/mirror/proxy-process.ts', import.meta.url));

/**
 * Linux: every thread of this process to nice 19 (`setpriority` on a thread id applies to that
 * thread; threads started later inherit it). Called after the runtimes and the proxy process were
 * spawned, so they keep the normal priority. Elsewhere, or if not allowed, nothing changes.
 */
function lowerOwnPriority(): boolean {
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), constants.priority.PRIORITY_LOW);
    return true;
  } catch {
    return false;
  }
}

interface ProxyProcess {
  url: string;
  /** Settles if it exits without having been asked to stop, with how it exited. */
  died: Promise<string>;
  send(m: ToProxyProcess): void;
  /** Ask it to stop (it finishes its clients' requests); resolves when it has exited. */
  stop(): Promise<void>;
}

/** Start the client's path; every message but the start-up ones goes to `onMessage`. */
async function startProxyProcess(init: ProxyInit, onMessage: (m: FromProxyProcess) => void): Promise<ProxyProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', resolveTsxLoader(), PROXY_ENTRY], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let stopping = false;
  let onDeath: (how: string) => void = () => {};
  const died = new Promise<string>((resolve) => (onDeath = resolve));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) onDeath(signal ?? `exit code ${code}`);
      resolve();
    }),
  );
  // Once it has stopped, late acks have nowhere to go: a closed channel is not an error worth a crash.
  child.on('error', () => {});
  const send = (m: ToProxyProcess) => {
    if (child.connected) child.send(m, () => {});
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the mirror proxy process did not start within 30 s')), 30_000);
    child.on('message', (m: FromProxyProcess) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve(m.url);
      } else if (m.type === 'error') {
        clearTimeout(timer);
        reject(m.code ? new GauntletError(m.code, m.message, m.facts ?? {}) : new Error(`mirror proxy process: ${m.message}`));
      } else onMessage(m);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the mirror proxy process exited (${signal ?? code}) before it was listening`));
    });
    send({ type: 'init', init });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    url,
    died,
    send,
    async stop() {
      stopping = true;
      send({ type: 'stop' });
      // It finishes in-flight client requests (bounded at 10 s); a stuck one is killed, not waited for.
      let timer: NodeJS.Timeout | undefined;
      const backstop = new Promise<void>((r) => (timer = setTimeout(() => r(), 15_000)));
      await Promise.race([exited, backstop]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export async function runMirror(opts: RunMirrorOptions): Promise<RunMirrorResult> {
  const { loaded, service, settings, log } = opts;
  const cfg = loaded.config;
  // Refuse a non-loopback bind before anything is started.
  assertLoopbackListen(opts.listen.host, opts.allowRemote, 'the mirror');
  assertLoopbackListen(parseListen(opts.metricsListen).host, opts.allowRemote, 'the mirror (metrics endpoint)');
  const ledger = await ledgerFor(loaded);
  const session: Session = await openSession(loaded, { services: new Set([service]), ...(opts.storePath ? { storePath: opts.storePath } : {}) });
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
      attributes: { [A.ATTR_GAUNTLET_RUN_ID]: runId, [A.ATTR_GAUNTLET_DRIVER]: 'mirror', 'gauntlet.run.services': [service], [A.ATTR_GAUNTLET_RUN_NOISE]: JSON.stringify(cfg.noise) },
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
      noise: cfg.noise,
      ledger,
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
    server = await serveMetrics({ listen: opts.metricsListen, registry: metrics.registry, health: () => ({ ok: true, runId, ...e.snapshot() }) });
    const lowered = lowerOwnPriority();
    const rules = makeRedactionRules(cfg.redact);
    const sides = [
      `primary ${svc.primary.name} (${redactUrl(svc.primary.url, rules)})`,
      `candidate ${svc.candidate.name} (${redactUrl(svc.candidate.url, rules)})`,
      ...svc.others.map((o) => `secondary ${o.name} (${redactUrl(o.url, rules)})`),
    ];
    log(`mirror: listening on ${p.url} → ${sides.join(' · ')} · metrics ${server.url}/metrics · run ${runId}${lowered ? '' : ' (copy side at normal CPU priority)'} — Ctrl-C to stop`);
    const ticker = settings.summaryIntervalMs > 0 ? setInterval(() => log(`mirror: ${describeMirrorStats(e.snapshot())}`), settings.summaryIntervalMs) : undefined;
    const death = await new Promise<string | undefined>((resolve) => {
      if (opts.signal.aborted) resolve(undefined);
      opts.signal.addEventListener('abort', () => resolve(undefined), { once: true });
      void p.died.then(resolve);
    });
    clearInterval(ticker);
    // Clients can no longer reach the mirror: wind the copy side down and say so (exit 70).
    if (death) log(`mirror: the proxy process died (${death}) — stopping`);
    log(`mirror: stopping — finishing client requests, running queued copies for up to ${settings.drainMs / 1000} s`);
    await p.stop();
    await e.close(settings.drainMs);
    const stats = e.snapshot();
    runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_PAIRS, stats.outcomes.mirrored);
    runSpan.end();
    // Bounded: with the collector gone, what is left waits in the spool and is reported.
    await session.telemetry.flush(2_000);
    await waitForRunToSettle(session.store, runId, { maxMs: 3_000 });
    if (death) throw new Error(`the mirror proxy process died (${death}); run ${runId} holds what was mirrored until then`);
    return { runId, url: p.url, metricsUrl: server.url, stats, spansUndelivered: session.telemetry.spansFailed() };
  } finally {
    await proxy?.stop();
    await engine?.close(0);
    await server?.close();
    await session.close();
  }
}
