import { dirname, join } from 'node:path';
import { openStoreForRun, startReceiver, type Receiver, type SpanStore } from '../collect/index.ts';
import { resolveFrom, type LoadedConfig } from '../config/index.ts';
import { startStack, newRunId, type DriveSession, type RunningStack } from '../drive/index.ts';
import { startTelemetry, type HarnessTelemetry } from '../telemetry/tracing.ts';

/** An embedded collector (receiver + store), the harness's tracer and the runtimes under test. */
export interface Session extends DriveSession {
  readonly runId: string;
  readonly store: SpanStore;
  readonly receiver: Receiver;
  readonly telemetry: HarnessTelemetry;
  readonly stack: RunningStack;
  close(): Promise<void>;
}

export async function openSession(loaded: LoadedConfig, opts: { services: ReadonlySet<string>; storePath?: string; runId?: string }): Promise<Session> {
  const cfg = loaded.config;
  const runId = opts.runId ?? newRunId();
  const requested = opts.storePath ?? resolveFrom(loaded.file ? loaded.baseDir : process.cwd(), cfg.store.path);
  const { store, path: storePath, shared } = await openStoreForRun(requested, runId);
  if (!shared) process.stderr.write(`note: ${requested} is in use by another gauntlet run; this run writes ${storePath}\n`);
  let receiver: Receiver | undefined;
  let telemetry: HarnessTelemetry | undefined;
  try {
    receiver = await startReceiver({ store, host: cfg.collector.host, port: cfg.collector.port, maxBodyBytes: cfg.collector.maxBodyBytes });
    // Spans the receiver cannot take (outage, overload) wait in a spool beside the store.
    telemetry = startTelemetry({ endpoint: receiver.url, runId, spoolDir: join(dirname(storePath), 'spool', runId) });
    const stack = await startStack(cfg, { otlpEndpoint: receiver.url, only: opts.services });
    const r = receiver;
    const t = telemetry;
    return {
      runId,
      store,
      receiver: r,
      telemetry: t,
      stack,
      async close() {
        await stack.stop();
        await t.shutdown();
        await r.close();
        await store.close();
      },
    };
  } catch (err) {
    await telemetry?.shutdown().catch(() => {});
    await receiver?.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}

