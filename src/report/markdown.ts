import type { ParityReport } from '../analyze/index.ts';
import type { GateResult } from '../gate/evaluate.ts';

/** Escape what GitHub-flavoured Markdown would interpret inside a table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');
}
const code = (text: string) => `\`${text.replace(/`/g, 'ˋ')}\``;

/** A summary fit for a CI step summary ($GITHUB_STEP_SUMMARY and friends). */
export function renderMarkdown(report: ParityReport, gate: GateResult): string {
  const icon = gate.verdict === 'pass' ? '✅' : gate.verdict === 'marginal' ? '⚠️' : '❌';
  const out: string[] = [];
  out.push(`## ${icon} gauntlet: ${gate.verdict} — ${gate.assessment} (score ${gate.score})`, '');
  out.push(`Run \`${report.runId}\``, '');
  if (report.incomplete) out.push(`> **INCOMPLETE** — interrupted after ${report.incomplete.pairs} of ${report.incomplete.planned} pairs; this verdict covers only what was sent.`, '');
  for (const s of report.services) out.push(`- **${cell(s.service)}** (${cell(s.primary)} vs ${cell(s.candidate)}): ${cell(s.summary)}`);
  out.push('');
  if (gate.reasons.length) {
    out.push('### Reasons', '');
    for (const r of gate.reasons) out.push(`- ${cell(r)}`);
    out.push('');
  }
  if (gate.findings.length) {
    out.push('### Divergences', '', '| label | service | route | class | path | count | ledger |', '| --- | --- | --- | --- | --- | ---: | --- |');
    for (const f of gate.findings) {
      out.push(`| ${f.label} | ${cell(f.service)} | ${code(`${f.method} ${f.route}`)} | ${f.kind}/${f.class} | ${code(f.path || '(body)')} | ${f.count} | ${cell(f.ledgerId ?? '—')} |`);
    }
    out.push('');
  }
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
  if (report.noise.length) {
    out.push(`<details><summary>Noise: ${report.noise.reduce((n, e) => n + e.count, 0)} suppressed differences</summary>`, '');
    for (const e of report.noise) out.push(`- ${e.count}× ${cell(e.service)} ${code(`${e.method} ${e.route}`)} ${code(e.path || '(body)')} ${e.class} — ${cell(e.reason)}`);
    out.push('', '</details>', '');
  }
  const failed = gate.rules.filter((r) => r.status === 'fail').length;
  out.push(`${gate.rules.length} rules: ${gate.rules.length - failed} passed or inconclusive, ${failed} failed.`, '');
  return out.join('\n');
}
