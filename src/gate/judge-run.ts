import { access } from 'node:fs/promises';
import { buildParityReport, buildRouteTraces, latencySeries, reconstructExchanges, type LatencySeries, type ParityReport } from '../analyze/index.ts';
import type { StoredSpan } from '../collect/index.ts';
import { resolveFrom, type LoadedConfig, type NoiseRules } from '../config/index.ts';
import { ATTR_GAUNTLET_DRIVER } from '../contract/attributes.ts';
import { readBaseline } from './baseline.ts';
import { evaluateGate, type GateResult } from './evaluate.ts';
import { LedgerMatcher, readLedger } from './ledger.ts';
import { judgeTraces } from './trace-rules.ts';

export interface JudgedRun {
  report: ParityReport;
  series: LatencySeries[];
  gate: GateResult;
}

/** The ledger the config names; the default path may be absent (an empty ledger), an explicit one may not. */
export async function ledgerFor(loaded: LoadedConfig, explicit?: string): Promise<LedgerMatcher> {
  if (explicit) return new LedgerMatcher(await readLedger(resolveFrom(process.cwd(), explicit)));
  const path = resolveFrom(loaded.baseDir, loaded.config.gate.ledger);
  try {
    await access(path);
  } catch {
    return new LedgerMatcher(undefined);
  }
  return new LedgerMatcher(await readLedger(path));
}

/**
 * The load engine's sampled exchanges are not parity pairs: a load run is judged by its own report
 * (histograms, thresholds — `loadRules`), and a handful of pairs per route taken under load would
 * only add inconclusive latency rows and findings the load phase did not set out to probe.
 */
function withoutLoadTraces(spans: readonly StoredSpan[]): readonly StoredSpan[] {
  const load = new Set(spans.filter((s) => s.attributes[ATTR_GAUNTLET_DRIVER] === 'load').map((s) => s.traceId));
  return load.size ? spans.filter((s) => !load.has(s.traceId)) : spans;
}

/** Everything CI needs to decide, from the spans of one run. */
export async function judgeRun(
  runId: string,
  allSpans: readonly StoredSpan[],
  loaded: LoadedConfig,
  opts: { ledger?: string; baseline?: string; noise?: NoiseRules } = {},
): Promise<JudgedRun> {
  const spans = withoutLoadTraces(allSpans);
  const ledger = await ledgerFor(loaded, opts.ledger);
  const baseline = opts.baseline ? await readBaseline(resolveFrom(process.cwd(), opts.baseline)) : undefined;
  const report = buildParityReport(runId, spans, opts.noise ? { noise: opts.noise } : {});
  const exchanges = reconstructExchanges(spans);
  // What each runtime did inside its requests, from the span trees under its SERVER spans.
  const traces = buildRouteTraces(spans, exchanges);
  const traceOf = new Map(traces.map((t) => [`${t.summary.service} ${t.summary.method} ${t.summary.route} ${t.summary.runtime}`, t.summary]));
  // Each series carries its route's trace summary: a saved baseline keeps it (per route and runtime).
  const series = latencySeries(exchanges).map((s) => {
    const trace = traceOf.get(`${s.service} ${s.method} ${s.route} ${s.runtime}`);
    return trace ? { ...s, trace } : s;
  });
  const rules = loaded.config.gate;
  const trace = rules.trace.enabled ? await judgeTraces(traces, report, rules, baseline) : undefined;
  const gate = await evaluateGate({ report, series, ledger, rules, ...(baseline ? { baseline } : {}), ...(trace ? { trace } : {}) });
  return { report, series, gate };
}
