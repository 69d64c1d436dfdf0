import type { Tracer } from '@opentelemetry/api';
import type { ParityCase } from '../config/index.ts';
import { runExchange, type ProbeOptions } from '../probe/index.ts';
import type { ServiceEndpoints, RuntimeEndpoint } from './stack.ts';
import { abbaOrder, exchangeFor, newPairId, startPairSpan } from './pair.ts';

export interface ParityDriveOptions {
  runId: string;
  tracer: Tracer;
  service: ServiceEndpoints;
  cases: readonly ParityCase[];
  /** Send every case this many times (each repetition its own pair) — latency needs samples. */
  repeat?: number;
  /** Fraction of pairs whose request also goes a second time to the primary (repeat calibration). */
  calibrationSample?: number;
  probe: ProbeOptions & { concurrency: number };
  /** Called after each pair completes (progress display); gets no results, only counts. */
  onPair?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** A case's request as the probe sends it (shared by parity cases and smoke checks: same request schema). */
export function buildCaseRequest(r: ParityCase['request']): { method: string; path: string; route: string; headers: Record<string, string>; body?: string } {
  const query = r.query ? `?${new URLSearchParams(r.query).toString()}` : '';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: string | undefined;
  if (r.json !== undefined) {
    body = JSON.stringify(r.json);
    headers['content-type'] ??= 'application/json';
  } else if (r.body !== undefined) {
    body = r.body;
  }
  return { method: r.method, path: `${r.path}${query}`, route: r.route ?? r.path, headers, ...(body !== undefined ? { body } : {}) };
}

/**
 * Send each case to the primary and the candidate (and any secondary) under one pair id.
 * The driver hands nothing to the analyser: the exchanges exist only as telemetry.
 */
export async function driveParity(opts: ParityDriveOptions): Promise<{ pairs: number; exchanges: number }> {
  const { service, tracer } = opts;
  const runtimes: RuntimeEndpoint[] = [service.primary, service.candidate, ...service.others];
  const repeat = Math.max(1, opts.repeat ?? 1);
  const total = opts.cases.length * repeat;
  // Deterministic sampling (every n-th pair) keeps runs reproducible and spreads samples evenly.
  const calibrateEvery = opts.calibrationSample && opts.calibrationSample > 0 ? Math.max(1, Math.round(1 / opts.calibrationSample)) : 0;
  let next = 0;
  let done = 0;
  let exchanges = 0;
  const worker = async () => {
    while (next < total && !opts.signal?.aborted) {
      const index = next++;
      // Rounds over the whole case list, so drift over the run touches every case alike.
      const c = opts.cases[index % opts.cases.length]!;
      const req = buildCaseRequest(c.request);
      const id = { runId: opts.runId, driver: 'parity' as const, service: service.service, caseId: c.id, pairId: newPairId() };
      const { span: pairSpan, ctx: parent } = startPairSpan(tracer, id);
      const order = abbaOrder(runtimes, index);
      if (calibrateEvery && index % calibrateEvery === 0) order.push({ ...service.primary, role: 'calibration' });
      for (const rt of order) {
        await runExchange(exchangeFor(id, rt, req, parent), opts.probe);
        exchanges++;
      }
      pairSpan.end();
      done++;
      opts.onPair?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.probe.concurrency, total) }, worker));
  return { pairs: done, exchanges };
}
