import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { readRecording } from '../src/record/reader.ts';
import { REPO_ROOT, runCli, type CliResult, withoutDefaultNote } from './support/cli.ts';

const SHIPPED = join(REPO_ROOT, 'harness/recordings/validatord.ndjson');

/**
 * The shipped recording (real traffic through `gauntlet record` in front of the Rust twin)
 * replayed against both reference twins through the real CLI, judged from the store.
 */
describe('gauntlet replay of the shipped validatord recording on the reference twins', () => {
  let dir: string;
  let replay: CliResult;
  let report: ParityReport;
  let statusOf: Map<string, number>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-replay-'));
    const config = join(dir, 'gauntlet.config.yaml');
    await writeFile(
      config,
      [
        'stack:',
        '  services:',
        '    validatord:',
        '      primary: rust',
        '      candidate: go',
        '      routes: ["/v1/orders/{id}"]',
        '      runtimes:',
        '        rust: { reference: { flavour: rust } }',
        '        go: { reference: { flavour: go } }',
        'replay:',
        '  safeRoutes: [{ method: POST, route: /v1/validate }]',
        `store: { path: ${join(dir, 'store.duckdb')} }`,
        '',
      ].join('\n'),
    );
    const rec = await readRecording(SHIPPED);
    // Case ids name their recording and carry the query: `validatord.ndjson#12?full=1`.
    statusOf = new Map(rec.exchanges.map((x) => [`${basename(SHIPPED)}#${x.seq}${x.request.query ? `?${x.request.query}` : ''}`, x.response.status]));
    replay = await runCli(['replay', SHIPPED, '--config', config, '--fast', '--concurrency', '8', '--json', join(dir, 'replay.json')]);
    expect(withoutDefaultNote(replay.stderr), `stdout:\n${replay.stdout}`).toBe('');
    expect(replay.code).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'replay.json'), 'utf8')) as ParityReport;
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays every entry once, as one pair per entry with case = recording#seq, driver replay', () => {
    expect(statusOf.size).toBeGreaterThanOrEqual(200);
    expect(report.cases).toHaveLength(statusOf.size);
    expect(new Set(report.cases.map((c) => c.case))).toEqual(new Set(statusOf.keys()));
    expect(report.telemetry).toEqual({ clientSpans: 2 * statusOf.size, serverSpans: 2 * statusOf.size, joined: 2 * statusOf.size });
  });

  it('finds exactly the expected divergences: 422 envelopes (enum-encoding), 404/405 framework fallbacks (text + content-type)', () => {
    const diverging = (status: number) => [...statusOf.values()].filter((s) => s === status).length;
    const expectDiverge = diverging(422) + diverging(404) + diverging(405);
    const svc = report.services[0]!;
    expect(svc).toMatchObject({ service: 'validatord', primary: 'rust', candidate: 'go', cases: statusOf.size, statusMatch: statusOf.size });
    expect(svc.identical).toBe(statusOf.size - expectDiverge);
    for (const c of report.cases) {
      const recorded = statusOf.get(c.case)!;
      expect(c.primary?.status, `entry ${c.case}`).toBe(recorded);
      expect(c.bodyMatch, `entry ${c.case} (recorded ${recorded})`).toBe(![422, 404, 405].includes(recorded));
    }
    const byClass = Object.fromEntries(report.findings.map((f) => [`${f.route} ${f.class}`, f]));
    expect(byClass['/v1/validate enum-encoding']!.cases).toHaveLength(diverging(422));
    expect(byClass['/v1/orders/{id} content-type']!.count).toBe(diverging(404));
    expect(byClass['/v1/orders/{id} text-change']!.count).toBe(diverging(404));
    expect(byClass['/v1/validate content-type']!.count).toBe(diverging(405));
    expect(report.findings.map((f) => f.class).sort()).toEqual(['content-type', 'content-type', 'enum-encoding', 'text-change', 'text-change']);
    expect(replay.stdout).toMatch(new RegExp(`GET /v1/orders/\\{id\\}\\s+${diverging(404)}\\s`));
  });

  it('analyze --run reproduces the replay JSON byte for byte from the store', async () => {
    const analyze = await runCli(['analyze', '--run', report.runId, '--store', join(dir, 'store.duckdb'), '--json', join(dir, 'analyze.json'), '--quiet']);
    expect(withoutDefaultNote(analyze.stderr)).toBe('');
    expect(analyze.code).toBe(0);
    expect(await readFile(join(dir, 'analyze.json'), 'utf8')).toBe(await readFile(join(dir, 'replay.json'), 'utf8'));
  });

  it('without the flag or a safe route, skips unsafe methods and says so; --skip-invalid counts a bad line', async () => {
    const lines = (await readFile(SHIPPED, 'utf8')).trimEnd().split('\n');
    const damaged = join(dir, 'damaged.ndjson');
    await writeFile(damaged, [...lines.slice(0, 5), '{"seq":"five"}', ...lines.slice(5)].join('\n') + '\n');
    const posts = lines.slice(1).filter((l) => l.includes('"method":"POST"')).length;
    // A config that marks no route safe (the embedded default marks POST /v1/validate safe).
    const cfg = join(dir, 'no-safe-routes.yaml');
    await writeFile(cfg, ['stack:', '  services:', '    validatord:', '      primary: rust', '      candidate: go', '      runtimes:', '        rust: { reference: { flavour: rust } }', '        go: { reference: { flavour: go } }', ''].join('\n'));
    const r = await runCli(['replay', damaged, '--config', cfg, '--fast', '--skip-invalid', '--store', join(dir, 'store2.duckdb'), '--json', join(dir, 'safe.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped 1 invalid line of .*damaged\.ndjson \(first: .*damaged\.ndjson:6 at seq:/);
    expect(r.stdout).toContain(`skipped ${posts} unsafe-method entries: POST /v1/validate ×${posts}`);
    const safe = JSON.parse(await readFile(join(dir, 'safe.json'), 'utf8')) as ParityReport;
    expect(safe.cases.length).toBe(statusOf.size - posts);
    expect(safe.cases.every((c) => c.method === 'GET')).toBe(true);
  }, 120_000);
});
