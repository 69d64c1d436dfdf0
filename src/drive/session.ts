import { dirname, join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { openStoreForRun, startReceiver, type Receiver, type SpanStore } from '../collect/index.ts';
import { loadCaseFile, resolveFrom, type CaseFile, type LoadedConfig } from '../config/index.ts';
import type { ProbeSubscriber } from '../probe/index.ts';
import { makeRedactionRules, redactBody, redactUrl } from '../record/index.ts';
import { createSpanSubscriber } from '../telemetry/probe-spans.ts';
import { startTelemetry, type HarnessTelemetry } from '../telemetry/tracing.ts';
import * as A from '../telemetry/attributes.ts';
import { GauntletError } from '../util/errors.ts';
import { driveParity } from './parity.ts';
import { newRunId } from './run-id.ts';
import { startStack, type RunningStack } from './stack.ts';

export interface LoadedCases {
  file: string;
  cases: CaseFile;
}

/** Read and validate every case file before anything is started, so bad input costs nothing. */
export async function loadParityCases(loaded: LoadedConfig, files?: string[]): Promise<LoadedCases[]> {
  const list = files?.length ? files.map((f) => resolveFrom(process.cwd(), f)) : loaded.config.parity.cases.map((f) => resolveFrom(loaded.baseDir, f));
  if (list.length === 0) {
    throw new GauntletError('GAUNTLET_USAGE', 'no parity case files given', { hint: 'pass case files (gauntlet parity CASES.yaml) or list them under parity.cases in the config' });
  }
  const out: LoadedCases[] = [];
  for (const file of list) {
    const cases = await loadCaseFile(file);
    if (!(cases.service in loaded.config.stack.services)) {
      throw new GauntletError('GAUNTLET_CASES_INVALID', `service "${cases.service}" is not in the stack (have: ${Object.keys(loaded.config.stack.services).join(', ')})`, {
        file,
        path: 'service',
        ...(loaded.file ? { hint: `add it under stack.services in ${loaded.file}` } : {}),
      });
    }
    out.push({ file, cases });
  }
  return out;
}

/** An embedded collector (receiver + store), the harness's tracer and the runtimes under test. */
export interface Session {
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

/** Drive every case file against its service inside one run span. Returns nothing to judge with. */
export async function runParityPhase(
  session: Session,
  caseFiles: LoadedCases[],
  loaded: LoadedConfig,
  opts: {
    signal?: AbortSignal;
    onPair?: (done: number, total: number) => void;
    repeat?: number;
    /** A run of its own inside a long-lived session (each `watch` cycle); default: the session's. */
    runId?: string;
    driver?: A.Driver;
    /** Probe subscribers besides the span one (e.g. the Prometheus metrics subscriber). */
    subscribers?: readonly ProbeSubscriber[];
  } = {},
): Promise<{ pairs: number; exchanges: number }> {
  const repeat = opts.repeat ?? loaded.config.parity.repeat;
  const cfg = loaded.config;
  const runId = opts.runId ?? session.runId;
  const runSpan = session.telemetry.tracer.startSpan('gauntlet run', {
    kind: SpanKind.INTERNAL,
    root: true,
    attributes: {
      [A.ATTR_GAUNTLET_RUN_ID]: runId,
      [A.ATTR_GAUNTLET_DRIVER]: opts.driver ?? 'parity',
      'gauntlet.run.case_files': caseFiles.map((c) => c.file),
      'gauntlet.run.services': [...new Set(caseFiles.map((c) => c.cases.service))],
      [A.ATTR_GAUNTLET_RUN_NOISE]: JSON.stringify(cfg.noise),
    },
  });
  // Secrets never reach a span: the same redaction rules as recordings apply to captured bodies.
  const rules = makeRedactionRules(cfg.redact);
  const subscribers = [
    createSpanSubscriber(session.telemetry.tracer, {
      maxEventBodyBytes: cfg.probe.maxEventBodyBytes,
      redactBody: (text, contentType) => redactBody(text, contentType, rules),
      redactUrl: (url) => redactUrl(url, rules),
    }),
    ...(opts.subscribers ?? []),
  ];
  let pairs = 0;
  let exchanges = 0;
  const total = caseFiles.reduce((n, c) => n + c.cases.cases.length * repeat, 0);
  try {
    for (const cf of caseFiles) {
      const service = session.stack.services.get(cf.cases.service)!;
      const before = pairs;
      const r = await driveParity({
        runId,
        tracer: session.telemetry.tracer,
        service,
        cases: cf.cases.cases,
        repeat,
        calibrationSample: cfg.noise.calibration.sample,
        probe: { timeoutMs: cfg.probe.timeoutMs, maxBodyBytes: cfg.probe.maxBodyBytes, concurrency: cfg.probe.concurrency, subscribers },
        ...(opts.signal ? { signal: opts.signal } : {}),
        onPair: (done) => opts.onPair?.(before + done, total),
      });
      pairs += r.pairs;
      exchanges += r.exchanges;
    }
  } finally {
    runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_PAIRS, pairs);
    runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_PAIRS_PLANNED, total);
    // An interrupted run still ends its run span, saying so: the partial verdict is marked.
    if (opts.signal?.aborted || pairs < total) runSpan.setAttribute(A.ATTR_GAUNTLET_RUN_INCOMPLETE, true);
    runSpan.end();
  }
  return { pairs, exchanges };
}
