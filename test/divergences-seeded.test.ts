import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ParityReport } from '../src/analyze/index.ts';
import type { GateResult } from '../src/gate/index.ts';
import type { RecordedExchange } from '../src/record/format.ts';
import { REPO_ROOT, runCli, type CliResult, withoutDefaultNote } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';
import { writeRecording } from './support/validatord-traffic.ts';

/**
 * The issue's precision/recall acceptance line: a fixture of seeded divergences across every class
 * of the taxonomy (test/fixtures/divergences/seeded.yaml), served by real HTTP servers on port 0 as
 * runtime A, B and an A/A secondary C, recorded as a recording, replayed by `gauntlet replay`,
 * judged from the span store (`gauntlet gate --run` for latency), and scored: every seeded
 * difference found and classified correctly (recall 100%), nothing else reported (precision 100%).
 */
const FIXTURE = join(REPO_ROOT, 'test/fixtures/divergences/seeded.yaml');

const AnswerSchema = z
  .object({
    status: z.number().int().default(200),
    type: z.string().default('application/json'),
    body: z.string().default(''),
    delayMs: z.number().min(0).max(1000).default(0),
    transport: z.literal('reset').optional(),
  })
  .strict();
const Expected = z.object({ kind: z.string(), class: z.string(), path: z.string() }).strict();
const CaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    note: z.string().optional(),
    repeat: z.number().int().min(1).max(100).default(1),
    a: AnswerSchema,
    b: AnswerSchema,
    c: AnswerSchema.optional(),
    expect: z.array(Expected),
    noise: z.array(z.object({ path: z.string(), reason: z.string() }).strict()).default([]),
    latency: z.enum(['slower', 'pass']).optional(),
  })
  .strict();
const FixtureSchema = z.object({ cases: z.array(CaseSchema).min(1) }).strict();
type SeededCase = z.infer<typeof CaseSchema>;
type Answer = z.infer<typeof AnswerSchema>;

const fixture = FixtureSchema.parse(parseYaml(readFileSync(FIXTURE, 'utf8')));
const route = (c: SeededCase) => `/seeded/${c.id}`;
const key = (id: string, kind: string, cls: string, path: string) => `${id} ${kind}/${cls} ${path || "''"}`;

/** One canned-answer runtime: looks the case up by path and answers as the fixture says. */
function cannedRuntime(side: 'a' | 'b' | 'c'): Promise<TestServer> {
  const byRoute = new Map(fixture.cases.map((c) => [route(c), side === 'c' ? (c.c ?? c.a) : c[side]]));
  return startServer((req, res) => {
    const answer: Answer | undefined = byRoute.get((req.url ?? '/').split('?')[0]!);
    if (!answer) {
      res.writeHead(500).end('no such seeded case');
      return;
    }
    const send = () => {
      if (answer.transport === 'reset') return req.socket.destroy();
      res.writeHead(answer.status, answer.type === 'none' ? {} : { 'content-type': answer.type });
      res.end(answer.body);
    };
    if (answer.delayMs > 0) setTimeout(send, answer.delayMs);
    else send();
  });
}

