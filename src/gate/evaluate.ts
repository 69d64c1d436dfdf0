import { assess, type Assessment } from './assess.ts';
import { globToRegExp } from '../util/glob.ts';
import type { AggregatedFinding, LatencySeries, ParityReport } from '../analyze/index.ts';
import { findingPath, pickComparable } from '../analyze/index.ts';
import type { Baseline, GateRules } from '../config/index.ts';
import { judgeRoutesParallel, type LatencySample, type RouteVerdict } from '../judge/index.ts';
import { histogramSample, toExponentialHistogram } from './baseline.ts';
import { LedgerMatcher, type LabelledRef, type ResolvedCandidate } from './ledger.ts';
import { evaluateThreshold, parseThreshold } from '../config/thresholds.ts';
import { traceRules, type TraceJudgement } from './trace-rules.ts';

export type RuleKind = 'divergence' | 'latency' | 'error-rate' | 'threshold' | 'baseline-latency' | 'baseline-divergence' | 'smoke' | 'load' | 'trace' | 'baseline-trace' | 'completeness';
export type RuleStatus = 'pass' | 'fail' | 'inconclusive';

/** One gate rule applied to one service/route(/runtime): a JUnit testcase. */
export interface RuleResult {
  rule: RuleKind;
  name: string;
  service: string;
  route?: string;
  runtime?: string;
  status: RuleStatus;
  critical: boolean;
  message: string;
}

export interface LabelledFinding extends AggregatedFinding, LabelledRef {}

export interface LatencyRow {
  service: string;
  method: string;
  route: string;
  primary: string;
  candidate: string;
  source: 'server' | 'client';
  /** Set when the samples could not be fairly compared (the mirror without SERVER spans): not judged, the verdict says why. */
  notComparable?: string;
  verdict: RouteVerdict;
}


export interface GateResult {
  runId: string;
  incomplete?: { pairs: number; planned: number };
  /** Every part of the run that did not finish, in words (pairs, load blocks, phases); empty when complete. */
  incompleteParts: string[];
  verdict: 'pass' | 'marginal' | 'fail';
  score: number;
  assessment: Assessment;
  reasons: string[];
  rules: RuleResult[];
  findings: LabelledFinding[];
  resolved: ResolvedCandidate[];
  latency: LatencyRow[];
  /** Trace-derived judgement: per route both runtimes' aggregated span trees; its findings are among `findings` (kind `trace`). */
  trace?: TraceJudgement;
}

const fmtMs = (v: number) => `${v >= 10 ? v.toFixed(1) : v.toFixed(3)} ms`;
const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;

/** One line for humans: the assessment and why, in the terms a release decision needs. */
export function assessmentLine(gate: GateResult): string {
  const failed = gate.rules.filter((r) => r.status === 'fail');
  const known = [...new Set(gate.findings.filter((f) => f.label === 'known').map((f) => f.ledgerId))].sort();
  const fresh = gate.findings.filter((f) => f.label === 'new' || f.label === 'regressed').length;
  const slower = gate.latency.filter((l) => l.verdict.verdict === 'slower').map((l) => `${l.service} ${l.method} ${l.route}`);
  const parts: string[] = [];
  if (gate.incompleteParts.length) parts.push(`INCOMPLETE: ${gate.incompleteParts.join('; ')}`);
  if (failed.length) parts.push(`${failed.length} failing rule${failed.length > 1 ? 's' : ''} (${[...new Set(failed.map((r) => r.rule))].join(', ')})`);
  if (fresh) parts.push(`${fresh} new or regressed divergence${fresh > 1 ? 's' : ''}`);
  if (slower.length) parts.push(`slower: ${slower.join(', ')}`);
  if (known.length) parts.push(`known gaps ${known.join(', ')} did not get worse`);
  const unjudged = gate.latency.filter((l) => l.verdict.verdict === 'inconclusive');
  if (!failed.length && !slower.length && unjudged.length < gate.latency.length) parts.push(unjudged.length ? `latency within tolerance on ${gate.latency.length - unjudged.length} of ${gate.latency.length} routes` : 'latency within tolerance');
  if (unjudged.length) parts.push(`latency not judged on ${unjudged.map((l) => `${l.service} ${l.method} ${l.route} (${whyUnjudged(l.verdict)})`).join(', ')}`);
  if (!parts.length) parts.push(gate.latency.length ? 'every rule passed' : 'every rule passed; no latency was measured');
  return `${gate.assessment} — ${parts.join('; ')}`;
}

