import { traceRoutesModel, type TraceRouteModel } from '../trace-view.ts';
import type { CaseResult, LatencySeries, ParityReport, ServiceSummary } from '../../analyze/index.ts';
import type { LoadReport } from '../../collect/load/index.ts';
import type { GateResult, LabelledFinding, ResolvedCandidate, RuleResult } from '../../gate/index.ts';
import type { QuantileComparison } from '../../judge/index.ts';
import { highlightPair, type SideBySide } from './json-diff.ts';
import { latencyCharts, type LatencyChart } from './latency-data.ts';
import { describeTail, unjudgedTails, type UnjudgedTail } from '../tails.ts';

/** Everything the page shows, embedded once as JSON; the client script only lays it out. */
export interface HtmlModel {
  /** Per route both runtimes' aggregated span trees (operations, calls per request, self time), differences marked. */
  trace: TraceRouteModel[];
  version: 1;
  runId: string;
  generatedAt: string;
  gate: { verdict: GateResult['verdict']; score: number; assessment: GateResult['assessment']; reasons: string[] };
  /** Set when the run was interrupted: the verdict covers only the pairs that were sent. */
  incomplete: ParityReport['incomplete'] | null;
  /** Every part of the run that did not finish (the gate's words). */
  unfinished: string[];
  telemetry: ParityReport['telemetry'];
  services: ServiceSummary[];
  cases: CaseRow[];
  findings: FindingView[];
  resolved: ResolvedCandidate[];
  latency: LatencyView[];
  noise: ParityReport['noise'];
  rules: RuleResult[];
  /** The load phase of `gauntlet run`, as `gauntlet load --json` writes it; null when there was none. */
  load: LoadReport | null;
  /** Decided routes whose tail quantiles had too few samples to judge, each with its sentence. */
  tails: Array<UnjudgedTail & { text: string }>;
}

export interface CaseRow {
  service: string;
  case: string;
  method: string;
  route: string;
  pairs: number;
  status: string;
  statusMatch: number;
  shapeMatch: number;
  bodyMatch: number;
  ms: [number | null, number | null];
  classes: string[];
  /** A status, shape or reported value difference on any pair (what the Cases table shows by default). */
  diverging: boolean;
}

export interface FindingView extends LabelledFinding {
  primary: string;
  candidate: string;
  diff: SideBySide;
}

export interface LatencyView extends LatencyChart {
  judged: null | {
    verdict: string;
    reason: string;
    summary: string;
    pValue: number | null;
    adjustedPValue: number | null;
    needed: number | null;
    shift: { estimate: number; lower: number; upper: number; relative: number } | null;
    quantiles: QuantileComparison[];
    primary: string;
    candidate: string;
  };
}

const LABEL_RANK: Record<LabelledFinding['label'], number> = { regressed: 0, new: 1, known: 2 };

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return Math.round((v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2) * 1000) / 1000;
}

/** One row per (service, case): repeats of a case are counted, not listed. */
function caseRows(cases: readonly CaseResult[]): CaseRow[] {
  const groups = new Map<string, CaseResult[]>();
  for (const c of cases) {
    const key = `${c.service}\u0000${c.case}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.values()].map((g): Omit<CaseRow, 'diverging'> => {
    const first = g[0]!;
    const side = (s: CaseResult['primary']) => (s === null ? 'missing' : s.status !== null ? String(s.status) : (s.errorType ?? 'error'));
    const ms = (which: 'primary' | 'candidate') => median(g.flatMap((c) => (c[which] ? [c[which]!.serverMs ?? c[which]!.clientMs] : [])));
    return {
      service: first.service,
      case: first.case,
      method: first.method,
      route: first.route,
      pairs: g.length,
      status: `${side(first.primary)} ${first.statusMatch ? '=' : '≠'} ${side(first.candidate)}`,
      statusMatch: g.filter((c) => c.statusMatch).length,
      shapeMatch: g.filter((c) => c.shapeMatch).length,
      bodyMatch: g.filter((c) => c.bodyMatch).length,
      ms: [ms('primary'), ms('candidate')],
      classes: [...new Set(g.flatMap((c) => c.findings.map((f) => f.class)))].sort(),
    };
  }).map((row) => ({ ...row, diverging: row.classes.length > 0 || row.statusMatch < row.pairs || row.shapeMatch < row.pairs }));
}

export function buildHtmlModel(input: { report: ParityReport; gate: GateResult; series: readonly LatencySeries[]; load?: LoadReport; now?: Date }): HtmlModel {
  const { report, gate, series } = input;
  const runtimesOf = new Map(report.services.map((s) => [s.service, s]));
  const charts = latencyCharts(series, gate.latency);
  return {
    version: 1,
    runId: report.runId,
    generatedAt: (input.now ?? new Date()).toISOString(),
    gate: { verdict: gate.verdict, score: gate.score, assessment: gate.assessment, reasons: gate.reasons },
    incomplete: report.incomplete ?? null,
    unfinished: gate.incompleteParts,
    telemetry: report.telemetry,
    services: report.services,
    cases: caseRows(report.cases),
    // Loudest first (regressed, new, then known); the gate's order within a label.
    findings: [...gate.findings].sort((a, b) => LABEL_RANK[a.label] - LABEL_RANK[b.label]).map((f) => ({
      ...f,
      primary: runtimesOf.get(f.service)?.primary ?? 'primary',
      candidate: runtimesOf.get(f.service)?.candidate ?? 'candidate',
      diff: highlightPair(f.example.left, f.example.right),
    })),
    resolved: gate.resolved,
    latency: charts.map((c) => {
      const row = gate.latency.find((r) => r.service === c.service && r.method === c.method && r.route === c.route);
      if (!row) return { ...c, judged: null };
      const v = row.verdict;
      // The gate's own sentence: it knows the configured confidence level, this renderer does not.
      const rule = gate.rules.find((r) => r.rule === 'latency' && r.name === `latency ${c.service} ${c.method} ${c.route}`);
      return {
        ...c,
        judged: {
          verdict: v.verdict,
          reason: v.reason,
          summary: rule?.message ?? v.reason,
          pValue: v.pValue ?? null,
          adjustedPValue: v.adjustedPValue ?? null,
          needed: v.needed ?? null,
          shift: v.shift ?? null,
          quantiles: v.quantiles,
          primary: row.primary,
          candidate: row.candidate,
        },
      };
    }),
    noise: report.noise,
    rules: gate.rules,
    load: input.load ?? null,
    tails: unjudgedTails(gate, input.load).map((t) => ({ ...t, text: describeTail(t) })),
    trace: traceRoutesModel(gate, runtimesOf),
  };
}
