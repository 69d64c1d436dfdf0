import { renderTraceTerminal } from './trace-view.ts';
import { findingPath, type ParityReport, type AggregatedFinding, type CaseResult } from '../analyze/index.ts';

export interface TerminalStyle {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const plain: TerminalStyle = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };
const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const colored: TerminalStyle = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39) };

/** Colour on a terminal; NO_COLOR (any value) turns it off, FORCE_COLOR (not 0/false) turns it on anywhere. */
export function pickStyle(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): TerminalStyle {
  if (env.NO_COLOR) return plain;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return colored;
  return stream.isTTY ? colored : plain;
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[\d+m/g, '').length;
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - visible(s)));

function table(rows: string[][], header: string[], st: TerminalStyle): string[] {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  return [line(header.map((h) => st.bold(h))), ...rows.map(line)];
}

function sideText(c: CaseResult, which: 'primary' | 'candidate'): string {
  const s = c[which];
  if (!s) return 'missing';
  return s.status !== null ? String(s.status) : (s.errorType ?? 'error');
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1]! + v[mid]!) / 2;
}

/** Median latency of one side over a case's pairs; `*` marks client-side time (no server span). */
function ms(group: CaseResult[], which: 'primary' | 'candidate'): string {
  const sides = group.map((c) => c[which]).filter((s) => s !== null);
  const server = sides.every((s) => s!.serverMs !== null);
  const m = median(sides.map((s) => (server ? s!.serverMs! : s!.clientMs)));
  return m === undefined ? '-' : `${m.toFixed(1)}${server ? '' : '*'}`;
}

function groupCases(cases: CaseResult[]): CaseResult[][] {
  const groups = new Map<string, CaseResult[]>();
  for (const c of cases) {
    const g = groups.get(c.case);
    if (g) g.push(c);
    else groups.set(c.case, [c]);
  }
  return [...groups.values()];
}

function bodyText(group: CaseResult[], st: TerminalStyle): string {
  const n = group.length;
  const of = (k: number) => (n > 1 ? ` ${k}/${n}` : '');
  const failed = group.filter((c) => c.findings.some((f) => f.kind === 'transport'));
  if (failed.length) {
    const types = [...new Set(failed.map((c) => (c.primary?.status === null ? c.primary.errorType : c.candidate?.errorType) ?? 'error'))];
    return st.red(`transport (${types.join(', ')})${of(failed.length)}`);
  }
  const shape = group.filter((c) => !c.shapeMatch).length;
  if (shape) return st.red(`shape diverges${of(shape)}`);
  const values = group.filter((c) => !c.bodyMatch).length;
  if (values) return st.yellow(`values differ${of(values)}`);
  return st.green('identical');
}

function findingBlock(f: AggregatedFinding, report: ParityReport, st: TerminalStyle): string[] {
  const svc = report.services.find((s) => s.service === f.service);
  const left = svc?.primary ?? 'primary';
  const right = svc?.candidate ?? 'candidate';
  const head = `${st.bold(`[${f.kind}/${f.class}]`)} ${f.service} ${f.method} ${f.route} ${st.bold(findingPath(f))}  ×${f.count} (${f.cases.join(', ')})`;
  const out = ['  ' + (f.kind === 'value' || f.kind === 'header' ? st.yellow(head) : st.red(head))];
  if (f.example.left !== undefined || f.example.right !== undefined) {
    out.push(`    ${pad(left + ':', 10)} ${f.example.left ?? '(absent)'}`);
    out.push(`    ${pad(right + ':', 10)} ${f.example.right ?? '(absent)'}`);
  }
  if (f.example.detail) out.push(`    ${st.dim('detail:')}    ${f.example.detail}`);
  out.push(`    ${st.dim('cause:')}     ${f.cause}`);
  out.push(`    ${st.dim('fix:')}       ${f.hint}`);
  return out;
}

/** The suppressed differences with their reasons (never silently dropped); nothing when there are none. */
export function renderNoise(report: Pick<ParityReport, 'noise'>, st: TerminalStyle = plain): string[] {
  if (!report.noise.length) return [];
  const total = report.noise.reduce((n, e) => n + e.count, 0);
  const out = [st.bold(`Noise (${total} suppressed differences, not counted as divergences)`)];
  for (const e of report.noise) out.push(st.dim(`  ${String(e.count).padStart(6)}× ${e.service} ${e.method} ${e.route} ${e.path || '(body)'} [${e.class}] — ${e.reason}`));
  out.push('');
  return out;
}

