import type { LatencySeries, ParityReport } from '../analyze/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import type { GateResult } from '../gate/index.ts';
import { clientScript, cspHash, jsonForScript, uplotAssets } from './html/embed.ts';
import { buildHtmlModel, type HtmlModel } from './html/model.ts';
import { REPORT_CSS } from './html/styles.ts';

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
    '<noscript><p>This report is drawn by its inline script; the same data is in report.json and gate.json beside it.</p></noscript>',
    '<main id="app"></main>',
    `<script type="application/json" id="gauntlet-data">${jsonForScript(model)}</script>`,
    `<script>${uplot.js}</script>`,
    `<script>${client}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
