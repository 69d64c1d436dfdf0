import { describeTail, TAILS_HEADLINE, unjudgedTails } from './tails.ts';
import { renderTraceMarkdown } from './trace-view.ts';
import { findingPath, type ParityReport } from '../analyze/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import type { GateResult } from '../gate/evaluate.ts';

/** Escape what GitHub-flavoured Markdown would interpret inside a table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');
}
const code = (text: string) => `\`${text.replace(/`/g, 'ˋ')}\``;

/** A summary fit for a CI step summary ($GITHUB_STEP_SUMMARY and friends). */
export function renderMarkdown(report: ParityReport, gate: GateResult, load?: LoadReport): string {
  const icon = gate.verdict === 'pass' ? '✅' : gate.verdict === 'marginal' ? '⚠️' : '❌';
  const out: string[] = [];
  out.push(`## ${icon} gauntlet: ${gate.verdict} — ${gate.assessment} (score ${gate.score})`, '');
  out.push(`Run \`${report.runId}\``, '');
  if (report.incomplete) out.push(`> **INCOMPLETE** — interrupted after ${report.incomplete.pairs} of ${report.incomplete.planned} pairs; this verdict covers only what was sent.`, '');
  for (const u of report.unfinished ?? []) out.push(`> **INCOMPLETE** — ${u}; this verdict covers only what was stored.`, '');
  for (const s of report.services) out.push(`- **${cell(s.service)}** (${cell(s.primary)} vs ${cell(s.candidate)}): ${cell(s.summary)}`);
  out.push('');
  if (gate.reasons.length) {
    out.push('### Reasons', '');
    for (const r of gate.reasons) out.push(`- ${cell(r)}`);
    out.push('');
  }
  const tails = unjudgedTails(gate, load);
  if (tails.length) {
    out.push(`> **⚠ ${TAILS_HEADLINE}**`, ...tails.map((t) => `> - ${cell(describeTail(t))}`), '');
  }
  if (gate.findings.length) {
    out.push('### Divergences', '', '| label | service | route | class | path | count | ledger |', '| --- | --- | --- | --- | --- | ---: | --- |');
    for (const f of gate.findings) {
      out.push(`| ${f.label} | ${cell(f.service)} | ${code(`${f.method} ${f.route}`)} | ${f.kind}/${f.class} | ${code(findingPath(f))} | ${f.count} | ${cell(f.ledgerId ?? '—')} |`);
    }
    out.push('');
  }
  out.push(...renderTraceMarkdown(gate, cell));
  if (gate.latency.length) {
    out.push('### Latency', '', '| service | route | verdict | shift | p50 ratio | p95 ratio | p99 ratio | n |', '| --- | --- | --- | --- | ---: | ---: | ---: | --- |');
    for (const l of gate.latency) {
      const v = l.verdict;
      const q = (p: number) => {
        const x = v.quantiles.find((qq) => qq.p === p);
        return x && !x.skipped ? `${x.ratio.toFixed(3)}${x.flagged ? ' ⚑' : ''}` : '—';
      };
      const shift = v.shift ? `${(v.shift.relative * 100).toFixed(1)}%` : '—';
      out.push(`| ${cell(l.service)} | ${code(`${l.method} ${l.route}`)} | ${v.verdict} | ${shift} | ${q(0.5)} | ${q(0.95)} | ${q(0.99)} | ${v.n.a}/${v.n.b} |`);
    }
    out.push('');
  }
  if (load) out.push(...loadSection(load));
  if (report.noise.length) {
    out.push(`<details><summary>Noise: ${report.noise.reduce((n, e) => n + e.count, 0)} suppressed differences</summary>`, '');
    for (const e of report.noise) out.push(`- ${e.count}× ${cell(e.service)} ${code(`${e.method} ${e.route}`)} ${code(e.path || '(body)')} ${e.class} — ${cell(e.reason)}`);
    out.push('', '</details>', '');
  }
  const failed = gate.rules.filter((r) => r.status === 'fail').length;
  out.push(`${gate.rules.length} rules: ${gate.rules.length - failed} passed or inconclusive, ${failed} failed.`, '');
  return out.join('\n');
}

const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(2));

/** The load phase: per scenario and runtime the throughput, errors, percentiles and thresholds; per route B's verdict against A. */
function loadSection(load: LoadReport): string[] {
  const [a = 'A', b = 'B'] = load.runtimes;
  const out = [`### Load — ${cell(load.service)}: ${cell(a)} (A) vs ${cell(b)} (B)`, ''];
  if (load.incomplete) out.push(`> **INCOMPLETE** — interrupted after ${load.incomplete.blocks} of ${load.incomplete.planned} blocks.`, '');
  if (load.aborted) out.push(`> **Aborted** by an abortOnFail threshold: ${cell(load.aborted)}`, '');
  out.push('| scenario | runtime | rate | requests | errors | p50 ms | p95 ms | p99 ms | thresholds |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of load.scenarios) {
    for (const r of s.runtimes) {
      const failed = r.thresholds.filter((t) => !t.ok);
      const th = r.thresholds.length === 0 ? '—' : failed.length ? `❌ ${failed.map((t) => code(`${t.metric} ${t.threshold}`)).join(', ')}` : `✅ ${r.thresholds.length}/${r.thresholds.length}`;
      const err = r.errorRate === null ? '—' : `${(r.errorRate * 100).toFixed(2)}%`;
      out.push(`| ${cell(s.name)} | ${cell(r.runtime)} | ${r.achievedRate === null ? '—' : `${r.achievedRate.toFixed(1)}/s`} | ${r.requests} | ${err} | ${ms(r.latency.p50)} | ${ms(r.latency.p95)} | ${ms(r.latency.p99)} | ${th} |`);
    }
  }
  const routes = load.scenarios.flatMap((s) => s.routes.filter((r) => r.verdict).map((r) => ({ s, r })));
  if (routes.length) {
    out.push('', `| scenario | route | p50 ms A → B | p99 ms A → B | verdict | shift |`, '| --- | --- | ---: | ---: | --- | ---: |');
    for (const { s, r } of routes) {
      const v = r.verdict!;
      const [x, y] = r.runtimes;
      out.push(`| ${cell(s.name)} | ${code(`${r.method} ${r.route}`)} | ${ms(x?.latency.p50 ?? null)} → ${ms(y?.latency.p50 ?? null)} | ${ms(x?.latency.p99 ?? null)} → ${ms(y?.latency.p99 ?? null)} | ${v.verdict} | ${v.shift ? `${(v.shift.relative * 100).toFixed(1)}%` : '—'} |`);
    }
  }
  out.push('');
  return out;
}
