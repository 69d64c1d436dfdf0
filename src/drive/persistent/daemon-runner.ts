/**
 * One supervised daemon: spawn it with its output appended to its log file, check its health,
 * restart it with exponential backoff when it exits (per its restart policy), stop it with SIGTERM
 * then SIGKILL after its grace period. Lives in the supervisor process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, closeSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { freePortFor } from '../../util/ports.ts';
import { resolve } from 'node:path';
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { StackDaemon } from '../../config/index.ts';
import { StackTelemetry as T } from '../../contract/index.ts';
import { referenceDaemonArgv } from '../../daemons/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { holdLifeline, lifelineEnv } from '../../util/lifeline.ts';
import { daemonLog, daemonPidFile, processStartTicks, type DaemonState, type StackPaths } from './state.ts';
import type { SupervisorMetrics } from './supervisor-metrics.ts';

/** A daemon that stayed up this long has recovered: its next crash restarts after the initial backoff again. */
const BACKOFF_RESET_MS = 30_000;

export function hashDaemonSpec(spec: StackDaemon, stackOtlp: string | undefined): string {
  return createHash('sha256').update(JSON.stringify({ spec, stackOtlp })).digest('hex').slice(0, 16);
}

export interface RunnerContext {
  stack: string;
  paths: StackPaths;
  baseDir: string;
  otlpEndpoint: string | undefined;
  tracer: Tracer;
  metrics: SupervisorMetrics;
  /** Called whenever what `stack status` shows changed. */
  changed(): void;
  log(line: string): void;
}

export class DaemonRunner {
  readonly state: DaemonState;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private stopping = false;
  private consecutiveCrashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private firstHealthy: { resolve: () => void; promise: Promise<void> } | undefined;

