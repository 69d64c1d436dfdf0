/**
 * The supervisor of a persistent stack: a detached process (started by `gauntlet stack up`) that
 * keeps the daemons of desired.json running, applies a new desired.json on SIGHUP (starting only
 * what is new or changed, stopping what left the file), writes state.json for `stack status`,
 * serves its metrics, and on SIGTERM stops every daemon and exits.
 */
import { mkdir, rm } from 'node:fs/promises';
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { StackTelemetry as T } from '../../contract/index.ts';
import { serveMetrics, type MetricsServer } from '../../telemetry/metrics-server.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { DaemonRunner, hashDaemonSpec } from './daemon-runner.ts';
import { readJson, stackPaths, type ApplyResult, type DesiredStack, type StackPaths, type StackState } from './state.ts';
import { createSupervisorMetrics, type SupervisorMetrics } from './supervisor-metrics.ts';

export class Supervisor {
  private readonly runners = new Map<string, DaemonRunner>();
  private readonly paths: StackPaths;
  private readonly metrics: SupervisorMetrics = createSupervisorMetrics();
  private metricsServer: MetricsServer | undefined;
  private tracer: Tracer = trace.getTracer('gauntlet-stack');
  private provider: BasicTracerProvider | undefined;
  private desired: DesiredStack | undefined;
  private lastApply: ApplyResult | undefined;
  private queue: Promise<void> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private readonly startedAt = new Date().toISOString();

  constructor(stateDir: string) {
    this.paths = stackPaths(stateDir);
  }

  async start(): Promise<void> {
    const desired = await this.readDesired();
    await mkdir(this.paths.logs, { recursive: true });
    await mkdir(this.paths.pids, { recursive: true });
    if (desired.otlpEndpoint) {
      this.provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'gauntlet-stack', [T.ATTR_STACK_NAME]: desired.name }),
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${desired.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: 3_000 }), { scheduledDelayMillis: 500 })],
      });
      this.tracer = this.provider.getTracer('gauntlet-stack');
    }
    this.metricsServer = await serveMetrics({
      listen: desired.metricsListen,
      registry: this.metrics.registry,
      health: () => ({ ok: true, daemons: Object.fromEntries([...this.runners].map(([n, r]) => [n, r.state.health])) }),
    });
    this.log(`supervisor ${process.pid} for ${desired.file}; metrics on ${this.metricsServer.url}/metrics`);
    await this.apply(desired);
  }

  /** Re-read desired.json and apply it (SIGHUP from `stack up`). Applies run one at a time. */
  reload(): Promise<void> {
    this.queue = this.queue.then(async () => {
      try {
        await this.apply(await this.readDesired());
      } catch (err) {
        this.log(`reload failed: ${(err as Error).message}`);
      }
    });
    return this.queue;
  }

  private async readDesired(): Promise<DesiredStack> {
    const desired = await readJson<DesiredStack>(this.paths.desired);
    if (!desired) throw new Error(`no ${this.paths.desired}: start the supervisor with \`gauntlet stack up\``);
    return desired;
  }

  private async apply(desired: DesiredStack): Promise<void> {
    this.desired = desired;
    const result: ApplyResult = { generation: desired.generation, started: [], changed: [], removed: [], unchanged: [] };
    const starts: Array<Promise<void>> = [];
    for (const [name, runner] of this.runners) {
      if (!(name in desired.daemons)) {
        result.removed.push(name);
        this.runners.delete(name);
        starts.push(runner.stop());
      }
    }
    for (const [name, spec] of Object.entries(desired.daemons)) {
      const existing = this.runners.get(name);
      const same = existing?.state.specHash === hashDaemonSpec(spec, desired.otlpEndpoint);
      if (existing && same && existing.state.status !== 'failed' && existing.state.status !== 'stopped') {
        result.unchanged.push(name);
        continue;
      }
      // A daemon that gave up (failed) or exited for good is started again by the next `up`: listed as started, not changed.
      const changed = existing !== undefined && !same;
      const runner = new DaemonRunner(name, spec, {
        stack: desired.name,
        paths: this.paths,
        baseDir: desired.baseDir,
        otlpEndpoint: desired.otlpEndpoint,
        tracer: this.tracer,
        metrics: this.metrics,
        changed: () => this.scheduleWrite(),
        log: (line) => this.log(line),
      });
      // Port 0 means "pick one and keep it": a redefined daemon keeps the port clients already use.
      if (existing && spec.port === 0) runner.state.port = existing.state.port;
      (changed ? result.changed : result.started).push(name);
      this.runners.set(name, runner);
      starts.push((existing ? existing.stop() : Promise.resolve()).then(() => runner.start(changed ? 'changed' : 'up')));
    }
    await Promise.all(starts);
    this.lastApply = result;
    this.log(`applied generation ${result.generation}: started [${result.started}] changed [${result.changed}] removed [${result.removed}] unchanged [${result.unchanged}]`);
    this.scheduleWrite();
    await this.writing;
  }

  /** state.json, coalesced: at most one write in flight plus one pending. */
  private scheduleWrite(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      await writeFileAtomic(this.paths.state, JSON.stringify(this.snapshot(), null, 2) + '\n').catch((err: Error) => this.log(`cannot write state: ${err.message}`));
    });
  }

  private snapshot(): StackState {
    return {
      name: this.desired?.name ?? '',
      file: this.desired?.file ?? '',
      supervisor: { pid: process.pid, startedAt: this.startedAt, metricsUrl: this.metricsServer?.url ?? '' },
      daemons: Object.fromEntries([...this.runners].map(([n, r]) => [n, r.state])),
      ...(this.lastApply ? { lastApply: this.lastApply } : {}),
      updatedAt: new Date().toISOString(),
    };
  }

  /** Stop every daemon (in parallel, each SIGTERM → SIGKILL after its grace), flush spans, remove the pid and state files. */
  async shutdown(): Promise<void> {
    await this.queue.catch(() => {});
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.scheduleWrite();
    await this.writing;
    await this.metricsServer?.close();
    await this.provider?.shutdown().catch(() => {});
    await rm(this.paths.supervisorPid, { force: true });
    this.log('supervisor stopped');
  }

  log(line: string): void {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  }
}
