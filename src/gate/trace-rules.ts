/**
 * Trace-derived regressions, judged: per route, the candidate's span structure against the
 * primary's (A/B), and each runtime's against its baseline. Structural findings come from
 * `analyze/trace-compare.ts`; self-time findings from the judge's statistics (Mann-Whitney,
 * Hodges-Lehmann interval, tolerances, Holm across operations) — the same as route latency.
 */
import { compareRouteTraces, finding, operationLabel, routeKey, type RouteTrace, type RouteTraceSummary, type TraceFinding } from '../analyze/index.ts';
import type { ParityReport } from '../analyze/index.ts';
import type { Baseline, GateRules, TraceClass } from '../config/index.ts';
import { judgeRoutesParallel, type LatencySample } from '../judge/index.ts';
import type { LabelledFinding, RuleResult } from './evaluate.ts';

/** One route as the HTML report draws it: both runtimes' aggregated span trees. */
export interface TraceRouteView {
  service: string;
  method: string;
  route: string;
  primary: RouteTraceSummary | undefined;
  candidate: RouteTraceSummary | undefined;
}

export interface TraceJudgement {
  routes: TraceRouteView[];
  findings: TraceFinding[];
}

const median = (values: readonly number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const fmtMs = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v) >= 10 ? Math.abs(v).toFixed(1) : Math.abs(v).toFixed(2)} ms`;

/** Structural and self-time findings of a run, A/B and (with a baseline) against the baseline. */
export async function judgeTraces(traces: readonly RouteTrace[], report: ParityReport, rules: GateRules, baseline?: Baseline): Promise<TraceJudgement> {
  const t = rules.trace;
  const options = { minCallChange: t.minCallChange, minPresence: t.minPresence, minRequests: t.minRequests };
  const findings: TraceFinding[] = [];
  const routes: TraceRouteView[] = [];
  const seenOf = (service: string) => {
    const pairs = report.findings.filter((f) => f.service === service);
    return { first: pairs[0]?.firstSeen ?? '', last: pairs[0]?.lastSeen ?? '' };
  };
  const selfEntries: Array<{ key: string; a: LatencySample; b: LatencySample; ref: RouteTrace; sub: RouteTrace; op: string; referenceName: string; comparison: 'runtime' | 'baseline' }> = [];

  for (const svc of report.services) {
    const mine = traces.filter((x) => x.summary.service === svc.service);
    for (const rk of [...new Set(mine.map((x) => routeKey(x.summary)))].sort()) {
      const a = mine.find((x) => routeKey(x.summary) === rk && x.summary.runtime === svc.primary);
      const b = mine.find((x) => routeKey(x.summary) === rk && x.summary.runtime === svc.candidate);
      const any = (a ?? b)!.summary;
      routes.push({ service: any.service, method: any.method, route: any.route, primary: a?.summary, candidate: b?.summary });
      if (!a || !b) continue;
      const ctx = {
        comparison: 'runtime' as const,
        referenceName: svc.primary,
        seen: seenOf(svc.service),
        routeDeltaMs: diff(median(b.serverMs), median(a.serverMs)),
        operationDeltaMs: (op: string) => {
          // A downstream's SERVER span measures only the downstream; the time the runtime spends on
          // the call (connection, network, the downstream) is its CLIENT span's.
          const o = b.summary.ops.find((x) => x.key === op);
          const parent = o?.kind === 'SERVER' && o.parent ? b.summary.ops.find((x) => x.key === o.parent && x.kind === 'CLIENT') : undefined;
          const key = parent?.key ?? op;
          return diff(median(b.durationMs.get(key) ?? []), median(a.durationMs.get(key) ?? []));
        },
      };
      findings.push(...compareRouteTraces(a.summary, b.summary, ctx, options));
      if (t.selfTime.enabled) selfEntries.push(...selfTimeEntries(a, b, svc.primary, 'runtime', t.selfTime.minSamples));
    }
  }

  if (baseline) {
    for (const now of traces) {
      const past = baseline.latency.find((l) => l.service === now.summary.service && l.method === now.summary.method && l.route === now.summary.route && l.runtime === now.summary.runtime)?.trace;
      if (!past) continue;
      findings.push(...compareRouteTraces(past, now.summary, { comparison: 'baseline', referenceName: `baseline ${baseline.runId}`, seen: seenOf(now.summary.service) }, options));
    }
  }

  if (selfEntries.length) {
    const verdicts = await judgeRoutesParallel(
      selfEntries.map(({ key, a, b }) => ({ key, a, b })),
      {
        alpha: rules.latency.alpha,
        confLevel: rules.latency.confLevel,
        tolerance: { relative: t.selfTime.tolerance, absoluteMs: t.selfTime.toleranceMs },
        // The shift's interval alone decides: a quantile ratio has no absolute floor, and on a
        // sub-millisecond inner call a 20% ratio is tens of microseconds of machine noise.
        quantiles: [],
        quantileTolerance: Math.max(rules.latency.quantileTolerance, t.selfTime.tolerance),
        minSamples: t.selfTime.minSamples,
        correction: rules.latency.correction,
        seed: 3,
      },
    );
    selfEntries.forEach((e, i) => {
      const v = verdicts[i]!;
      if (v.verdict !== 'slower' || !v.shift) return;
      const op = e.sub.summary.ops.find((o) => o.key === e.op)!;
      const refOp = e.ref.summary.ops.find((o) => o.key === e.op);
      const routeDelta = diff(median(e.sub.serverMs), median(e.ref.serverMs));
      findings.push(
        finding(e.ref.summary, e.sub.summary, { comparison: e.comparison, referenceName: e.referenceName, seen: seenOf(op.service) }, 'self-time', op, op.requests, {
          shiftMs: round(v.shift.estimate),
          ciMs: [round(v.shift.lower), round(v.shift.upper)],
          ...(routeDelta !== undefined ? { routeDeltaMs: round(routeDelta) } : {}),
          operationDeltaMs: round(v.shift.estimate * op.callsPerRequest),
          callsReference: refOp?.callsPerRequest ?? 0,
          callsSubject: op.callsPerRequest,
          examples: { reference: refOp?.exampleTraceId, subject: op.exampleTraceId },
          explanation:
            (routeDelta !== undefined ? `${e.sub.summary.method} ${e.sub.summary.route} ${fmtMs(routeDelta)} on ${e.sub.summary.runtime}, of which ${fmtMs(v.shift.estimate * op.callsPerRequest)} is the self time of ` : `self time of `) +
            `\`${operationLabel(op)}\` (${fmtMs(v.shift.estimate)} per call, CI [${fmtMs(v.shift.lower)}, ${fmtMs(v.shift.upper)}], ×${op.callsPerRequest} per request, vs ${e.referenceName})`,
        }),
      );
    });
  }
  findings.sort((x, y) => x.service.localeCompare(y.service) || x.route.localeCompare(y.route) || x.class.localeCompare(y.class) || x.path.localeCompare(y.path) || x.trace.subject.localeCompare(y.trace.subject));
  return { routes, findings };
}

