import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceFinding } from '../src/analyze/index.ts';
import { buildBaseline, saveBaseline, type JudgedRun } from '../src/gate/index.ts';
import { openTraceStack, writeTraceConfig } from './support/trace-runs.ts';

/**
 * Each structural fault switch of the reference validatord, on the candidate only: the gate fails
 * with the right trace finding naming the operation — while status and body parity stay perfect
 * (the cases are valid records, identical 200s from both flavours).
 */
const traceFindings = (j: JudgedRun) => j.gate.findings.filter((f): f is typeof f & TraceFinding => f.kind === 'trace');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-trace-'));
  await writeFile(join(dir, 'no-ledger.yaml'), 'version: 1\nentries: []\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function judgeFault(name: string, candidate: string, repeat = 4): Promise<JudgedRun> {
  const stack = await openTraceStack(await writeTraceConfig(dir, name, candidate));
  try {
    return await stack.judge(repeat);
  } finally {
    await stack.close();
  }
}

function expectParityClean(j: JudgedRun): void {
  const svc = j.report.services.find((s) => s.service === 'validatord')!;
  expect(svc.statusMatch).toBe(svc.cases);
  expect(j.report.findings).toEqual([]);
}

describe('trace findings per fault switch (fault on the candidate)', () => {
  it('n-plus-one: trace/call-count on storaged GET /v1/schemas/{id}, named N+1, with its ratio', async () => {
    const j = await judgeFault('n1.yaml', '{ reference: { flavour: go, faults: [n-plus-one] } }');
    expectParityClean(j);
    const f = traceFindings(j).find((x) => x.class === 'call-count')!;
    expect(f, JSON.stringify(traceFindings(j).map((x) => x.trace.explanation))).toBeDefined();
    expect(f.path).toBe('/storaged/GET /v1/schemas/{id}');
    expect(f.trace.nPlusOne).toBe(true);
    expect(f.trace.ratio).toBeCloseTo(3.5, 1); // 1..6 fields: 3.5 calls per request instead of 1
    expect(f.trace.explanation).toMatch(/`storaged GET \/v1\/schemas\/\{id\}` ×3\.50 per request on b instead of ×1 on a .*N\+1: the calls grow with the request's size \(1…6 per request\); the route is \+[\d.]+ ms, of which \+[\d.]+ ms is this operation/);
    expect(f.trace.examples.reference).toMatch(/^[0-9a-f]{32}$/);
    expect(f.trace.examples.subject).toMatch(/^[0-9a-f]{32}$/);
    expect(j.gate.verdict).toBe('fail');
    expect(j.gate.rules.find((r) => r.rule === 'trace')!.message).toMatch(/new trace\/call-count: `storaged GET/);
  }, 60_000);

  it('retry: trace/call-count ×2 on the storaged lookup, its failed attempts named', async () => {
    const j = await judgeFault('retry.yaml', '{ reference: { flavour: go, faults: [retry] } }');
    expectParityClean(j);
    const f = traceFindings(j).find((x) => x.class === 'call-count')!;
    expect(f.path).toBe('/storaged/GET /v1/schemas/{id}');
    expect(f.trace.ratio).toBe(2);
    expect(j.gate.verdict).toBe('fail');
  }, 60_000);

  it('extra-call: trace/new-operation naming the extra downstream call', async () => {
    const j = await judgeFault('extra.yaml', '{ reference: { flavour: go, faults: [extra-call] } }');
    expectParityClean(j);
    const paths = traceFindings(j).filter((x) => x.class === 'new-operation').map((x) => x.path);
    expect(paths).toContain('/storaged/GET /v1/schemas/{id}/versions');
    expect(paths).toContain('/validatord/GET /v1/schemas/{id}/versions');
    expect(j.gate.verdict).toBe('fail');
  }, 60_000);

  it('hidden-error: trace/hidden-error on the cache span while status and body parity pass', async () => {
    const j = await judgeFault('hidden.yaml', '{ reference: { flavour: go, faults: [hidden-error] } }');
    expectParityClean(j);
    const f = traceFindings(j).find((x) => x.class === 'hidden-error')!;
    expect(f.path).toBe('/validatord/cache.get schema');
    expect(f.count).toBe(24);
    expect(f.trace.explanation).toMatch(/cached schema failed its checksum/);
    expect(j.gate.rules.find((r) => r.rule === 'divergence')!.status).toBe('pass');
    expect(j.gate.verdict).toBe('fail');
  }, 60_000);

  it('broken-propagation: trace/broken on the outgoing call, not a second missing-operation', async () => {
    const j = await judgeFault('broken.yaml', '{ reference: { flavour: go, faults: [broken-propagation] } }');
    expectParityClean(j);
    const found = traceFindings(j);
    const f = found.find((x) => x.class === 'broken')!;
    expect(f.path).toBe('/validatord/GET /v1/schemas/{id}');
    expect(f.trace.explanation).toMatch(/leave the trace on b/);
    expect(found.filter((x) => x.class === 'missing-operation')).toEqual([]);
    expect(j.gate.verdict).toBe('fail');
  }, 60_000);

  it('a latency planted in one inner operation is attributed to its self time', async () => {
    const j = await judgeFault('op-latency.yaml', '{ reference: { flavour: go, faultOp: "validate record", faultOpLatencyMs: 4 } }', 5);
    expectParityClean(j);
    const selfTime = traceFindings(j).filter((x) => x.class === 'self-time');
    expect(selfTime.map((x) => x.path)).toEqual(['/validatord/validate record']);
    const f = selfTime[0]!;
    expect(f.trace.shiftMs!).toBeGreaterThan(3);
    expect(f.trace.explanation).toMatch(/POST \/v1\/validate \+[\d.]+ ms on b, of which \+[\d.]+ ms is the self time of `validatord validate record`/);
    expect(j.gate.verdict).toBe('fail');
  }, 60_000);
});

describe('self time needs selfTime.minSamples calls a side', () => {
  it('the same planted inner latency on 12 calls a side draws no self-time conclusion', async () => {
    // 6 cases × 2: below the default 20. On a loaded host a dozen calls of one process share its
    // scheduling luck; a persistent-stack run once showed +4.9 ms self time from that alone.
    const j = await judgeFault('op-latency-few.yaml', '{ reference: { flavour: go, faultOp: "validate record", faultOpLatencyMs: 4 } }', 2);
    expectParityClean(j);
    expect(traceFindings(j).filter((x) => x.class === 'self-time')).toEqual([]);
  }, 60_000);
});

describe('no fault, no trace finding', () => {
  it('A/B (rust vs go) and A/A (rust vs rust): 0 trace findings over 20 runs each', async () => {
    for (const [name, primary] of [['ab.yaml', undefined], ['aa.yaml', '{ reference: { flavour: go } }']] as const) {
      const stack = await openTraceStack(await writeTraceConfig(dir, name, '{ reference: { flavour: go } }', primary ? { primary } : {}));
      try {
        for (let i = 0; i < 20; i++) {
          const j = await stack.judge(4);
          expect(traceFindings(j).map((f) => f.trace.explanation), `${name} run ${i}`).toEqual([]);
          expect(j.gate.rules.filter((r) => r.rule === 'trace').map((r) => r.status)).toEqual(['pass']);
        }
      } finally {
        await stack.close();
      }
    }
  }, 120_000);
});

describe('against a baseline', () => {
  it('save, plant a structural change, compare: baseline-trace fails naming the operation', async () => {
    const clean = await openTraceStack(await writeTraceConfig(dir, 'base.yaml', '{ reference: { flavour: go } }'));
    const file = join(dir, 'baseline.json');
    try {
      const j = await clean.judge(4);
      const baseline = buildBaseline(j.runId, j.series, j.report.findings);
      expect(baseline.latency.every((l) => l.trace !== undefined)).toBe(true);
      await saveBaseline(file, baseline);
      const same = await clean.judge(4, { baseline: file });
      expect(same.gate.rules.filter((r) => r.rule === 'baseline-trace')).toEqual([]);
      expect(same.gate.verdict).toBe('pass');
    } finally {
      await clean.close();
    }
    const changed = await openTraceStack(await writeTraceConfig(dir, 'changed.yaml', '{ reference: { flavour: go, faults: [extra-call] } }'));
    try {
      const j = await changed.judge(4, { baseline: file });
      const rule = j.gate.rules.find((r) => r.rule === 'baseline-trace' && r.runtime === 'b')!;
      expect(rule.status).toBe('fail');
      expect(rule.message).toMatch(/new trace\/new-operation: b does `storaged GET \/v1\/schemas\/\{id\}\/versions`/);
      expect(j.gate.rules.some((r) => r.rule === 'baseline-trace' && r.runtime === 'a')).toBe(false);
      expect(j.gate.verdict).toBe('fail');
    } finally {
      await changed.close();
    }
  }, 90_000);
});