describe('seeded divergences: precision and recall over every class of the taxonomy', () => {
  let dir: string;
  const servers: TestServer[] = [];
  let replay: CliResult;
  let gate: CliResult;
  let report: ParityReport;
  let judged: GateResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-seeded-'));
    for (const side of ['a', 'b', 'c'] as const) servers.push(await cannedRuntime(side));
    const [a, b, c] = servers as [TestServer, TestServer, TestServer];

    // The traffic as a recorder in front of A would have captured it: latency cases several times.
    const t0 = Date.parse('2026-11-27T12:00:00.000Z');
    const traffic: Array<Omit<RecordedExchange, 'seq'>> = [];
    for (const sc of fixture.cases) {
      for (let i = 0; i < sc.repeat; i++) {
        traffic.push({
          ts: new Date(t0 + traffic.length * 5).toISOString(),
          request: { method: 'GET', path: route(sc), query: '', headers: { accept: 'application/json', 'user-agent': 'seeded-client/1.0' }, bodyEncoding: 'utf8' },
          response: { status: sc.a.status, headers: sc.a.type === 'none' ? {} : { 'content-type': sc.a.type }, ...(sc.a.body ? { body: sc.a.body } : {}), bodyEncoding: 'utf8', latencyMs: 1 },
        });
      }
    }
    const recording = join(dir, 'seeded.ndjson');
    await writeRecording(recording, 'seeded', traffic, 'test/fixtures/divergences/seeded.yaml');
    const config = join(dir, 'gauntlet.config.yaml');
    await writeFile(
      config,
      `stack:
  services:
    seeded:
      primary: a
      candidate: b
      runtimes:
        a: { url: "${a.url}" }
        b: { url: "${b.url}" }
        c: { url: "${c.url}" }
noise:
  ignore: [{ route: /seeded/noise-ignore-rule, path: "/debug/**", reason: per-instance debug block }]
  numericTolerance: { abs: 1.0e-9 }
  unordered: [{ route: /seeded/noise-unordered*, paths: [/members] }]
# Material means ≥ 2 ms here: the seeded shift is 25 ms, and the control route must not trip on
# the noise of a shared host (the judge's own A/A behaviour is tested in judge-aa-real).
gate: { latency: { toleranceMs: 2 } }
store: { path: store.duckdb }
`,
    );
    replay = await runCli(['replay', recording, '--config', config, '--fast', '--concurrency', '4', '--json', join(dir, 'replay.json')]);
    expect(withoutDefaultNote(replay.stderr), replay.stdout).toBe('');
    expect(replay.code, replay.stdout).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'replay.json'), 'utf8')) as ParityReport;
    // Latency is the gate's judgement — from the same store, in a fresh process.
    gate = await runCli(['gate', '--run', report.runId, '--config', config, '--gate-json', join(dir, 'gate.json')]);
    expect(withoutDefaultNote(gate.stderr), gate.stdout).toBe('');
    judged = JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateResult;
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the fixture seeds every class of the taxonomy, and noise-only pairs', () => {
    const seeded = new Set(fixture.cases.flatMap((c) => [...c.expect.map((e) => `${e.kind}/${e.class}`), ...(c.latency === 'slower' ? ['latency'] : [])]));
    expect([...seeded].sort()).toEqual(
      [
        'transport/transport', 'status/status', 'header/content-type', 'header/header',
        'shape/enum-encoding', 'shape/key-case', 'shape/null-vs-missing', 'shape/null-vs-empty', 'shape/type-change', 'shape/missing-field', 'shape/extra-field', 'shape/array-shape',
        'value/number-repr', 'value/value-change', 'value/array-order',
        'body/text-change', 'latency',
      ].sort(),
    );
    expect(fixture.cases.filter((c) => c.expect.length === 0 && c.latency !== 'slower').length).toBeGreaterThanOrEqual(10);
  });

  it('finds every seeded difference, classified correctly, and reports nothing else (precision = recall = 100%)', () => {
    const caseOfRoute = new Map(fixture.cases.map((c) => [route(c), c.id]));
    const expected = new Set<string>();
    for (const c of fixture.cases) {
      for (const e of c.expect) expected.add(key(c.id, e.kind, e.class, e.path));
      if (c.latency === 'slower') expected.add(key(c.id, 'latency', 'latency', ''));
    }
    const found = new Set<string>();
    for (const f of report.findings) found.add(key(caseOfRoute.get(f.route) ?? `?${f.route}`, f.kind, f.class, f.path));
    for (const l of judged.latency) {
      if (l.verdict.verdict === 'slower' || l.verdict.verdict === 'faster') found.add(key(caseOfRoute.get(l.route) ?? `?${l.route}`, 'latency', 'latency', ''));
    }

    const tp = [...found].filter((k) => expected.has(k));
    const fp = [...found].filter((k) => !expected.has(k));
    const fn = [...expected].filter((k) => !found.has(k));
    const precision = found.size === 0 ? 1 : tp.length / found.size;
    const recall = expected.size === 0 ? 1 : tp.length / expected.size;

    // The confusion table, per class: shown when either figure is below 100%.
    const classOf = (k: string) => k.split(' ')[1]!;
    const classes = [...new Set([...expected, ...found].map(classOf))].sort();
    const rows = classes.map((cls) => {
      const n = (list: Iterable<string>) => [...list].filter((k) => classOf(k) === cls).length;
      return `${cls.padEnd(26)} ${String(n(expected)).padStart(8)} ${String(n(found)).padStart(6)} ${String(n(tp)).padStart(4)} ${String(n(fp)).padStart(4)} ${String(n(fn)).padStart(4)}`;
    });
    const table = [
      `precision ${(precision * 100).toFixed(1)}% · recall ${(recall * 100).toFixed(1)}% (${tp.length} true, ${fp.length} false positives, ${fn.length} missed)`,
      `${'class'.padEnd(26)} expected  found   TP   FP   FN`,
      ...rows,
      ...fp.map((k) => `  false positive: ${k}`),
      ...fn.map((k) => `  missed:         ${k}`),
    ].join('\n');
    expect({ precision, recall }, table).toEqual({ precision: 1, recall: 1 });
    expect(tp.length).toBe(expected.size);
  });

  it('reports the noise it suppressed in the noise-only pairs, each with its reason', () => {
    const missing: string[] = [];
    for (const c of fixture.cases) {
      for (const n of c.noise) {
        const entry = report.noise.find((x) => x.route === route(c) && x.path === n.path);
        if (!entry || !entry.reason.startsWith(n.reason)) missing.push(`${c.id} ${n.path}: want "${n.reason}…", got ${entry ? `"${entry.reason}"` : 'nothing'}`);
        else expect(entry.count).toBe(c.repeat);
      }
    }
    expect(missing).toEqual([]);
  });

  it('judges the latency control route as within tolerance, and the seeded route as slower with a material shift', () => {
    const row = (id: string) => judged.latency.find((l) => l.route === `/seeded/${id}`);
    const slow = row('latency')!;
    expect(slow.verdict.verdict).toBe('slower');
    expect(slow.verdict.shift!.estimate).toBeGreaterThan(15);
    expect(row('identical-latency-control')!.verdict.verdict).toBe('pass');
  });

  it('every pair was replayed to all three runtimes and analysed from the store', () => {
    const total = fixture.cases.reduce((n, c) => n + c.repeat, 0);
    expect(report.services[0]).toMatchObject({ service: 'seeded', primary: 'a', candidate: 'b', pairs: total });
    // Uninstrumented runtimes: CLIENT spans only, two per pair for primary and candidate.
    expect(report.telemetry.clientSpans).toBe(3 * total);
    expect(gate.code).toBe(1); // new divergences fail the gate
  });
});
