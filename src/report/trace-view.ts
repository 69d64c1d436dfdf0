/**
 * Trace-derived regressions where people look: per route, both runtimes' aggregated span trees
 * side by side (HTML), and the findings in words naming the operation (terminal, Markdown).
 */
import type { RouteTraceSummary, TraceFinding } from '../analyze/index.ts';
import type { GateResult, LabelledFinding } from '../gate/index.ts';
import type { TerminalStyle } from './terminal.ts';

export interface TraceOpRow {
  label: string;
  kind: string;
  depth: number;
  /** Calls per request, self time p50/p95 (ms), hidden-error requests — per side, null where absent. */
  primary: { calls: number; selfP50: number; selfP95: number; errors: number; example: string } | null;
  candidate: { calls: number; selfP50: number; selfP95: number; errors: number; example: string } | null;
  /** Trace classes found on this operation (A/B): the row is highlighted. */
  findings: string[];
}

export interface TraceRouteModel {
  service: string;
  method: string;
  route: string;
  primary: string;
  candidate: string;
  requests: [number, number];
  signatures: [string, string];
  ops: TraceOpRow[];
}

type TraceLabelled = LabelledFinding & TraceFinding;
export const traceFindingsOf = (gate: GateResult): TraceLabelled[] => gate.findings.filter((f): f is TraceLabelled => f.kind === 'trace' && 'trace' in f);

/** The HTML report's rows: each route's operations in tree order, both runtimes in one row. */
export function traceRoutesModel(gate: GateResult, runtimes: ReadonlyMap<string, { primary: string; candidate: string }>): TraceRouteModel[] {
  if (!gate.trace) return [];
  const found = traceFindingsOf(gate).filter((f) => f.trace.comparison === 'runtime');
  return gate.trace.routes.map((r) => {
    const here = found.filter((f) => f.service === r.service && f.method === r.method && f.route === r.route);
    const side = (s: RouteTraceSummary | undefined, key: string) => {
      const o = s?.ops.find((x) => x.key === key);
      return o ? { calls: o.callsPerRequest, selfP50: o.selfMs.p50, selfP95: o.selfMs.p95, errors: o.hiddenErrorRequests, example: o.exampleErrorTraceId ?? o.exampleTraceId } : null;
    };
    const ordered = treeOrder([...(r.primary?.ops ?? []), ...(r.candidate?.ops ?? [])]);
    const names = runtimes.get(r.service);
    return {
      service: r.service,
      method: r.method,
      route: r.route,
      primary: names?.primary ?? r.primary?.runtime ?? 'primary',
      candidate: names?.candidate ?? r.candidate?.runtime ?? 'candidate',
      requests: [r.primary?.requests ?? 0, r.candidate?.requests ?? 0],
      signatures: [r.primary?.signatures[0]?.hash ?? '', r.candidate?.signatures[0]?.hash ?? ''],
      ops: ordered.map((o) => ({
        label: `${o.service} ${o.name}`,
        kind: o.kind,
        depth: o.depth,
        primary: side(r.primary, o.key),
        candidate: side(r.candidate, o.key),
        findings: [...new Set(here.filter((f) => f.trace.operation.service === o.service && f.trace.operation.name === o.name).map((f) => f.class))].sort(),
      })),
    };
  });
}

/** Depth-first by parent, siblings by name; an operation seen on both sides appears once. */
function treeOrder<T extends { key: string; parent?: string | undefined; service: string; name: string; depth: number }>(ops: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const o of ops) if (!byKey.has(o.key)) byKey.set(o.key, o);
  const kids = new Map<string, T[]>();
  const roots: T[] = [];
  for (const o of byKey.values()) {
    if (o.parent && byKey.has(o.parent)) kids.set(o.parent, [...(kids.get(o.parent) ?? []), o]);
    else roots.push(o);
  }
  const out: T[] = [];
  const sort = (list: T[]) => list.sort((a, b) => a.depth - b.depth || `${a.service} ${a.name}`.localeCompare(`${b.service} ${b.name}`));
  const walk = (o: T) => {
    out.push(o);
    for (const k of sort(kids.get(o.key) ?? [])) walk(k);
  };
  for (const r of sort(roots)) walk(r);
  return out;
}

function line(f: TraceLabelled): string {
  const ex = [f.trace.examples.reference ? `${f.trace.reference} ${f.trace.examples.reference}` : '', f.trace.examples.subject ? `${f.trace.subject} ${f.trace.examples.subject}` : ''].filter(Boolean).join(', ');
  return `${f.label}${f.ledgerId ? ` ${f.ledgerId}` : ''} trace/${f.class} ${f.service} ${f.method} ${f.route}: ${f.trace.explanation} (×${f.count}${ex ? `; traces ${ex}` : ''})`;
}

export function renderTraceTerminal(gate: GateResult, st: TerminalStyle): string[] {
  const found = traceFindingsOf(gate);
  if (!found.length) return [];
  return [st.bold('Trace (what each runtime does inside a request)'), ...found.map((f) => `  ${line(f)}`), ''];
}

export function renderTraceMarkdown(gate: GateResult, cell: (s: string) => string): string[] {
  const found = traceFindingsOf(gate);
  if (!found.length) return [];
  return ['### Trace', '', ...found.map((f) => `- ${cell(line(f))}`), ''];
}
