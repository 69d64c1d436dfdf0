/**
 * Issue 12 items 12, 13 and 15, judged from exchanges built in memory: the mirror's two vantage
 * points, small samples that the exact test decides, unjudged routes that never pass silently,
 * and the terminal's wording of ledger lines, status/transport paths and replay noise.
 */
import { describe, expect, it } from 'vitest';
import { latencySeries, type AggregatedFinding, type ObservedExchange, type ParityReport } from '../src/analyze/index.ts';
import { GateSchema, type GateRules } from '../src/config/index.ts';
import { assessmentLine, evaluateGate, LedgerMatcher } from '../src/gate/index.ts';
import { renderReplay } from '../src/app/replay.ts';
import { renderGate } from '../src/report/terminal.ts';

interface Side {
  clientMs: number[];
  serverMs?: number[];
}

function exchanges(driver: string, route: string, primary: Side, candidate: Side): ObservedExchange[] {
  const make = (runtime: string, role: string, s: Side): ObservedExchange[] =>
    s.clientMs.map((clientMs, i) => ({
      traceId: `t${i}`, spanId: `${runtime}${i}`, driver, service: 'svc', runtime, role, caseId: `c${i}`, pairId: `p${i}`, route, method: 'GET',
      url: `http://127.0.0.1${route}`, startNs: BigInt(i), status: 200, errorType: undefined, errorMessage: undefined, contentType: 'application/json',
      body: '{}', bodyTruncated: false, shapeHash: undefined, bodyHash: undefined, clientMs, serverMs: s.serverMs?.[i], serverRoute: undefined,
    }));
  return [...make('rust', 'primary', primary), ...make('go', 'candidate', candidate)];
}

function reportOf(findings: AggregatedFinding[] = []): ParityReport {
  return {
    schemaVersion: 1,
    runId: 'r-test',
    services: [{ service: 'svc', primary: 'rust', candidate: 'go', cases: 1, pairs: 1, complete: 1, statusMatch: 1, shapeDiverge: 0, valueDiverge: 0, transport: 0, identical: 1, summary: '' }],
    cases: [],
    findings,
    noise: [],
    telemetry: { clientSpans: 0, serverSpans: 0, joined: 0 },
  };
}

const rulesWith = (latency: Partial<GateRules['latency']> = {}): GateRules => {
  const rules = GateSchema.parse({});
  return { ...rules, latency: { ...rules.latency, ...latency } };
};

async function gateOf(xs: ObservedExchange[], rules = rulesWith(), findings: AggregatedFinding[] = []) {
  return evaluateGate({ report: reportOf(findings), series: latencySeries(xs), ledger: new LedgerMatcher(undefined), rules });
}

const steady = (n: number, from: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);

describe('mirror latency (item 12)', () => {
  // The candidate's client-side time, taken in the low-priority copy process on a loaded host.
  const proxySide = steady(30, 2, 0.01);
  const copySide = steady(30, 70, 0.5);

  it('without SERVER spans the client-side times are not comparable: a row with a reason, no verdict', async () => {
    const gate = await gateOf(exchanges('mirror', '/x', { clientMs: proxySide }, { clientMs: copySide }));
    const [row] = gate.latency;
    expect(row?.notComparable).toMatch(/^not comparable: the mirror measures the primary's client-side time in the proxy and the candidate's in the low-priority copy process, and rust and go have no SERVER span on every exchange/);
    expect(row?.verdict.verdict).toBe('inconclusive');
    expect(row?.verdict.pValue).toBeUndefined();
    const rule = gate.rules.find((r) => r.rule === 'latency')!;
    expect(rule.status).toBe('inconclusive');
    expect(gate.verdict).toBe('pass');
    expect(gate.reasons).toContain(`not judged (gate.latency.unjudged: warn): latency svc GET /x — ${row!.notComparable}`);
    expect(assessmentLine(gate)).toBe('ship — latency not judged on svc GET /x (not comparable: no SERVER spans)');
    expect(renderGate(gate)).toMatch(/ {2}svc GET \/x: not comparable the mirror measures/);
  });

  it('with SERVER spans on both sides the mirror is judged from them (the client-side gap is ignored)', async () => {
    const server = steady(30, 1, 0.01);
    const gate = await gateOf(exchanges('mirror', '/x', { clientMs: proxySide, serverMs: server }, { clientMs: copySide, serverMs: server.map((v) => v + 0.001) }));
    const [row] = gate.latency;
    expect(row?.source).toBe('server');
    expect(row?.notComparable).toBeUndefined();
    expect(row?.verdict.verdict).toBe('pass');
    expect(assessmentLine(gate)).toBe('ship — latency within tolerance');
  });

  it('a gate with nothing to say still says why it ships, never an empty reason', async () => {
    const server = steady(30, 1, 0.01);
    const gate = await gateOf(exchanges('mirror', '/x', { clientMs: proxySide, serverMs: server }, { clientMs: copySide, serverMs: server.map((v) => v + 0.001) }));
    expect(assessmentLine({ ...gate, latency: [], findings: [] })).toBe('ship — every rule passed; no latency was measured');
  });

  it('other drivers still compare client-side times when there are no server spans', async () => {
    const gate = await gateOf(exchanges('parity', '/x', { clientMs: proxySide }, { clientMs: copySide }));
    expect(gate.latency[0]?.source).toBe('client');
    expect(gate.latency[0]?.verdict.verdict).toBe('slower');
  });
});