  constructor(
    readonly name: string,
    readonly spec: StackDaemon,
    private readonly ctx: RunnerContext,
  ) {
    const otlp = spec.otlpEndpoint ?? ctx.otlpEndpoint;
    this.state = {
      name,
      what: spec.reference ? `${spec.reference.service}/${spec.reference.flavour}` : spec.command![0]!,
      host: spec.host,
      port: spec.port,
      url: '',
      status: 'stopped',
      health: 'unknown',
      restarts: 0,
      specHash: hashDaemonSpec(spec, ctx.otlpEndpoint),
      ...(spec.reference ? { reference: { service: spec.reference.service, flavour: spec.reference.flavour } } : {}),
      env: { ...spec.env, ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : {}) },
    };
    // Written at 0 from the start: "no restart" and "no failed check" read 0, not "no data", and
    // increase()/rate() count the first one.
    ctx.metrics.restarts.labels(ctx.stack, name).inc(0);
    for (const result of ['ok', 'fail', 'starting']) ctx.metrics.checks.labels(ctx.stack, name, result).inc(0);
    this.setHealth('unknown');
  }

  /** Starts the process and resolves on its first healthy check (or after the start timeout, either way). */
  async start(reason: 'up' | 'changed' | 'restart'): Promise<void> {
    const span = this.ctx.tracer.startSpan(T.SPAN_STACK_DAEMON_START, {
      attributes: { [T.ATTR_STACK_NAME]: this.ctx.stack, [T.ATTR_STACK_DAEMON]: this.name, [T.ATTR_STACK_START_REASON]: reason, [T.ATTR_STACK_RESTARTS]: this.state.restarts },
    });
    try {
      // Port 0 in the file: picked once and kept across restarts — below the ephemeral range, so no
      // outgoing connection can take it while the daemon is down (util/ports.ts).
      if (this.state.port === 0) this.state.port = await freePortFor(this.spec.host);
      const host = this.spec.host.includes(':') ? `[${this.spec.host}]` : this.spec.host;
      this.state.url = `http://${host}:${this.state.port}`;
      this.spawnProcess();
      span.setAttribute('process.pid', this.state.pid ?? 0);
      const healthy = await this.waitFirstHealthy(this.spec.health.startTimeoutMs);
      if (!healthy) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: this.state.lastError ?? 'not healthy in time' });
      }
    } catch (err) {
      this.state.status = 'failed';
      this.state.lastError = (err as Error).message;
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.state.lastError });
      this.ctx.changed();
    } finally {
      span.end();
    }
  }

  private spawnProcess(): void {
    const { spec } = this;
    const sub = (a: string) => a.replaceAll('{port}', String(this.state.port)).replaceAll('{host}', spec.host);
    const otlp = spec.otlpEndpoint ?? this.ctx.otlpEndpoint;
    const argv = spec.reference
      ? [...referenceDaemonArgv(spec.reference.service, spec.reference.flavour), '--host', spec.host, '--port', String(this.state.port), ...(otlp ? ['--otlp-endpoint', otlp] : []), ...spec.reference.args]
      : spec.command!.map(sub);
    const log = openSync(daemonLog(this.ctx.paths, this.name), 'a');
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: spec.cwd ? resolve(this.ctx.baseDir, spec.cwd) : this.ctx.baseDir,
        env: { ...process.env, ...this.state.env, PORT: String(this.state.port), ...(spec.reference ? lifelineEnv() : {}) },
        // Reference twins also get the lifeline (fd 3): a SIGKILLed supervisor takes them along.
        stdio: spec.reference ? ['ignore', log, log, 'pipe'] : ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    if (spec.reference) holdLifeline(child);
    this.child = child;
    this.state.status = 'starting';
    this.state.health = 'unknown';
    this.state.startedAt = new Date().toISOString();
    this.state.pid = child.pid;
    const pidFile = daemonPidFile(this.ctx.paths, this.name);
    if (child.pid !== undefined) {
      void writeFileAtomic(pidFile, JSON.stringify({ pid: child.pid, startTicks: processStartTicks(child.pid) }) + '\n').catch(() => {});
      this.ctx.metrics.up.labels(this.ctx.stack, this.name).set(1);
      this.ctx.metrics.startTime.labels(this.ctx.stack, this.name).set(Date.now() / 1000);
    }
    this.ctx.log(`${this.name}: started pid ${child.pid ?? '?'} on ${this.state.url}`);
    this.exited = new Promise((done) => {
      child.once('error', (err) => {
        this.state.lastError = `cannot start: ${err.message}`;
        if (child.pid === undefined) {
          this.onExit(null, null);
          done();
        }
      });
      child.once('exit', (code, signal) => {
        this.onExit(code, signal);
        done();
      });
    });
    this.scheduleHealth(0);
    this.ctx.changed();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const ranMs = this.state.startedAt ? Date.now() - Date.parse(this.state.startedAt) : 0;
    this.child = undefined;
    this.state.pid = undefined;
    clearTimeout(this.healthTimer);
    rmSync(daemonPidFile(this.ctx.paths, this.name), { force: true });
    this.ctx.metrics.up.labels(this.ctx.stack, this.name).set(0);
    this.setHealth('unknown');
    if (this.stopping) {
      this.state.status = 'stopped';
      this.ctx.changed();
      return;
    }
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (code !== null || signal !== null) this.state.lastError = how;
    this.ctx.log(`${this.name}: ${how}`);
    this.firstHealthy?.resolve();
    const restart = this.spec.restart;
    const wanted = restart.policy === 'always' || (restart.policy === 'on-failure' && code !== 0);
    if (!wanted || (restart.maxRestarts !== undefined && this.state.restarts >= restart.maxRestarts)) {
      this.state.status = wanted ? 'failed' : 'stopped';
      this.ctx.changed();
      return;
    }
    if (ranMs >= BACKOFF_RESET_MS) this.consecutiveCrashes = 0;
    const delay = Math.min(restart.maxBackoffMs, restart.backoffMs * 2 ** Math.min(this.consecutiveCrashes, 30));
    this.consecutiveCrashes++;
    this.state.status = 'backoff';
    this.ctx.changed();
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.state.restarts++;
      this.ctx.metrics.restarts.labels(this.ctx.stack, this.name).inc();
      void this.start('restart');
    }, delay);
  }

  private scheduleHealth(delayMs: number): void {
    clearTimeout(this.healthTimer);
    this.healthTimer = setTimeout(() => void this.checkHealth(), delayMs);
  }

  private async checkHealth(): Promise<void> {
    if (!this.child || this.stopping) return;
    const started = this.state.status === 'starting';
    const error = await probeHealth(this.spec, this.state.port);
    if (!this.child || this.stopping) return;
    // A refused connection while the daemon starts is expected, not a failure: counted apart, so
    // the failed-check ratio is not raised by every (re)start.
    this.ctx.metrics.checks.labels(this.ctx.stack, this.name, error ? (started ? 'starting' : 'fail') : 'ok').inc();
    if (!error) {
      if (this.state.health !== 'ok' || started) this.ctx.log(`${this.name}: healthy`);
      this.state.status = 'running';
      this.setHealth('ok');
      this.firstHealthy?.resolve();
      this.ctx.changed();
      this.scheduleHealth(this.spec.health.intervalMs);
      return;
    }
    // While starting, a refused connection is expected: poll fast and say nothing yet.
    if (started) {
      this.scheduleHealth(Math.min(100, this.spec.health.intervalMs));
      return;
    }
    if (this.state.health !== 'failing') this.ctx.log(`${this.name}: health check failed: ${error}`);
    this.state.lastError = `health: ${error}`;
    this.setHealth('failing');
    this.ctx.changed();
    this.scheduleHealth(this.spec.health.intervalMs);
  }

  private setHealth(h: DaemonState['health']): void {
    this.state.health = h;
    this.ctx.metrics.healthy.labels(this.ctx.stack, this.name).set(h === 'ok' ? 1 : 0);
  }

  private async waitFirstHealthy(timeoutMs: number): Promise<boolean> {
    let resolveFn!: () => void;
    const promise = new Promise<void>((r) => (resolveFn = r));
    this.firstHealthy = { resolve: resolveFn, promise };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const ok = await Promise.race([promise.then(() => this.state.health === 'ok'), timedOut]);
    clearTimeout(timer);
    this.firstHealthy = undefined;
    if (!ok && this.child) {
      this.state.lastError ??= `not healthy within ${timeoutMs} ms`;
      this.setHealth('failing');
      this.ctx.changed();
    }
    return ok;
  }

  /** SIGTERM, then SIGKILL after the grace period; no restart follows. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.firstHealthy?.resolve();
    const child = this.child;
    if (!child || !this.exited) {
      this.state.status = 'stopped';
      return;
    }
    const span = this.ctx.tracer.startSpan(T.SPAN_STACK_DAEMON_STOP, { attributes: { [T.ATTR_STACK_NAME]: this.ctx.stack, [T.ATTR_STACK_DAEMON]: this.name, 'process.pid': child.pid ?? 0 } });
    let signal: 'sigterm' | 'sigkill' = 'sigterm';
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      signal = 'sigkill';
      child.kill('SIGKILL');
    }, this.spec.stopGraceMs);
    await this.exited;
    clearTimeout(timer);
    span.setAttribute(T.ATTR_STACK_STOP_SIGNAL, signal);
    span.end();
    this.ctx.log(`${this.name}: stopped (${signal})`);
  }
}

/** undefined when healthy, else why not. */
function probeHealth(spec: StackDaemon, port: number): Promise<string | undefined> {
  const timeoutMs = spec.health.timeoutMs;
  const path = spec.health.http ?? (spec.health.tcp ? undefined : spec.reference ? '/healthz' : undefined);
  return new Promise((done) => {
    if (path === undefined) {
      const socket = connect({ host: spec.host, port, timeout: timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        done(undefined);
      });
      socket.once('timeout', () => {
        socket.destroy();
        done(`no connection within ${timeoutMs} ms`);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
      return;
    }
    const req = request({ host: spec.host, port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(status >= 200 && status < 300 ? undefined : `GET ${path} answered ${status}`);
    });
    req.once('timeout', () => {
      req.destroy();
      done(`GET ${path} took over ${timeoutMs} ms`);
    });
    req.once('error', (err: NodeJS.ErrnoException) => done(`GET ${path}: ${err.code ?? err.message}`));
    req.end();
  });
}
