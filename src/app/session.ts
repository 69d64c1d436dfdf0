import { dirname, join } from 'node:path';
import { openStoreForRun, startReceiver, type Receiver, type SpanStore } from '../collect/index.ts';
import { resolveFrom, type LoadedConfig } from '../config/index.ts';
import { readPersistentStack, startStack, warmUpSpanPipeline, newRunId, type DriveSession, type RunningStack } from '../drive/index.ts';
import { startTelemetry, type HarnessTelemetry } from '../telemetry/tracing.ts';
import { SpanKind } from '@opentelemetry/api';
import * as A from '../contract/attributes.ts';
import type { RunOutcome } from '../contract/vocabularies.ts';

/** An embedded collector (receiver + store), the harness's tracer and the runtimes under test. */
export interface Session extends DriveSession {
  readonly runId: string;
  readonly store: SpanStore;
  readonly receiver: Receiver;
  readonly telemetry: HarnessTelemetry;
  readonly stack: RunningStack;
  /**
   * Record the run's end (`gauntlet run.end`, flushed) — call it once every phase is done and
   * before reading the run back. A run whose end was never recorded is incomplete.
   */
  finish(outcome: RunOutcome): Promise<void>;
  close(): Promise<void>;
}

/** Emit one lifecycle record as an instant root span and flush it: it must reach the store before anything else happens. */
async function recordLifecycle(telemetry: HarnessTelemetry, name: string, attributes: Record<string, string | string[]>): Promise<void> {
  telemetry.tracer.startSpan(name, { kind: SpanKind.INTERNAL, root: true, attributes }).end();
  await telemetry.flush(5_000);
}

/** DuckDB's buffer pool of a watch or mirror when the config sets none: a day's cycles, not the host's RAM. */
export const DAEMON_STORE_MEMORY_MB = 256;

export async function openSession(
  loaded: LoadedConfig,
  opts: {
    services: ReadonlySet<string>;
    storePath?: string;
    runId?: string;
    /** Record the run's lifecycle (start now, end on finish): the command and its planned phases. */
    lifecycle?: { command: string; phases: readonly string[] };
    /** A process that runs for days (watch, mirror): its store cache gets a bound by default. */
    daemon?: boolean;
  },
): Promise<Session> {
  const cfg = loaded.config;
  const runId = opts.runId ?? newRunId();
  const requested = opts.storePath ?? resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), cfg.store.path);
  const memoryLimitMb = cfg.store.memoryLimitMb ?? (opts.daemon ? DAEMON_STORE_MEMORY_MB : undefined);
  const { store, path: storePath, shared } = await openStoreForRun(requested, runId, memoryLimitMb ? { memoryLimitMb } : {});
  if (!shared) process.stderr.write(`note: ${requested} is in use by another gauntlet run; this run writes ${storePath}\n`);
  let receiver: Receiver | undefined;
  let telemetry: HarnessTelemetry | undefined;
  try {
    receiver = await startReceiver({ store, host: cfg.collector.host, port: cfg.collector.port, maxBodyBytes: cfg.collector.maxBodyBytes });
    // Spans the receiver cannot take (outage, overload) wait in a spool beside the store.
    telemetry = startTelemetry({ endpoint: receiver.url, runId, spoolDir: join(dirname(storePath), 'spool', runId) });
    // A persistent stack (`gauntlet stack up`) serves the reference runtimes instead of twins started here.
    const persistent = cfg.stack.persistent ? await readPersistentStack(resolveFrom(loaded.baseDir, cfg.stack.persistent)) : undefined;
    const stack = await startStack(cfg, { otlpEndpoint: receiver.url, only: opts.services, persistent });
    if (persistent) {
      const exporting = [...stack.services.values()].flatMap((s) => [s.primary, s.candidate, ...s.others]).filter((e) => e.persistent?.exportsSpans);
      const { silent } = await warmUpSpanPipeline(store, [...new Set(exporting.map((e) => e.url))]);
      for (const url of silent) {
        process.stderr.write(`note: spans of the persistent twin at ${url} did not reach this run's collector (${receiver.url}); point otlpEndpoint of ${persistent.file} at collector.port of the config\n`);
      }
    }
    const r = receiver;
    const t = telemetry;
    const lifecycle = opts.lifecycle;
    if (lifecycle) {
      await recordLifecycle(t, A.SPAN_RUN_START, { [A.ATTR_GAUNTLET_RUN_ID]: runId, [A.ATTR_GAUNTLET_RUN_COMMAND]: lifecycle.command, [A.ATTR_GAUNTLET_RUN_PHASES]: [...lifecycle.phases] });
    }
    let ended = false;
    const finish = async (outcome: RunOutcome) => {
      if (!lifecycle || ended) return;
      ended = true;
      await recordLifecycle(t, A.SPAN_RUN_END, { [A.ATTR_GAUNTLET_RUN_ID]: runId, [A.ATTR_GAUNTLET_RUN_COMMAND]: lifecycle.command, [A.ATTR_GAUNTLET_RUN_OUTCOME]: outcome });
    };
    return {
      runId,
      store,
      receiver: r,
      telemetry: t,
      stack,
      finish,
      async close() {
        // Closed without finish(): a phase threw. Say so, so the stored run is never taken for complete.
        await finish('failed').catch(() => {});
        await stack.stop();
        await t.shutdown();
        await r.close();
        await store.close();
        // A full disk under the store or the spool: the run lost telemetry — say so, naming the path (exit 2).
        const lost = r.storeError() ?? t.spoolError();
        if (lost) throw lost;
      },
    };
  } catch (err) {
    await telemetry?.shutdown().catch(() => {});
    await receiver?.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}