/** The short cause of an inconclusive latency verdict, for one-line summaries. */
export function whyUnjudged(v: Pick<RouteVerdict, 'reason'>): string {
  if (v.reason.startsWith('not comparable')) return 'not comparable: no SERVER spans';
  if (v.reason.startsWith('too few samples')) return 'too few samples to test';
  if (v.reason.startsWith('no decisive difference')) return 'too few samples to call a pass';
  return v.reason;
}

/** An inconclusive latency rule: reported (warn) or failing (fail), as `gate.latency.unjudged` says. */
export function unjudgedStatus(rules: GateRules): RuleStatus {
  return rules.latency.unjudged === 'fail' ? 'fail' : 'inconclusive';
}

export function describeShift(v: RouteVerdict, confLevel: number): string {
  if (!v.shift) return v.reason;
  const s = v.shift;
  return `shift ${fmtMs(s.estimate)} (${pct(s.relative)}), ${Math.round(confLevel * 100)}% CI [${fmtMs(s.lower)}, ${fmtMs(s.upper)}], p=${(v.adjustedPValue ?? v.pValue ?? 1).toPrecision(3)}, n=${v.n.a}/${v.n.b}`;
}

function divergenceRules(report: ParityReport, labelled: LabelledFinding[], rules: GateRules): RuleResult[] {
  const routes = new Map<string, { service: string; method: string; route: string }>();
  for (const c of report.cases) routes.set(`${c.service} ${c.method} ${c.route}`, { service: c.service, method: c.method, route: c.route });
  return [...routes.entries()].sort().map(([key, r]) => {
    const here = labelled.filter((f) => f.kind !== 'trace' && f.service === r.service && f.method === r.method && f.route === r.route);
    const failing = here.filter((f) => (rules.divergences.failOn as string[]).includes(f.label));
    const known = here.filter((f) => f.label === 'known');
    const message = failing.length
      ? failing.map((f) => `${f.label} ${f.kind}/${f.class} at ${findingPath(f)} in ${f.service} ${f.method} ${f.route} (×${f.count}; ${f.reason})`).join('; ')
      : known.length
        ? `known gaps only: ${known.map((f) => `${f.ledgerId} ${f.class} at ${f.path}`).join('; ')}`
        : 'no divergences';
    return { rule: 'divergence', name: `divergence ${key}`, service: r.service, route: r.route, status: failing.length ? 'fail' : 'pass', critical: rules.divergences.critical, message };
  });
}

async function latencyRows(series: readonly LatencySeries[], report: ParityReport, rules: GateRules): Promise<LatencyRow[]> {
  const rows: Array<Omit<LatencyRow, 'verdict'> & { verdict?: RouteVerdict }> = [];
  const entries: Array<{ key: string; a: LatencySample; b: LatencySample; row: number }> = [];
  for (const svc of report.services) {
    const routes = new Set(series.filter((s) => s.service === svc.service).map((s) => `${s.method} ${s.route}`));
    for (const mr of [...routes].sort()) {
      const a = series.find((s) => s.service === svc.service && `${s.method} ${s.route}` === mr && s.runtime === svc.primary);
      const b = series.find((s) => s.service === svc.service && `${s.method} ${s.route}` === mr && s.runtime === svc.candidate);
      if (!a || !b) continue;
      const pick = pickComparable(a, b);
      const key = `${svc.service} ${mr}`;
      const meta = { service: svc.service, method: a.method, route: a.route, primary: svc.primary, candidate: svc.candidate, source: pick.source };
      if (pick.notComparable) {
        // Not a test: it stays out of the family the p-values are corrected across.
        const verdict: RouteVerdict = { key, verdict: 'inconclusive', reason: pick.notComparable, n: { a: pick.a.length, b: pick.b.length }, quantiles: [], method: 'none (not comparable)' };
        rows.push({ ...meta, notComparable: pick.notComparable, verdict });
        continue;
      }
      entries.push({ key, a: { kind: 'raw', values: pick.a, strata: pick.strata.a }, b: { kind: 'raw', values: pick.b, strata: pick.strata.b }, row: rows.length });
      rows.push(meta);
    }
  }
  const l = rules.latency;
  const verdicts = await judgeRoutesParallel(entries, {
    alpha: l.alpha,
    confLevel: l.confLevel,
    tolerance: { relative: l.tolerance, absoluteMs: l.toleranceMs },
    quantileTolerance: l.quantileTolerance,
    minSamples: l.minSamples,
    correction: l.correction,
    seed: 1,
  });
  entries.forEach((e, i) => (rows[e.row]!.verdict = verdicts[i]!));
  return rows.map((r) => ({ ...r, verdict: r.verdict! }));
}

