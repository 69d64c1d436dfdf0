import type { ParityReport } from '../analyze/index.ts';
import { noiseReasonOf } from '../contract/vocabularies.ts';
import type { GateResult } from '../gate/index.ts';
import { FINDING_LABELS, GATE_VERDICTS, PAIR_RESULTS, type GauntletMetrics, type PairResult } from '../telemetry/metrics.ts';

export function pairResult(c: ParityReport['cases'][number]): PairResult {
  if (!c.primary || !c.candidate) return 'incomplete';
  if (!c.statusMatch) return 'status_mismatch';
  return c.bodyMatch ? 'match' : 'diverge';
}

/**
 * Counter values already published for a run that keeps growing (the mirror re-judges its one run
 * as pairs arrive): the next publication adds only the difference. Keys are the label values.
 */
export type CounterSnapshot = Map<string, number>;

const SEP = '\u0000';

type Inc = { inc(labels: Record<string, string>, n: number): void };

/** Totals per (counter, labels) of one judgement, published at once as growth over `since`. */
class CounterTotals {
  private readonly totals = new Map<string, { counter: Inc; labels: Record<string, string>; value: number }>();
  add(counter: Inc, name: string, labels: Record<string, string>, value: number): void {
    const key = name + SEP + Object.values(labels).join(SEP);
    const t = this.totals.get(key);
    if (t) t.value += value;
    else this.totals.set(key, { counter, labels, value });
  }
  /** Add `total − already published` to each counter (a counter never goes down); the new snapshot. */
  publish(since: CounterSnapshot | undefined): CounterSnapshot {
    const next: CounterSnapshot = new Map();
    for (const [key, t] of this.totals) {
      const before = since?.get(key) ?? 0;
      t.counter.inc(t.labels, Math.max(0, t.value - before));
      next.set(key, Math.max(t.value, before));
    }
    if (since) for (const [key, v] of since) if (!next.has(key)) next.set(key, v);
    return next;
  }
}

/**
 * Publish a judged run — the report and gate built from the store, never the driver's memory.
 * Counters accumulate across runs (a watch daemon's cycles, each a run of its own); for one run
 * judged again as it grows (the mirror), pass the snapshot the previous call returned and only the
 * growth is added. Gauges describe the latest judgement only, so they are reset first and a
 * finding that stopped reproducing disappears from them.
 *
 * Every label combination a panel divides by or filters on is written, at 0 when nothing happened:
 * an absent series reads as "no data", which a dashboard cannot tell from a broken scrape.
 */
export function recordJudgement(metrics: GauntletMetrics, report: ParityReport, gate: GateResult, opts: { now?: Date; since?: CounterSnapshot; noise?: boolean } = {}): CounterSnapshot {
  const totals = new CounterTotals();
  for (const c of report.cases) {
    const base = { service: c.service, method: c.method, route: c.route };
    for (const result of PAIR_RESULTS) metrics.pairs.inc({ ...base, result }, 0);
    totals.add(metrics.pairs, 'pairs', { ...base, result: pairResult(c) }, 1);
  }
  for (const f of gate.findings) {
    totals.add(metrics.divergences, 'divergences', { service: f.service, method: f.method, route: f.route, kind: f.kind, class: f.class, label: f.label }, f.count);
  }
  if (opts.noise) {
    for (const n of report.noise) totals.add(metrics.mirrorNoise, 'noise', { service: n.service, reason: noiseReasonOf(n.reason) }, n.count);
  }

  const next = totals.publish(opts.since);

  metrics.findings.reset();
  for (const s of report.services) for (const label of FINDING_LABELS) metrics.findings.set({ service: s.service, label }, 0);
  for (const f of gate.findings) metrics.findings.inc({ service: f.service, label: f.label });
  for (const r of gate.resolved) metrics.findings.inc({ service: r.service, label: 'resolved' });

  for (const verdict of GATE_VERDICTS) metrics.gateVerdict.set({ verdict }, verdict === gate.verdict ? 1 : 0);
  metrics.gateScore.set(gate.score / 100);
  metrics.gateRules.reset();
  metrics.gateFailedRules.reset();
  for (const r of gate.rules) {
    metrics.gateRules.inc({ rule: r.rule, status: r.status });
    const where = { service: r.service, route: r.route ?? '', rule: r.rule };
    metrics.gateFailedRules.inc(where, r.status === 'fail' ? 1 : 0);
  }
  recordTraceStructure(metrics, gate);
  metrics.lastJudged.set((opts.now ?? new Date()).getTime() / 1000);
  return next;
}

/** Calls per request and self time by operation and runtime: the Grafana trace-structure panel's series. */
export function recordTraceStructure(metrics: GauntletMetrics, gate: GateResult): void {
  metrics.traceCallsPerRequest.reset();
  metrics.traceSelfTime.reset();
  for (const r of gate.trace?.routes ?? []) {
    for (const side of [r.primary, r.candidate]) {
      if (!side) continue;
      for (const o of side.ops) {
        const labels = { service: side.service, route: side.route, runtime: side.runtime, operation_service: o.service, operation: o.name, kind: o.kind };
        metrics.traceCallsPerRequest.set(labels, o.callsPerRequest);
        metrics.traceSelfTime.set({ ...labels, stat: 'p50' }, o.selfMs.p50 / 1000);
        metrics.traceSelfTime.set({ ...labels, stat: 'p95' }, o.selfMs.p95 / 1000);
        metrics.traceSelfTime.set({ ...labels, stat: 'p99' }, o.selfMs.p99 / 1000);
      }
    }
  }
}
