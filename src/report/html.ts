import type { LatencySeries, ParityReport } from '../analyze/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import type { GateResult } from '../gate/index.ts';
import { clientScript, cspHash, jsonForScript, uplotAssets } from './html/embed.ts';
import { buildHtmlModel, type HtmlModel } from './html/model.ts';
import { REPORT_CSS } from './html/styles.ts';
import { TAILS_HEADLINE } from './tails.ts';

export { buildHtmlModel, type HtmlModel } from './html/model.ts';
export { highlightPair, type Seg, type SideBySide } from './html/json-diff.ts';
export { jsonForScript } from './html/embed.ts';

export interface HtmlReportInput {
  report: ParityReport;
  gate: GateResult;
  series: readonly LatencySeries[];
  /** The load phase's report, when the run had one. */
  load?: LoadReport;
  /** Stamped in the header; injectable so tests get byte-identical output. */
  now?: Date;
}

/** Text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * What the page leads with, in the HTML itself (so it reads with scripts off): the verdict, what
 * did not finish, the reasons, the tails that were not judged, and — for a reader without
 * scripts — the findings as a plain list. The script draws everything else below this.
 */
function staticLead(model: HtmlModel): string {
  const e = escapeHtml;
  const g = model.gate;
  const incomplete = model.unfinished
    .filter((u) => !(model.incomplete && /^the run was interrupted after/.test(u)))
    .map((u) => `INCOMPLETE — ${u}; this verdict covers only what was stored.`);
  if (model.incomplete) incomplete.push(`INCOMPLETE — the run was interrupted after ${model.incomplete.pairs} of ${model.incomplete.planned} pairs; this verdict covers only what was sent.`);
  const t = model.telemetry;
  const header = [
    `<header class="verdict ${e(g.verdict)}" id="verdict"><div class="inner">`,
    `<h1>${e(g.verdict)}</h1>`,
    `<span class="assessment">${e(g.assessment.replace(/-/g, ' '))}</span>`,
    `<span class="score">score ${e(String(g.score))} / 100</span>`,
    `<div class="meta mono">run ${e(model.runId)} · generated ${e(model.generatedAt)} · ${t.clientSpans} client spans, ${t.serverSpans} server spans, ${t.joined}/${t.clientSpans} joined</div>`,
    ...incomplete.map((u) => `<div class="incomplete">${e(u)}</div>`),
    '</div></header>',
  ];
  const lead: string[] = ['<section id="summary">'];
  if (g.reasons.length) lead.push('<ul class="reasons">', ...g.reasons.map((r) => `<li>${e(r)}</li>`), '</ul>');
  if (model.tails.length) {
    lead.push('<div class="tails" id="tails" role="alert">', `<strong>⚠ ${e(TAILS_HEADLINE)}</strong>`, '<ul>', ...model.tails.map((x) => `<li>${e(x.text)}</li>`), '</ul></div>');
  }
  lead.push('</section>');
  const noscript = [
    '<noscript>',
    `<section id="findings-plain"><h2>Findings <span class="count">(${model.findings.length})</span></h2>`,
    model.findings.length
      ? '<ul class="findings-plain">' +
        model.findings.map((f) => `<li><strong>${e(f.label)}</strong> ${e(`${f.kind}/${f.class}`)} · ${e(f.service)} <code>${e(`${f.method} ${f.route}`)}</code> <code>${e(f.path || '(body)')}</code> ×${f.count}${f.ledgerId ? ` · ${e(f.ledgerId)}` : ''}<br><span class="muted">${e(f.example.detail ?? '')}</span></li>`).join('') +
        '</ul>'
      : '<p class="empty">No divergences: every compared response matched after the noise model.</p>',
    '<p>The rest of this report (cases, latency and load charts) is drawn by its inline script; the same data is in report.json and gate.json beside it.</p>',
    '</section></noscript>',
  ];
  return [...header, '<main id="app">', ...lead, ...noscript].join('\n');
}

const FAVICON_COLOR: Record<string, string> = { pass: '#2b8a3e', marginal: '#e67700', fail: '#c92a2a' };

/**
 * One self-contained HTML file: the data as inert JSON, uPlot and the client script inline, and a
 * CSP that allows exactly those scripts and styles (by hash), no network at all, and — through
 * Trusted Types — no HTML-string sinks, so any `innerHTML` slipped into the client fails loudly.
 */
export function renderHtml(input: HtmlReportInput): string {
  const model: HtmlModel = buildHtmlModel(input);
  const uplot = uplotAssets();
  const client = clientScript();
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(uplot.js)} ${cspHash(client)}`,
    `style-src ${cspHash(uplot.css)} ${cspHash(REPORT_CSS)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
  const dot = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${FAVICON_COLOR[model.gate.verdict] ?? '#868e96'}"/></svg>`;
  const favicon = `data:image/svg+xml,${encodeURIComponent(dot)}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>gauntlet report</title>',
    `<link rel="icon" href="${favicon}">`,
    `<style>${uplot.css}</style>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    staticLead(model),
    '</main>',
    `<script type="application/json" id="gauntlet-data">${jsonForScript(model)}</script>`,
    `<script>${uplot.js}</script>`,
    `<script>${client}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
