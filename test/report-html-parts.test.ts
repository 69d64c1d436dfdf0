import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LatencySeries, ParityReport } from '../src/analyze/index.ts';
import { parseCLI } from '../src/cli/parse.ts';
import type { GateResult } from '../src/gate/index.ts';
import { highlightPair, jsonForScript, renderHtml, type HtmlModel, type Seg } from '../src/report/html.ts';
import { cdfData, histogramData } from '../src/report/html/latency-data.ts';

const HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> & \u2028\u2029';

/** `[mark:text]` for marked runs, so expectations read like the page looks. */
const show = (segs: Seg[] | null) => (segs === null ? null : segs.map((s) => (s.m ? `[${s.m}:${s.t}]` : s.t)).join(''));

function fixture(): { report: ParityReport; gate: GateResult; series: LatencySeries[] } {
  const finding = {
    id: 'abc123def456',
    service: 'notes',
    method: 'GET',
    route: '/v1/notes/{id}',
    kind: 'value' as const,
    class: 'value-change',
    path: '/title',
    count: 3,
    cases: ['get-note'],
    example: { case: 'get-note', path: '/title', left: JSON.stringify(HOSTILE), right: '"ok"' },
    details: [],
    cause: 'cause <b>',
    hint: 'hint &amp;',
    firstSeen: '2026-11-27T10:00:00.000Z',
    lastSeen: '2026-11-27T10:00:01.000Z',
  };
  const report: ParityReport = {
    schemaVersion: 1,
    runId: 'r-test',
    services: [{ service: 'notes', primary: 'rust', candidate: 'go', cases: 1, pairs: 3, complete: 3, statusMatch: 1, shapeDiverge: 0, valueDiverge: 1, transport: 0, identical: 0, summary: '1/1 status codes match' }],
    cases: [],
    findings: [finding],
    noise: [{ service: 'notes', method: 'GET', route: '/v1/notes/{id}', class: 'value-change', path: '/at', reason: 'volatile timestamp', count: 3 }],
    telemetry: { clientSpans: 6, serverSpans: 0, joined: 0 },
  };
  const gate: GateResult = {
    runId: 'r-test',
    incompleteParts: [],
    verdict: 'fail',
    score: 50,
    assessment: 'do-not-ship',
    reasons: [`new value-change: ${HOSTILE}`],
    rules: [{ rule: 'divergence', name: 'divergence notes GET /v1/notes/{id}', service: 'notes', status: 'fail', critical: true, message: HOSTILE }],
    findings: [{ ...finding, label: 'new', reason: 'not in the ledger' }],
    resolved: [],
    latency: [],
  };
  const series: LatencySeries[] = ['rust', 'go'].map((runtime, i) => ({
    service: 'notes', method: 'GET', route: '/v1/notes/{id}', runtime, role: i ? 'candidate' : 'primary',
    client: Array.from({ length: 50 }, (_, k) => 1 + k / 10 + i), server: undefined, cases: Array.from({ length: 50 }, () => 'get-note'), errors: 0, total: 50,
  }));
  return { report, gate, series };
}

describe('embedding data in a <script> block', () => {
  it('escapes <, >, &, U+2028 and U+2029 so nothing can close the block, and JSON.parse reads it back', () => {
    const out = jsonForScript({ body: HOSTILE });
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual({ body: HOSTILE });
  });
});

