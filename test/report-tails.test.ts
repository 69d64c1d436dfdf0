import { describe, expect, it } from 'vitest';
import type { LatencySeries, ParityReport } from '../src/analyze/index.ts';
import { cdfPoints } from '../src/analyze/load-timeline.ts';
import type { LoadReport } from '../src/collect/load/index.ts';
import type { GateResult, LatencyRow } from '../src/gate/index.ts';
import type { QuantileComparison, RouteVerdict } from '../src/judge/index.ts';
import { renderHtml } from '../src/report/html.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { describeTail, renderTailsWarning, tailSamplesNeeded, unjudgedTails } from '../src/report/tails.ts';

const HOSTILE = '</script><img src=x onerror=alert(1)>';
const plain = { bold: (s: string) => s, yellow: (s: string) => s };

function q(p: number, skipped?: string): QuantileComparison {
  return { p, a: 1, b: 1, ratio: 1, lower: skipped ? NaN : 0.9, upper: skipped ? NaN : 1.1, flagged: false, ...(skipped ? { skipped } : {}) };
}
function verdict(v: RouteVerdict['verdict'], n: number, quantiles: QuantileComparison[]): RouteVerdict {
  return { key: 'k', verdict: v, reason: v, n: { a: n, b: n }, quantiles, method: 'test' };
}
function row(route: string, v: RouteVerdict, notComparable?: string): LatencyRow {
  return { service: 'notes', method: 'GET', route, primary: 'rust', candidate: 'go', source: 'server', verdict: v, ...(notComparable ? { notComparable } : {}) };
}

describe('tails that were not judged', () => {
  it('a quantile needs 10 samples beyond it: p95 200 a side, p99 1,000, p50 20', () => {
    expect([tailSamplesNeeded(0.95), tailSamplesNeeded(0.99), tailSamplesNeeded(0.5), tailSamplesNeeded(0.05)]).toEqual([200, 1000, 20, 200]);
  });

  it('names decided routes whose tail quantiles were skipped — not inconclusive or incomparable ones, which say so already', () => {
    const latency = [
      row('/a', verdict('pass', 160, [q(0.5), q(0.95, 'needs 200 samples a side'), q(0.99, 'needs 1000 samples a side')])),
      row('/b', verdict('inconclusive', 8, [q(0.5, 'x'), q(0.95, 'x')])),
      row('/c', verdict('slower', 5000, [q(0.5), q(0.95), q(0.99)])),
      row('/d', verdict('pass', 300, [q(0.99, 'x')]), 'not comparable: no server spans'),
      row('/e', verdict('faster', 300, [q(0, 'the minimum and maximum cannot be bootstrapped'), q(0.99, 'x')])),
    ];
    const load = { scenarios: [{ name: 'steady', routes: [{ method: 'POST', route: '/s', verdict: verdict('pass', 240, [q(0.5), q(0.95), q(0.99, 'x')]) }, { method: 'GET', route: '/none', verdict: null }]}] } as unknown as LoadReport;
    const tails = unjudgedTails({ latency }, load);
    expect(tails.map((t) => [t.where, t.verdict, t.quantiles.map((x) => `${x.p}:${x.needed}`)])).toEqual([
      ['notes GET /a', 'pass', ['0.95:200', '0.99:1000']],
      ['notes GET /e', 'faster', ['0.99:1000']],
      ['load steady POST /s', 'pass', ['0.99:1000']],
    ]);
    expect(describeTail(tails[0]!)).toBe('notes GET /a (pass): p95, p99 not judged — n=160/160; p95 needs 200 a side, p99 needs 1,000 a side');
    const text = renderTailsWarning(tails, plain);
    expect(text.split('\n')[0]).toMatch(/^⚠ TAILS NOT JUDGED: /);
    expect(text.trimEnd().split('\n')).toHaveLength(4);
    expect(renderTailsWarning(unjudgedTails({ latency: [latency[2]!] }), plain)).toBe('');
  });
});

