/** Pure: the review report as JSON (a stable shape) and Markdown (e.g. for a PR comment). */
import { kb } from './bundle.ts';
import { summaryLine, type BundleTally } from './tally.ts';

export const REVIEW_REPORT_VERSION = 1;

export interface ReviewReport {
  readonly version: typeof REVIEW_REPORT_VERSION;
  /** gauntlet.run.id of the review's spans. */
  readonly runId: string;
  readonly range: string;
  readonly convergence: number;
  readonly reviewers: ReadonlyArray<{ name: string; lineage: string; model?: string | undefined; kind: 'command' | 'endpoint' }>;
  readonly bundles: readonly BundleTally[];
  readonly convergentBlocks: number;
  readonly outcome: 'ok' | 'failed';
  /** Why the outcome is failed (convergent BLOCKs, a bundle no reviewer answered for). */
  readonly reasons: readonly string[];
}

export function reviewOutcome(bundles: readonly BundleTally[]): Pick<ReviewReport, 'convergentBlocks' | 'outcome' | 'reasons'> {
  const convergentBlocks = bundles.reduce((n, b) => n + b.convergentBlocks, 0);
  const reasons = [
    ...bundles.filter((b) => b.convergentBlocks > 0).map((b) => `${b.id} ${b.name}: ${b.convergentBlocks} convergent BLOCK`),
    ...bundles.filter((b) => b.calls.length > 0 && b.failedCalls === b.calls.length).map((b) => `${b.id} ${b.name}: no reviewer answered`),
  ];
  return { convergentBlocks, outcome: reasons.length ? 'failed' : 'ok', reasons };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: ReviewReport): string {
  const out: string[] = [`## Review of \`${r.range}\``, ''];
  out.push(r.outcome === 'failed' ? `**Failed:** ${r.reasons.join('; ')}` : '**No convergent BLOCK.**', '');
  out.push(`Reviewers: ${r.reviewers.map((x) => `${x.name} (${x.lineage})`).join(', ')} · convergence = ${r.convergence} distinct lineages`, '');
  out.push('| bundle | size | files | convergent | distinct | convergent BLOCK | retracted BLOCK | rejected paths | failed calls |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const b of r.bundles) {
    out.push(`| ${b.id} ${cell(b.name)} | ${kb(b.bytes)} | ${b.files.length} | ${b.convergent} | ${b.distinct} | ${b.convergentBlocks} | ${b.retractedBlocks.length} | ${b.rejected} | ${b.failedCalls} |`);
  }
  for (const b of r.bundles) {
    out.push('', `### ${summaryLine(b)}`, '');
    const conv = b.locations.filter((l) => l.convergent);
    if (conv.length) {
      out.push('| location | severity | lineages | reviewers |', '|---|---|---|---|');
      for (const l of conv) out.push(`| \`${cell(l.path)}:${l.line}\` | ${l.convergentBlock ? '**BLOCK**' : l.severity} | ${l.lineages.join(', ')} | ${l.reviewers.join(', ')} |`);
    } else out.push('No location named by enough lineages.');
    for (const x of b.retractedBlocks) out.push(`- retracted BLOCK by ${x.reviewer} at \`${cell(x.path)}:${x.line}\`: ${cell(x.title)}`);
    for (const c of b.calls) {
      for (const j of c.rejected) out.push(`- rejected from ${c.reviewer.name}: \`${cell(j.where)}\` (${j.reason})`);
      if (c.error) out.push(`- ${c.reviewer.name} failed: ${cell(c.error)}`);
    }
  }
  return out.join('\n') + '\n';
}

export const renderJson = (r: ReviewReport): string => JSON.stringify(r, null, 2) + '\n';
