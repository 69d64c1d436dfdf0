import { context as otelContext, trace, SpanKind } from '@opentelemetry/api';
import type { LoadedConfig, SmokeCheck } from '../../config/index.ts';
import type { CheckSpec } from '../../config/smoke-schema.ts';
import { runExchange, type ExchangeRequest } from '../../probe/index.ts';
import { driverSpans } from '../span-subscriber.ts';
import * as A from '../../contract/attributes.ts';
import { buildCaseRequest } from '../parity.ts';
import { mergeHeaders, newPairId } from '../pair.ts';
import type { DriveSession as Session } from '../session.ts';
import type { RuntimeEndpoint } from '../stack.ts';
import type { LoadedSuite, SkippedSuite } from '../../config/smoke-suites.ts';

export interface SmokePhaseOptions {
  signal?: AbortSignal;
  /** Progress only (a count), never results: judgement happens from the store. */
  onCheck?: (done: number, total: number) => void;
}

/**
 * Send every check of every suite to every runtime of its service, each check × runtime in a
 * trace of its own: a root span `smoke <suite>/<check>` carrying the check's expectations
 * (`gauntlet.check`), the probe's CLIENT span under it, and the runtime's SERVER span under that.
 * Checks run in file order, one at a time, so suites may be stateful (create → upsert → search →
 * delete) and latency budgets are not measured under self-inflicted contention.
 */
export async function runSmokePhase(
  session: Session,
  suites: readonly LoadedSuite[],
  loaded: LoadedConfig,
  opts: SmokePhaseOptions = {},
): Promise<{ checks: number; exchanges: number; skipped: SkippedSuite[] }> {
  const { tracer } = session.telemetry;
  const cfg = loaded.config;
  // A suite whose service this session did not start is skipped, as at load time: same note, no error.
  const skipped: SkippedSuite[] = [];
  const runnable = suites.filter((s) => {
    if (session.stack.services.has(s.suite.service)) return true;
    skipped.push({ file: s.file, name: s.name, service: s.suite.service, checkIds: s.suite.checks.map((c) => c.id), reason: `service "${s.suite.service}" was not started in this session` });
    return false;
  });
  const runtimesOf = (service: string): RuntimeEndpoint[] => {
    const e = session.stack.services.get(service)!;
    return [e.primary, e.candidate, ...e.others];
  };
  const total = runnable.reduce((n, s) => n + s.suite.checks.length * runtimesOf(s.suite.service).length, 0);
  const phaseSpan = tracer.startSpan('smoke', {
    kind: SpanKind.INTERNAL,
    root: true,
    attributes: {
      [A.ATTR_GAUNTLET_RUN_ID]: session.runId,
      [A.ATTR_GAUNTLET_DRIVER]: 'smoke',
      [A.ATTR_GAUNTLET_RUN_SUITE_FILES]: runnable.map((s) => s.file),
    },
  });
  const subscribers = [driverSpans(tracer, cfg)];
  const probe = { timeoutMs: cfg.probe.timeoutMs, maxBodyBytes: cfg.probe.maxBodyBytes, subscribers };
  let exchanges = 0;
  let index = 0;
  try {
    for (const s of runnable) {
      for (const check of s.suite.checks) {
        const spec: CheckSpec = { suite: s.name, service: s.suite.service, id: check.id, index, expect: check.expect, spans: check.spans };
        const req = buildCaseRequest(check.request);
        for (const rt of runtimesOf(s.suite.service)) {
          if (opts.signal?.aborted) return { checks: index, exchanges, skipped };
          const checkSpan = tracer.startSpan(`smoke ${s.name}/${check.id}`, {
            kind: SpanKind.INTERNAL,
            root: true,
            attributes: {
              [A.ATTR_GAUNTLET_RUN_ID]: session.runId,
              [A.ATTR_GAUNTLET_DRIVER]: 'smoke',
              [A.ATTR_GAUNTLET_SERVICE]: s.suite.service,
              [A.ATTR_GAUNTLET_RUNTIME]: rt.name,
              [A.ATTR_GAUNTLET_RUNTIME_ROLE]: rt.role,
              [A.ATTR_GAUNTLET_CASE]: check.id,
              [A.ATTR_GAUNTLET_CHECK]: JSON.stringify(spec),
              [A.ATTR_GAUNTLET_CHECK_INDEX]: index,
            },
          });
          await runExchange(
            {
              runId: session.runId,
              driver: 'smoke',
              service: s.suite.service,
              runtime: rt.name,
              role: rt.role,
              caseId: check.id,
              // Every exchange is its own "pair" of one: smoke checks each runtime against the
              // suite, not the runtimes against each other.
              pairId: newPairId(),
              baseUrl: rt.url,
              ...req,
              headers: mergeHeaders(req.headers, rt.headers),
              parent: trace.setSpan(otelContext.active(), checkSpan),
            },
            probe,
          );
          checkSpan.end();
          exchanges++;
          opts.onCheck?.(exchanges, total);
        }
        index++;
      }
    }
  } finally {
    // What was sent, recorded by the sender: the judge fails the run if the store holds fewer.
    phaseSpan.setAttribute(A.ATTR_GAUNTLET_SMOKE_EXPECTED, exchanges);
    phaseSpan.end();
  }
  return { checks: index, exchanges, skipped };
}