/** Human rendering of a parity report: per-case table, classified findings, summary line(s). */
export function renderParity(report: ParityReport, st: TerminalStyle = plain): string {
  const out: string[] = [];
  for (const svc of report.services) {
    out.push(st.bold(`${svc.service}: ${svc.primary} (primary) vs ${svc.candidate} (candidate) · run ${report.runId}`));
    const rows = groupCases(report.cases.filter((c) => c.service === svc.service)).map((group) => {
      const c = group[0]!;
      const statusOk = group.every((g) => g.statusMatch);
      return [
        group.length > 1 ? `${c.case} ×${group.length}` : c.case,
        `${c.method} ${c.route}`,
        `${sideText(c, 'primary')} ${statusOk ? '=' : '≠'} ${sideText(c, 'candidate')}`,
        bodyText(group, st),
        `${ms(group, 'primary')} / ${ms(group, 'candidate')}`,
        [...new Set(group.flatMap((g) => g.findings.map((f) => f.class)))].join(', ') || '-',
      ];
    });
    out.push(...table(rows, ['case', 'request', 'status', 'body', 'ms', 'findings'], st));
    out.push('');
  }
  if (report.findings.length) {
    out.push(st.bold(`Findings (${report.findings.length})`));
    for (const f of report.findings) out.push(...findingBlock(f, report, st), '');
  }
  out.push(...renderNoise(report, st));
  const t = report.telemetry;
  if (report.incomplete) out.push(st.red(st.bold(`INCOMPLETE: interrupted after ${report.incomplete.pairs} of ${report.incomplete.planned} pairs`)));
  for (const u of report.unfinished ?? []) out.push(st.red(st.bold(`INCOMPLETE: ${u}`)));
  out.push(st.dim(`telemetry: ${t.clientSpans} client spans, ${t.serverSpans} server spans, ${t.joined}/${t.clientSpans} exchanges joined to a server span (* = client-side time)`));
  for (const svc of report.services) {
    const line = `${svc.summary}`;
    out.push(report.services.length > 1 ? `${svc.service}: ${line}` : line);
  }
  return out.join('\n') + '\n';
}

/** The gate block printed after the parity report. */
export function renderGate(gate: import('../gate/evaluate.ts').GateResult, st: TerminalStyle = plain): string {
  const out: string[] = [];
  if (gate.latency.length) {
    out.push(st.bold('Latency (candidate vs primary)'));
    for (const l of gate.latency) {
      const v = l.verdict;
      const tag = l.notComparable ? st.yellow('not comparable') : v.verdict === 'slower' ? st.red(v.verdict) : v.verdict === 'inconclusive' ? st.yellow(v.verdict) : st.green(v.verdict);
      const shift = l.notComparable ? v.reason.replace(/^not comparable: /, '') : v.verdict !== 'inconclusive' && v.shift ? `${v.shift.relative >= 0 ? '+' : ''}${(v.shift.relative * 100).toFixed(1)}% [${(v.shift.lower).toFixed(3)}, ${(v.shift.upper).toFixed(3)}] ms` : v.reason;
      out.push(`  ${l.service} ${l.method} ${l.route}: ${tag} ${shift} (n=${v.n.a}/${v.n.b}, ${l.source} spans)`);
    }
    out.push('');
  }
  out.push(...renderTraceTerminal(gate, st));
  const labelled = gate.findings.map((f) => `${f.label}${f.ledgerId ? ` ${f.ledgerId}` : ''}: ${f.service} ${f.method} ${f.route} ${f.class} ${findingPath(f)}`);
  if (labelled.length) out.push(st.bold('Ledger'), ...labelled.map((l) => `  ${l}`), '');
  const colour = gate.verdict === 'pass' ? st.green : gate.verdict === 'marginal' ? st.yellow : st.red;
  out.push(colour(st.bold(`gate: ${gate.verdict} (score ${gate.score}) · assessment: ${gate.assessment}`)));
  for (const r of gate.reasons) out.push(`  - ${r}`);
  return out.join('\n') + '\n';
}