describe('small samples at the gate (item 13)', () => {
  // Server span medians 2.1 ms and 18.9 ms: one inner step of the candidate spends 15 ms more.
  const fast = steady(15, 1.8, 0.04);
  const slow = steady(15, 17.5, 0.2);

  it('15 a side with no overlap is a slower route, and the assessment is do-not-ship', async () => {
    const gate = await gateOf(exchanges('replay', '/x', { clientMs: fast, serverMs: fast }, { clientMs: slow, serverMs: slow }));
    const v = gate.latency[0]!.verdict;
    expect(v.verdict).toBe('slower');
    expect(v.shift!.lower).toBeGreaterThan(15);
    expect(gate.verdict).toBe('fail');
    expect(gate.assessment).toBe('do-not-ship');
    expect(gate.reasons[0]).toMatch(/^\[critical\] latency svc GET \/x: go vs rust: slower — shift 16\.8 ms \(\+80\d\.\d%\), 98% CI \[16\.\d ms, 17\.\d ms\], p=1\.29e-8, n=15\/15 \(server spans\)$/);
  });

  it('3 a side is not judged: a sane hint, a named reason, and the configured rule decides whether it blocks', async () => {
    const xs = exchanges('replay', '/x', { clientMs: fast.slice(0, 3), serverMs: fast.slice(0, 3) }, { clientMs: slow.slice(0, 3), serverMs: slow.slice(0, 3) });
    const warn = await gateOf(xs);
    const v = warn.latency[0]!.verdict;
    expect(v.verdict).toBe('inconclusive');
    expect(v.needed).toBe(7);
    const reason = 'too few samples to test (a: 3, b: 3): at this size no outcome of the exact test reaches p < 0.05 with a bounded 98% interval; about 7 a side would resolve the observed difference (medians 1.84 → 17.7 ms)';
    expect(v.reason).toBe(reason);
    expect(warn.verdict).toBe('pass');
    expect(warn.reasons).toEqual([`not judged (gate.latency.unjudged: warn): latency svc GET /x — ${reason}`]);
    expect(assessmentLine(warn)).toBe('ship — latency not judged on svc GET /x (too few samples to test)');

    const fail = await gateOf(xs, rulesWith({ unjudged: 'fail' }));
    expect(fail.rules.find((r) => r.rule === 'latency')?.status).toBe('fail');
    expect(fail.verdict).toBe('fail');
    expect(fail.assessment).toBe('do-not-ship');
    expect(fail.reasons).toEqual([`[critical] latency svc GET /x: not judged — ${reason}`]);
  });

  it('below minSamples, no difference is not a pass', async () => {
    const same = steady(9, 2, 0.05);
    const gate = await gateOf(exchanges('replay', '/x', { clientMs: same, serverMs: same }, { clientMs: same, serverMs: same.map((v) => v + 0.002) }));
    const v = gate.latency[0]!.verdict;
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toMatch(/^no decisive difference in so few samples \(a: 9, b: 9\): no significant difference: .*; at least 20 a side are needed to call it a pass/);
    expect(assessmentLine(gate)).toBe('ship — latency not judged on svc GET /x (too few samples to call a pass)');
  });
});

describe('terminal wording (item 15)', () => {
  const finding = (kind: AggregatedFinding['kind'], cls: string, left: string, right: string): AggregatedFinding => ({
    id: `${kind}-id`, service: 'svc', method: 'POST', route: '/x', kind, class: cls, path: '', count: 2, cases: ['c1'],
    example: { case: 'c1', path: '', left, right }, details: [], cause: 'c', hint: 'h', firstSeen: '', lastSeen: '',
  });

  it('ledger lines and reasons carry the method; status and transport findings show their status pair or -, not (body)', async () => {
    const gate = await gateOf([], rulesWith(), [finding('status', 'status', '422', '400'), finding('transport', 'transport', '200', 'connection_refused')]);
    const text = renderGate(gate);
    expect(text).toContain('  new: svc POST /x status 422 → 400\n');
    expect(text).toContain('  new: svc POST /x transport -\n');
    expect(text).not.toContain('(body)');
  });

  it('replay prints its noise entries with their reasons', () => {
    const report = { ...reportOf(), noise: [{ service: 'svc', method: 'GET', route: '/x', class: 'value-change', path: '/at', reason: 'volatile timestamp', count: 3 }] };
    const text = renderReplay(report, { skippedUnsafe: {}, overLimit: 0 } as never, { notSent: 0 } as never, 'replay');
    expect(text).toContain('Noise (3 suppressed differences, not counted as divergences)\n       3× svc GET /x /at [value-change] — volatile timestamp\n');
  });
});
