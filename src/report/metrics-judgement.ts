import type { ParityReport } from '../analyze/index.ts';
import type { GateResult } from '../gate/index.ts';
import { FINDING_LABELS, GATE_VERDICTS, PAIR_RESULTS, type GauntletMetrics, type PairResult } from '../telemetry/metrics.ts';

function pairResult(c: ParityReport['cases'][number]): PairResult {
  if (!c.primary || !c.candidate) return 'incomplete';
  if (!c.statusMatch) return 'status_mismatch';
  return c.bodyMatch ? 'match' : 'diverge';
}

/**
 * Publish a judged run — the report and gate built from the store, never the driver's memory.
 * Counters accumulate across runs (a watch daemon's cycles); gauges describe the latest run only,
 * so they are reset first and a finding that stopped reproducing disappears from them.
 *
 * Every label combination a panel divides by or filters on is written, at 0 when nothing happened:
 * an absent series reads as "no data", which a dashboard cannot tell from a broken scrape.
 */
export function recordJudgement(metrics: GauntletMetrics, report: ParityReport, gate: GateResult, now: Date = new Date()): void {
  for (const c of report.cases) {
    const base = { service: c.service, method: c.method, route: c.route };
    for (const result of PAIR_RESULTS) metrics.pairs.inc({ ...base, result }, 0);
    metrics.pairs.inc({ ...base, result: pairResult(c) });
  }
  for (const f of gate.findings) {
    metrics.divergences.inc({ service: f.service, method: f.method, route: f.route, kind: f.kind, class: f.class, label: f.label }, f.count);
  }

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
  metrics.lastJudged.set(now.getTime() / 1000);
}