function latencyRules(rows: readonly LatencyRow[], rules: GateRules): RuleResult[] {
  return rows.map((r) => {
    const v = r.verdict;
    const failing = v.verdict === 'slower' || (v.verdict === 'faster' && rules.latency.failOnFaster);
    const status: RuleStatus = v.verdict === 'inconclusive' ? unjudgedStatus(rules) : failing ? 'fail' : 'pass';
    const flagged = v.quantiles.filter((q) => q.flagged).map((q) => `p${q.p * 100} ×${q.ratio.toFixed(3)} [${q.lower.toFixed(3)}, ${q.upper.toFixed(3)}]`);
    const message =
      v.verdict === 'inconclusive'
        ? `not judged — ${v.reason}`
        : `${r.candidate} vs ${r.primary}: ${v.verdict} — ${describeShift(v, rules.latency.confLevel)}${flagged.length ? `; quantiles ${flagged.join(', ')}` : ''} (${r.source} spans)`;
    return { rule: 'latency', name: `latency ${r.service} ${r.method} ${r.route}`, service: r.service, route: r.route, status, critical: rules.latency.critical, message };
  });
}

function errorRateRules(series: readonly LatencySeries[], rules: GateRules): RuleResult[] {
  return series.map((s) => {
    const rate = s.total ? s.errors / s.total : 0;
    return {
      rule: 'error-rate',
      name: `error-rate ${s.service} ${s.method} ${s.route} ${s.runtime}`,
      service: s.service,
      route: s.route,
      runtime: s.runtime,
      status: rate <= rules.errorRate.max ? 'pass' : 'fail',
      critical: rules.errorRate.critical,
      message: `${s.errors}/${s.total} failed (${(rate * 100).toFixed(2)}%, max ${(rules.errorRate.max * 100).toFixed(2)}%)`,
    };
  });
}

function thresholdRules(series: readonly LatencySeries[], rules: GateRules): RuleResult[] {
  const out: RuleResult[] = [];
  rules.thresholds.forEach((t, i) => {
    const parsed = t.expr.map((e, j) => parseThreshold(e, { path: `gate.thresholds[${i}].expr[${j}]` }));
    const route = globToRegExp(t.route);
    const runtime = globToRegExp(t.runtime);
    for (const s of series.filter((x) => x.service === t.service && route.test(x.route) && runtime.test(x.runtime))) {
      const values = s.server ?? s.client;
      for (const th of parsed) {
        const { ok, observed } = evaluateThreshold(th, { values, errors: s.errors, total: s.total });
        out.push({
          rule: 'threshold',
          name: `threshold ${th.source} ${s.service} ${s.method} ${s.route} ${s.runtime}`,
          service: s.service,
          route: s.route,
          runtime: s.runtime,
          status: ok ? 'pass' : 'fail',
          critical: t.critical,
          message: `${th.source}: observed ${Number.isNaN(observed) ? 'no data' : observed.toFixed(3)}`,
        });
      }
    }
  });
  return out;
}

