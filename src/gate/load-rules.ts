/**
 * A load report as gate rules, so `gauntlet load` (its exit code) and `gauntlet run` (its gate) decide
 * alike: as in k6, a crossed threshold or an abortOnFail stop fails the run on its own; a route that
 * is significantly and materially slower on B fails it when the gate treats latency as critical.
 */
import type { GauntletConfig, GateRules } from '../config/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import type { JudgeRoutesOptions } from '../judge/index.ts';
import { describeShift, unjudgedStatus, type RuleResult, type RuleStatus } from './evaluate.ts';

/** The latency judge with the gate's settings, so `load`, `run` and `gate` judge alike. */
export function judgeOptionsOf(cfg: GauntletConfig): JudgeRoutesOptions {
  const l = cfg.gate.latency;
  return { alpha: l.alpha, confLevel: l.confLevel, tolerance: { relative: l.tolerance, absoluteMs: l.toleranceMs }, quantileTolerance: l.quantileTolerance, minSamples: l.minSamples, correction: l.correction };
}

const fmt = (v: number | null) => (v === null || !Number.isFinite(v) ? 'no data' : v >= 100 ? v.toFixed(0) : v.toFixed(3));

export function loadRules(report: LoadReport, rules: GateRules): RuleResult[] {
  const out: RuleResult[] = [];
  const service = report.service;
  const [a = 'A', b = 'B'] = report.runtimes;
  for (const s of report.scenarios) {
    for (const rt of s.runtimes) {
      for (const t of rt.thresholds) {
        out.push({
          rule: 'load',
          name: `load threshold ${s.name} ${rt.runtime} ${t.metric} ${t.threshold}`,
          service,
          runtime: rt.runtime,
          status: t.ok ? 'pass' : 'fail',
          critical: true,
          message: `${t.metric} ${t.threshold}: observed ${fmt(t.observed)}`,
        });
      }
    }
    if (!rules.latency.enabled) continue;
    for (const r of s.routes) {
      const v = r.verdict;
      if (!v) continue;
      const failing = v.verdict === 'slower' || (v.verdict === 'faster' && rules.latency.failOnFaster);
      const status: RuleStatus = v.verdict === 'inconclusive' ? unjudgedStatus(rules) : failing ? 'fail' : 'pass';
      out.push({
        rule: 'load',
        name: `load latency ${s.name} ${r.method} ${r.route}`,
        service,
        route: r.route,
        status,
        critical: rules.latency.critical,
        message: v.verdict === 'inconclusive' ? `not judged — ${v.reason}` : `${b} vs ${a} under load: ${v.verdict} — ${describeShift(v, rules.latency.confLevel)}`,
      });
    }
  }
  if (report.aborted) {
    out.push({ rule: 'load', name: `load aborted ${service}`, service, status: 'fail', critical: true, message: `stopped by an abortOnFail threshold: ${report.aborted}` });
  }
  if (report.incomplete) {
    const { blocks, planned } = report.incomplete;
    out.push({ rule: 'load', name: `load incomplete ${service}`, service, status: 'inconclusive', critical: true, message: `interrupted after ${blocks} of ${planned} blocks: the load verdict covers only what was sent` });
  }
  return out;
}

/** What `gauntlet load` exits 1 on: any critical load rule that failed. */
export const loadFails = (rules: readonly RuleResult[]) => rules.some((r) => r.critical && r.status === 'fail');