describe('renderHtml', () => {
  const html = renderHtml({ ...fixture(), now: new Date('2026-11-27T12:00:00Z') });

  it('allows by hash exactly the inline scripts and styles it contains, and nothing from the network', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    const scripts = [...html.matchAll(/<script>([^]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([^]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    expect(styles).toHaveLength(2);
    expect(csp).toBe(
      `default-src 'none'; script-src ${scripts.map(hash).join(' ')}; style-src ${styles.map(hash).join(' ')}; img-src data:; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'`,
    );
    expect(html).not.toMatch(/\b(src|href)="(?!data:)/);
  });

  it('embeds the model once, with hostile strings only in escaped form', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('alert(1)</script>');
    const data = /<script type="application\/json" id="gauntlet-data">([^]*?)<\/script>/.exec(html)![1]!;
    const model = JSON.parse(data) as HtmlModel;
    expect(model.generatedAt).toBe('2026-11-27T12:00:00.000Z');
    expect(model.gate.reasons[0]).toContain(HOSTILE);
    expect(model.findings[0]!.diff.left!.map((s) => s.t).join('')).toBe(JSON.stringify(HOSTILE));
    expect(model.latency).toHaveLength(1);
    expect(model.latency[0]!.runtimes.map((r) => r.runtime)).toEqual(['rust', 'go']);
    expect(model.latency[0]!.judged).toBeNull();
  });

  it('carries an interrupted run\'s incompleteness to the page header', () => {
    const f = fixture();
    const out = renderHtml({ ...f, report: { ...f.report, incomplete: { pairs: 7, planned: 600 } } });
    const model = JSON.parse(/id="gauntlet-data">([^]*?)<\/script>/.exec(out)![1]!) as HtmlModel;
    expect(model.incomplete).toEqual({ pairs: 7, planned: 600 });
  });

  it('is byte-identical for the same input and clock', () => {
    expect(renderHtml({ ...fixture(), now: new Date('2026-11-27T12:00:00Z') })).toBe(html);
  });
});

describe('highlighting a finding\'s two snippets', () => {
  it.each([
    ['enum-encoding: external vs flat', '{"Required":{"field":"id"}}', '{"Kind":"required","Field":"id","Min":0}', '{\n  [tag:"Required"]: {\n    [case:"field"]: "id"\n  }\n}', '{\n  [tag:"Kind"]: [tag:"required"],\n  [case:"Field"]: "id",\n  [only:"Min": 0]\n}'],
    ['unit variant vs flat', '"Required"', '{"kind":"required"}', '[tag:"Required"]', '{\n  [tag:"kind"]: [tag:"required"]\n}'],
    ['null-vs-empty', '[]', 'null', '[chg:[]]', '[chg:null]'],
    ['number-repr keeps the text', '{"a":1.0}', '{"a":1}', '{\n  "a": 1[chg:.0]\n}', '{\n  "a": [chg:1]\n}'],
    ['string change marks only the middle', '"abc-1"', '"abc-22"', '"abc-[chg:1]"', '"abc-[chg:22]"'],
    ['extra array element', '[1]', '[1,2]', '[\n  1\n]', '[\n  1,\n  [only:2]\n]'],
    ['truncated snippet: token diff', '{"a":"x","b":"yy…', '{"a":"z","b":"yy…', '{"a":[chg:"x"],"b":"yy…', '{"a":[chg:"z"],"b":"yy…'],
    ['text body', 'validatord 1.4 (rust)', 'validatord 1.4 (go)', 'validatord 1.4 ([chg:rust])', 'validatord 1.4 ([chg:go])'],
  ])('%s', (_name, left, right, l, r) => {
    const d = highlightPair(left, right);
    expect([show(d.left), show(d.right)]).toEqual([l, r]);
  });

  it('a field only one side has: the other side is absent, not empty', () => {
    const d = highlightPair('"x"', undefined);
    expect([show(d.left), d.right]).toEqual(['[only:"x"]', null]);
  });

  it('keeps every character of the snippets (the page shows exactly what the runtimes sent)', () => {
    const left = `{"t":${JSON.stringify(HOSTILE)},"n":[1,2,{"k":null}]}`;
    const right = `{"T":"x","n":[1,2.50]}`;
    const d = highlightPair(left, right);
    expect(JSON.parse(d.left!.map((s) => s.t).join(''))).toEqual(JSON.parse(left));
    expect(d.right!.map((s) => s.t).join('').replace(/\s/g, '')).toBe(right);
  });
});

describe('latency chart data', () => {
  it('CDF: exact shares on a grid of at most 400 points per runtime, ending at 1', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => 1 + (i % 1000) / 100);
    const b = [5, 1, 3];
    const { x, ys, log } = cdfData([a, b]);
    expect(log).toBe(true);
    expect(x.length).toBeLessThanOrEqual(403);
    expect([...x].sort((p, q) => p - q)).toEqual(x);
    expect(ys[1]![x.indexOf(3)]).toBeCloseTo(2 / 3, 4);
    expect(ys[0]!.at(-1)).toBe(1);
    for (const y of ys) for (let i = 1; i < y.length; i++) expect(y[i]!).toBeGreaterThanOrEqual(y[i - 1]!);
  });

  it('histogram: shared bins, each runtime\'s shares sum to 1; log-spaced only when every sample is positive', () => {
    const h = histogramData([[1, 2, 3, 100], [2, 2, 2]]);
    expect(h.log).toBe(true);
    for (const y of h.ys) expect(y.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 3);
    expect(h.x.length).toBe(h.ys[0]!.length);
    expect(histogramData([[0, 1, 2]]).log).toBe(false);
  });
});

describe('gauntlet report (CLI parsing)', () => {
  it('takes the run as a positional or --run, and needs --html', () => {
    expect(parseCLI(['report', 'r-1', '--html', 'out.html']).options).toMatchObject({ run: 'r-1', html: 'out.html' });
    expect(parseCLI(['report', '--run', 'r-1', '--html', 'out.html']).options).toMatchObject({ run: 'r-1', html: 'out.html' });
    expect(() => parseCLI(['report', 'r-1'])).toThrow(/usage: gauntlet report --run ID --html FILE/);
    expect(parseCLI(['gate', '--run', 'r-1', '--html', 'g.html']).options).toMatchObject({ html: 'g.html' });
    expect(parseCLI(['run', '--html', 'x.html']).options).toMatchObject({ html: 'x.html' });
  });
});
