import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore, type StoredSpan } from '../src/collect/index.ts';
import type { ParityReport } from '../src/analyze/index.ts';
import { runCli, type CliResult, withoutDefaultNote } from './support/cli.ts';
import { readConfig } from '../src/config/index.ts';
import { readParityCases } from '../src/config/index.ts';
import { openSession } from '../src/app/session.ts';
import { runParityPhase } from '../src/drive/index.ts';
import { waitForRunToSettle } from '../src/analyze/index.ts';

/**
 * The spine end to end, through the real CLI in fresh processes: both reference twins as child
 * processes on port 0, the embedded receiver, the shipped validatord cases — then the verdict again
 * from the store alone.
 */
describe('validatord parity on the reference twins', () => {
  let dir: string;
  let parity: CliResult;
  let report: ParityReport;
  let spans: StoredSpan[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-e2e-'));
    parity = await runCli(['parity', '--repeat', '1', '--store', join(dir, 'store.duckdb'), '--json', join(dir, 'parity.json')]);
    expect(withoutDefaultNote(parity.stderr)).toBe('');
    expect(parity.code).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'parity.json'), 'utf8')) as ParityReport;
    const store = await SpanStore.open(join(dir, 'store.duckdb'));
    try {
      spans = await store.spansForRun(report.runId);
    } finally {
      await store.close();
    }
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the seed summary: 6/6 status codes match · 5/6 body shapes diverge', () => {
    expect(parity.stdout).toContain('6/6 status codes match · 5/6 body shapes diverge');
    const svc = report.services.find((s) => s.service === 'validatord')!;
    expect(svc).toMatchObject({ primary: 'rust', candidate: 'go', cases: 6, statusMatch: 6, shapeDiverge: 5, identical: 1 });
  });

  it('classifies the five divergences as enum-encoding with key-case details and a fix hint', () => {
    const diverging = report.cases.filter((c) => !c.shapeMatch);
    expect(diverging).toHaveLength(5);
    for (const c of diverging) {
      const classes = c.findings.map((f) => f.class);
      expect(classes, `case ${c.case}`).toContain('enum-encoding');
      const enc = c.findings.find((f) => f.class === 'enum-encoding')!;
      expect(enc.path, `case ${c.case}`).toMatch(/^\/errors\/\d+$/);
      expect(enc.detail ?? '', `case ${c.case}`).toMatch(/key-case/);
      expect(enc.hint, `case ${c.case}`).toMatch(/serde|MarshalJSON/);
    }
    const agg = report.findings.find((f) => f.class === 'enum-encoding')!;
    expect(agg).toMatchObject({ service: 'validatord', route: '/v1/validate', path: '/errors/*', count: 5 });
    expect(agg.details).toContain('key-case');
    expect(parity.stdout).toMatch(/enum-encoding/);
    expect(parity.stdout).toMatch(/fix:/);
  });

  it('joins every probe CLIENT span to the daemon SERVER span in one trace, with http.route', () => {
    // The probe's CLIENT spans and the runtimes' own SERVER spans (validatord's calls to its
    // storaged — a CLIENT span and storaged's SERVER span per request — are its inner structure).
    const clients = spans.filter((s) => s.kind === 'CLIENT' && s.runId !== null);
    const servers = spans.filter((s) => s.kind === 'SERVER' && s.serviceName === 'validatord');
    expect(clients).toHaveLength(12);
    expect(servers).toHaveLength(12);
    for (const c of clients) {
      const server = servers.find((s) => s.parentSpanId === c.spanId);
      expect(server, `server span for client ${c.spanId} (${String(c.attributes['gauntlet.runtime'])} ${String(c.attributes['gauntlet.case'])})`).toBeDefined();
      expect(server!.traceId).toBe(c.traceId);
      expect(server!.attributes['http.route']).toBe('/v1/validate');
      expect(server!.serviceName).toBe('validatord');
      expect(server!.resource['gauntlet.runtime']).toBe(c.attributes['gauntlet.runtime']);
    }
    for (const c of clients) {
      for (const attr of ['http.request.method', 'url.full', 'server.address', 'server.port', 'http.response.status_code', 'gauntlet.run.id', 'gauntlet.driver', 'gauntlet.service', 'gauntlet.runtime', 'gauntlet.case', 'gauntlet.pair.id', 'gauntlet.response.shape', 'gauntlet.response.shape.hash', 'gauntlet.response.body.hash']) {
        expect(c.attributes[attr], `client span attribute ${attr}`).toBeDefined();
      }
      expect(c.events.some((e) => e.name === 'gauntlet.response.body')).toBe(true);
    }
    expect(report.telemetry).toEqual({ clientSpans: 12, serverSpans: 12, joined: 12 });
  });

  it('reproduces the identical result from the store alone in a fresh process', async () => {
    const analyze = await runCli(['analyze', '--run', report.runId, '--store', join(dir, 'store.duckdb'), '--json', join(dir, 'analyze.json')]);
    expect(withoutDefaultNote(analyze.stderr)).toBe('');
    expect(analyze.code).toBe(0);
    const again = await readFile(join(dir, 'analyze.json'), 'utf8');
    expect(again).toBe(await readFile(join(dir, 'parity.json'), 'utf8'));
    expect(analyze.stdout).toBe(parity.stdout);
  });

  it('names an unknown run and exits 2', async () => {
    const r = await runCli(['analyze', '--run', 'r-nope', '--store', join(dir, 'store.duckdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GAUNTLET_RUN_NOT_FOUND.*r-nope/);
  });
});

describe('the embedded receiver during a parity run (in process)', () => {
  it('stores exactly the spans it accepted, and the harness emitted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-session-'));
    const loaded = await readConfig(undefined, dir);
    const caseFiles = await readParityCases(loaded);
    const session = await openSession(loaded, { services: new Set(['validatord']), storePath: join(dir, 'store.duckdb') });
    try {
      await runParityPhase(session, caseFiles, loaded, { repeat: 1 });
      await session.telemetry.flush();
      const settled = await waitForRunToSettle(session.store, session.runId);
      expect(settled.complete).toBe(true);
      const stats = session.receiver.stats();
      // harness: 1 run span + 6 pair spans + 12 client spans; daemons: 12 server spans, each with
      // 4 inner spans (cache lookup, the storaged call and storaged's SERVER span, validation)
      expect(session.telemetry.spansEnded()).toBe(19);
      expect(session.telemetry.spansFailed()).toBe(0);
      expect(stats.spansAccepted).toBe(31 + 48);
      expect(stats.spansStored).toBe(stats.spansAccepted);
      expect(await session.store.count()).toBe(31 + 48);
    } finally {
      await session.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