/**
 * The operations whose self time can be compared: both sides have at least `minSamples` calls.
 * Below that no conclusion is drawn at all — a soak of the persistent stack under a loaded CI host
 * saw +4.9 ms on 12 calls of one process (CI [+0.7, +10.5] ms), its scheduling luck, not its code.
 */
function selfTimeEntries(ref: RouteTrace, sub: RouteTrace, referenceName: string, comparison: 'runtime' | 'baseline', minSamples: number) {
  const out: Array<{ key: string; a: LatencySample; b: LatencySample; ref: RouteTrace; sub: RouteTrace; op: string; referenceName: string; comparison: 'runtime' | 'baseline' }> = [];
  for (const [op, values] of sub.selfMs) {
    const past = ref.selfMs.get(op);
    if (!past || Math.min(past.length, values.length) < minSamples) continue;
    out.push({ key: `${routeKey(sub.summary)} ${op}`, a: { kind: 'raw', values: past }, b: { kind: 'raw', values }, ref, sub, op, referenceName, comparison });
  }
  return out;
}

/** Does this finding break the rules (beyond being new)? call-count only above the configured ratio. */
export function traceViolates(f: TraceFinding, rules: GateRules): boolean {
  if (!rules.trace.failOn.includes(f.class as TraceClass)) return false;
  if (f.class === 'call-count') return (f.trace.ratio ?? 1) > rules.trace.callCountRatio;
  return true;
}

/** One rule per route (A/B) and per route and runtime (baseline): fails on a new or regressed violating finding. */
export function traceRules(judgement: TraceJudgement, labelled: readonly LabelledFinding[], rules: GateRules): RuleResult[] {
  const byId = new Map(labelled.map((f) => [f.id, f]));
  const groups = new Map<string, { service: string; route: string; runtime?: string; name: string; findings: TraceFinding[]; baseline: boolean }>();
  for (const r of judgement.routes) {
    const key = `trace ${r.service} ${r.method} ${r.route}`;
    if (r.primary && r.candidate) groups.set(key, { service: r.service, route: r.route, name: key, findings: [], baseline: false });
  }
  for (const f of judgement.findings) {
    const baseline = f.trace.comparison === 'baseline';
    const key = baseline ? `baseline-trace ${f.service} ${f.method} ${f.route} ${f.trace.subject}` : `trace ${f.service} ${f.method} ${f.route}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { service: f.service, route: f.route, ...(baseline ? { runtime: f.trace.subject } : {}), name: key, findings: [], baseline }));
    g.findings.push(f);
  }
  return [...groups.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((g) => {
      const failing = g.findings.filter((f) => traceViolates(f, rules) && (rules.divergences.failOn as string[]).includes(byId.get(f.id)?.label ?? 'new'));
      const message = failing.length
        ? failing.map((f) => `${byId.get(f.id)?.label ?? 'new'} trace/${f.class}: ${f.trace.explanation}`).join('; ')
        : g.findings.length
          ? `within rules: ${g.findings.map((f) => `trace/${f.class} ${operationLabel(f.trace.operation)} (${byId.get(f.id)?.label ?? 'new'})`).join('; ')}`
          : 'same span structure';
      return {
        rule: g.baseline ? ('baseline-trace' as const) : ('trace' as const),
        name: g.name,
        service: g.service,
        route: g.route,
        ...(g.runtime ? { runtime: g.runtime } : {}),
        status: failing.length ? ('fail' as const) : ('pass' as const),
        critical: rules.trace.critical,
        message,
      };
    });
}

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}

const round = (v: number) => Math.round(v * 1000) / 1000;