describe('the HTML report\'s lead, in the file itself (readable with scripts off)', () => {
  const finding = {
    id: 'f1', service: 'notes', method: 'GET', route: '/v1/notes/{id}', kind: 'value' as const, class: 'value-change', path: '/title', count: 3, cases: ['get-note'],
    example: { case: 'get-note', path: '/title', left: '"a"', right: '"b"', detail: HOSTILE }, details: [], cause: 'c', hint: 'h', firstSeen: 't0', lastSeen: 't1',
  };
  const report: ParityReport = {
    schemaVersion: 1, runId: 'r-lead', cases: [], findings: [finding], noise: [], telemetry: { clientSpans: 2, serverSpans: 2, joined: 2 },
    services: [{ service: 'notes', primary: 'rust', candidate: 'go', cases: 1, pairs: 3, complete: 3, statusMatch: 1, shapeDiverge: 0, valueDiverge: 1, transport: 0, identical: 0, summary: 's' }],
  };
  const gate: GateResult = {
    runId: 'r-lead', incompleteParts: [], verdict: 'pass', score: 100, assessment: 'ship', reasons: [`reason ${HOSTILE}`], rules: [],
    findings: [{ ...finding, label: 'new', reason: 'not in the ledger' }], resolved: [],
    latency: [row(`/x/${HOSTILE}`, verdict('pass', 160, [q(0.5), q(0.95, 'needs 200 samples a side'), q(0.99, 'needs 1000 samples a side')]))],
  };
  const html = renderHtml({ report, gate, series: [] as LatencySeries[], now: new Date('2026-12-03T00:00:00Z') });
  const lead = html.slice(html.indexOf('<body>'), html.indexOf('<script type="application/json"'));

  it('has the verdict, the reasons, the unjudged tails with the n that would judge them, and the findings before any script', () => {
    expect(lead).toMatch(/<header class="verdict pass" id="verdict">[^]*<h1>pass<\/h1>/);
    expect(lead).toContain('<ul class="reasons">');
    expect(lead).toMatch(/<div class="tails" id="tails" role="alert">[^]*TAILS NOT JUDGED[^]*p95 needs 200 a side, p99 needs 1,000 a side/);
    expect(lead).toMatch(/<noscript>[^]*<section id="findings-plain">[^]*value\/value-change/);
  });

  it('the Markdown summary says it too, under the reasons', () => {
    const md = renderMarkdown(report, gate);
    expect(md).toMatch(/### Reasons[^]*> \*\*⚠ TAILS NOT JUDGED[^]*> - notes GET \/x\/[^\n]*p95 needs 200 a side, p99 needs 1,000 a side/);
    const line = md.split('\n').find((l) => l.startsWith('> - notes GET /x/'))!;
    expect(line).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('escapes every string of the data it writes there', () => {
    expect(lead).not.toContain('<img');
    expect(lead).not.toContain('</script>');
    expect(lead.match(/&#60;img src=x onerror=alert\(1\)&#62;/g)).toHaveLength(3); // reason, tail route, finding detail
  });
});

describe('load CDF points from an exponential histogram', () => {
  it('rises to 1 at the max, in at most 300 points, at bucket upper bounds in ms', () => {
    const counts = new Map<number, number>(Array.from({ length: 1000 }, (_, i) => [i - 500, 1 + (i % 3)] as [number, number]));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const h = { scale: 6, zeroCount: 0, counts, count: total, sum: 0, min: 2 ** ((-500) / 64), max: 2 ** (500 / 64) };
    const pts = cdfPoints(h);
    expect(pts.length).toBe(300);
    expect(pts.at(-1)).toEqual([Number((h.max * 1000).toPrecision(5)), 1]);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]![0]).toBeGreaterThan(pts[i - 1]![0]);
      expect(pts[i]![1]).toBeGreaterThanOrEqual(pts[i - 1]![1]);
    }
    expect(cdfPoints(undefined)).toEqual([]);
  });
});
