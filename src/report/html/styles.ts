/** The report's stylesheet: one light theme, readable printed, no web fonts (nothing to fetch). */
export const REPORT_CSS = `
:root {
  --fg: #1d232b; --muted: #5c6670; --line: #dde2e7; --bg: #f6f7f9; --card: #fff;
  --pass: #2b8a3e; --marginal: #e67700; --fail: #c92a2a; --info: #1971c2;
  --m-only: #ffe3e3; --m-only-b: #ff8787; --m-case: #fff3bf; --m-case-b: #fcc419;
  --m-chg: #ffd8a8; --m-chg-b: #ff922b; --m-tag: #e5dbff; --m-tag-b: #9775fa;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
main { max-width: 1240px; margin: 0 auto; padding: 0 20px 48px; }
h1, h2, h3 { margin: 0; line-height: 1.25; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h2 .count { color: var(--muted); font-weight: normal; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
header.verdict { color: #fff; padding: 20px 0 16px; margin-bottom: 8px; }
header.verdict.pass { background: var(--pass); }
header.verdict.marginal { background: var(--marginal); }
header.verdict.fail { background: var(--fail); }
header.verdict .inner { max-width: 1240px; margin: 0 auto; padding: 0 20px; display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: baseline; }
header.verdict h1 { font-size: 30px; letter-spacing: .04em; text-transform: uppercase; }
header.verdict .assessment { font-size: 18px; font-weight: 600; }
header.verdict .score { font-size: 18px; }
header.verdict .incomplete { flex-basis: 100%; font-weight: 700; background: rgba(0,0,0,.25); padding: 4px 10px; border-radius: 4px; }
header.verdict .meta { flex-basis: 100%; opacity: .9; font-size: 13px; }
nav.toc { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 12px 0 0; font-size: 13px; }
nav.toc a { color: var(--info); text-decoration: none; }
ul.reasons { margin: 12px 0 0; padding-left: 20px; }
ul.reasons li { margin: 3px 0; }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; font-size: 12.5px; color: #36404a; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.chip.pass, .chip.known, .chip.faster { background: #ebfbee; color: var(--pass); border-color: #b2f2bb; }
.chip.fail, .chip.new, .chip.regressed, .chip.slower { background: #fff5f5; color: var(--fail); border-color: #ffc9c9; }
.chip.marginal, .chip.inconclusive, .chip.resolved { background: #fff9db; color: #a35f00; border-color: #ffec99; }
.chip.neutral { background: #f1f3f5; color: #495057; border-color: var(--line); }
.chip.critical { background: #fff; color: var(--fail); border-color: var(--fail); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; margin: 0 0 14px; }
.card.new, .card.regressed { border-left: 4px solid var(--fail); }
.card.known { border-left: 4px solid var(--pass); }
.card.resolved { border-left: 4px solid var(--marginal); }
.card-head { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; }
.card-head .title { font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 10px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-top: 10px; }
.side h4 { margin: 0 0 4px; font-size: 12.5px; color: var(--muted); font-weight: 600; }
.side pre { margin: 0; padding: 8px 10px; background: #fbfcfd; border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 360px; overflow: auto; }
.side pre.absent { color: var(--muted); font-style: italic; }
.m-only { background: var(--m-only); box-shadow: inset 0 -2px var(--m-only-b); }
.m-case { background: var(--m-case); box-shadow: inset 0 -2px var(--m-case-b); }
.m-chg { background: var(--m-chg); box-shadow: inset 0 -2px var(--m-chg-b); }
.m-tag { background: var(--m-tag); box-shadow: inset 0 -2px var(--m-tag-b); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; color: var(--muted); margin: -4px 0 12px; }
.legend span.sw { display: inline-block; padding: 0 6px; margin-right: 4px; border-radius: 2px; color: var(--fg); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin-top: 12px; }
.chart { min-width: 0; }
.chart h4 { margin: 0 0 2px; font-size: 13px; }
.chart .uplot { width: 100%; }
.chart .u-legend { font-size: 12.5px; }
.tables { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin-top: 10px; align-items: start; }
.stacked { margin-top: 10px; }
.chips { display: inline-flex; gap: 4px; white-space: nowrap; }
.flag { color: var(--fail); font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
tr.trace-diff td { background: #fff4e6; }
.chart .u-legend .u-series:first-child { display: none; }
.chart .u-legend.u-inline.u-live th::after { content: none; }
.chart .u-legend .u-value { padding-left: 4px; }
.chart .u-legend .u-value:empty { display: none; }
.table-scroll { overflow-x: auto; }
#cases-table td code { overflow-wrap: anywhere; }
.charts.load-charts { grid-template-columns: 1fr 1fr 1fr; }
.tails { margin: 12px 0 0; padding: 10px 14px; background: #fff4e6; border: 2px solid var(--marginal); border-radius: 6px; color: #7a3e00; }
.tails strong { font-size: 15px; }
.tails ul { margin: 6px 0 0; padding-left: 20px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 0 0 10px; }
.toolbar input[type=search] { min-width: 320px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable[aria-sort=ascending]::after { content: " ▲"; }
th.sortable[aria-sort=descending]::after { content: " ▼"; }
ul.findings-plain li { margin: 4px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media (max-width: 860px) { .sides, .charts, .charts.load-charts, .tables { grid-template-columns: 1fr; } }
@media print { .card { break-inside: avoid; } header.verdict { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
`;
