import { SpanKind } from '@opentelemetry/api';
import type { LoadedConfig } from '../config/index.ts';
import type { LoadedCases } from '../config/case-files.ts';
import type { ProbeSubscriber } from '../probe/index.ts';
import { makeRedactionRules, redactBody, redactUrl } from '../record/index.ts';
import { driverSpans } from './span-subscriber.ts';
import type { HarnessTelemetry } from '../telemetry/tracing.ts';
import * as A from '../contract/attributes.ts';
import { driveParity } from './parity.ts';
import type { RunningStack } from './stack.ts';

/** What a driver needs of a session: the run id, the harness's tracer and the runtimes under test. Drivers get no store. */
export interface DriveSession {
  readonly runId: string;
  readonly telemetry: HarnessTelemetry;
  readonly stack: RunningStack;
}

/** Drive every case file against its service inside one run span. Returns nothing to judge with. */
export async function runParityPhase(
  session: DriveSession,
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
      [A.ATTR_GAUNTLET_RUN_CASE_FILES]: caseFiles.map((c) => c.file),
      [A.ATTR_GAUNTLET_RUN_SERVICES]: [...new Set(caseFiles.map((c) => c.cases.service))],
      [A.ATTR_GAUNTLET_RUN_NOISE]: JSON.stringify(cfg.noise),
    },
  });
  // Secrets never reach a span: the same redaction rules as recordings apply to captured bodies.
  const rules = makeRedactionRules(cfg.redact);
  const subscribers = [
    driverSpans(session.telemetry.tracer, cfg, rules),
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