async function baselineRules(series: readonly LatencySeries[], labelled: readonly LabelledFinding[], baseline: Baseline, rules: GateRules): Promise<RuleResult[]> {
  const entries: Array<{ key: string; a: LatencySample; b: LatencySample; s: LatencySeries }> = [];
  for (const s of series) {
    const past = baseline.latency.find((b) => b.service === s.service && b.method === s.method && b.route === s.route && b.runtime === s.runtime);
    if (!past) continue;
    const now = toExponentialHistogram(past.source === 'server' && s.server ? s.server : s.client, past.histogram.scale);
    entries.push({ key: `${s.service} ${s.method} ${s.route} ${s.runtime}`, a: histogramSample(past.histogram), b: histogramSample(now), s });
  }
  const verdicts = await judgeRoutesParallel(entries, {
    tolerance: { relative: rules.baseline.tolerance },
    quantileTolerance: rules.baseline.quantileTolerance,
    minSamples: rules.latency.minSamples,
    correction: rules.latency.correction,
    seed: 2,
  });
  const out: RuleResult[] = entries.map((e, i) => {
    const v = verdicts[i]!;
    const status: RuleStatus = v.verdict === 'inconclusive' ? unjudgedStatus(rules) : v.verdict === 'slower' ? 'fail' : 'pass';
    return {
      rule: 'baseline-latency',
      name: `baseline-latency ${e.key}`,
      service: e.s.service,
      route: e.s.route,
      runtime: e.s.runtime,
      status,
      critical: rules.baseline.critical,
      message: `${e.s.runtime} vs its baseline (${baseline.runId}): ${v.verdict} — ${describeShift(v, 0.98)}`,
    };
  });
  const known = new Set(baseline.divergences.map((d) => d.id));
  const services = new Set(series.map((s) => s.service));
  for (const service of [...services].sort()) {
    // Trace findings have their own baseline rule (baseline-trace), against the baseline's span structures.
    const fresh = labelled.filter((f) => f.kind !== 'trace' && f.service === service && !known.has(f.id));
    out.push({
      rule: 'baseline-divergence',
      name: `baseline-divergence ${service}`,
      service,
      status: fresh.length ? 'fail' : 'pass',
      critical: rules.baseline.critical,
      message: fresh.length ? `not in baseline ${baseline.runId}: ${fresh.map((f) => `${f.class} at ${f.route} ${f.path}`).join('; ')}` : `no divergence beyond baseline ${baseline.runId}`,
    });
  }
  return out;
}

/** A latency rule (parity, baseline or load) that could not be judged and, by `gate.latency.unjudged: warn`, does not fail. */
function isUnjudgedWarning(r: RuleResult): boolean {
  return r.status === 'inconclusive' && (r.rule === 'latency' || r.rule === 'baseline-latency' || (r.rule === 'load' && r.name.startsWith('load latency ')));
}

/**
 * A run that did not finish fails its gate: a critical `completeness` rule (a JUnit failure CI
 * sees), whatever the rest says about the part that was sent.
 */
export function completenessRule(parts: readonly string[]): RuleResult {
  return { rule: 'completeness', name: 'run complete', service: '*', status: 'fail', critical: true, message: parts.join('; ') };
}

/** Kayenta-like: critical failures fail on their own; otherwise the share of passed rules decides. */
export function scoreRules(all: readonly RuleResult[], rules: GateRules): { score: number; verdict: GateResult['verdict'] } {
  const judged = all.filter((r) => r.status !== 'inconclusive');
  const passed = judged.filter((r) => r.status === 'pass').length;
  const score = judged.length ? Math.round((1000 * passed) / judged.length) / 10 : 100;
  const criticalFail = all.some((r) => r.critical && r.status === 'fail');
  const verdict = criticalFail || score < rules.score.marginal ? 'fail' : score < rules.score.pass ? 'marginal' : 'pass';
  return { score, verdict };
}

/**
 * Fold rules judged elsewhere (smoke checks, load thresholds) into a gate result: the same
 * scoring, the failures first among the reasons.
 */
export function withExtraRules(gate: GateResult, extra: readonly RuleResult[], rules: GateRules): GateResult {
  if (extra.length === 0) return gate;
  const all = [...gate.rules, ...extra];
  const { score, verdict } = scoreRules(all, rules);
  const failures = extra.filter((r) => r.status === 'fail' && r.rule !== 'completeness').map((r) => `${r.critical ? '[critical] ' : ''}${r.name}: ${r.message}`);
  failures.push(...extra.filter(isUnjudgedWarning).map((r) => `not judged (gate.latency.unjudged: warn): ${r.name} — ${r.message.replace(/^(not judged — |inconclusive: )/, '')}`));
  const assessment = assess({ verdict, findings: gate.findings, incomplete: gate.incompleteParts });
  const reasons = [...failures, ...gate.reasons.filter((r) => !(verdict === 'fail' && r.startsWith('score ')))];
  return { ...gate, rules: all, score, verdict, assessment, reasons };
}

/** Apply every gate rule to a judged run; a Kayenta-like score and a ship/no-ship assessment. */
export async function evaluateGate(input: {
  report: ParityReport;
  series: readonly LatencySeries[];
  ledger: LedgerMatcher;
  rules: GateRules;
  baseline?: Baseline;
  trace?: TraceJudgement;
}): Promise<GateResult> {
  const { report, series, ledger, rules } = input;
  const allFindings = [...report.findings, ...(input.trace?.findings ?? [])];
  const labelled: LabelledFinding[] = allFindings.map((f) => ({ ...f, ...ledger.label(f) }));
  const resolved = ledger.unreproduced(allFindings, new Set(report.services.map((s) => s.service)));
  const latency = rules.latency.enabled ? await latencyRows(series, report, rules) : [];
  const incompleteParts = report.incomplete ? [`the run was interrupted after ${report.incomplete.pairs} of ${report.incomplete.planned} pairs`] : [];
  const all: RuleResult[] = [
    ...(incompleteParts.length ? [completenessRule(incompleteParts)] : []),
    ...divergenceRules(report, labelled, rules),
    ...latencyRules(latency, rules),
    ...errorRateRules(series, rules),
    ...thresholdRules(series, rules),
    ...(input.baseline ? await baselineRules(series, labelled, input.baseline, rules) : []),
    ...(input.trace ? traceRules(input.trace, labelled, rules) : []),
  ];
  const { score, verdict } = scoreRules(all, rules);
  // The completeness rule speaks through the INCOMPLETE reason below.
  const reasons = all.filter((r) => r.status === 'fail' && r.rule !== 'completeness').map((r) => `${r.critical ? '[critical] ' : ''}${r.name}: ${r.message}`);
  // An unjudged route never passes silently: under `unjudged: fail` it is among the failures above.
  for (const r of all.filter(isUnjudgedWarning)) reasons.push(`not judged (gate.latency.unjudged: warn): ${r.name} — ${r.message.replace(/^not judged — /, '')}`);
  const knownGaps = labelled.filter((f) => f.label === 'known');
  const assessment = assess({ verdict, findings: labelled, incomplete: incompleteParts });
  if (verdict !== 'fail') {
    for (const f of knownGaps) reasons.push(`known gap ${f.ledgerId}: ${f.service} ${f.method} ${f.route} ${f.class} at ${findingPath(f)} (×${f.count})`);
    if (verdict === 'marginal') reasons.unshift(`score ${score} is below ${rules.score.pass}`);
  }
  if (report.incomplete) {
    reasons.unshift(`INCOMPLETE: the run was interrupted after ${report.incomplete.pairs} of ${report.incomplete.planned} pairs — this verdict covers only what was sent`);
  }
  for (const r of resolved) reasons.push(`resolved? ${r.ledgerId} (${r.service} ${r.route} ${r.class} ${r.path}) did not reproduce — close it in the ledger if it is fixed`);
  return {
    runId: report.runId,
    ...(report.incomplete ? { incomplete: report.incomplete } : {}),
    incompleteParts,
    verdict,
    score,
    assessment,
    reasons,
    rules: all,
    findings: labelled,
    resolved,
    latency,
    ...(input.trace ? { trace: input.trace } : {}),
  };
}
