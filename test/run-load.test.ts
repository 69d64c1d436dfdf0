import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runCli } from './support/cli.ts';
import { tinyVectordScenario } from './support/scenarios.ts';
import { startServer } from './support/servers.ts';

/**
 * The load phase of `gauntlet run`: a short A/B load comparison against the runtimes the run
 * started, its verdict in the terminal summary and every report, its thresholds and latency
 * verdict as gate rules, its time in the phase line; bad input exits 2, SIGINT 130.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-run-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VECTORD = [
  'stack:',
  '  services:',
  '    vectord:',
  '      primary: rust',
  '      candidate: go',
  '      runtimes:',
  '        rust: { reference: { flavour: rust } }',
  '        go: { reference: { flavour: go } }',
];

/** A config beside its scenario file; store and reports inside `dir`. */
async function setup(name: string, scenarios: string, stack = VECTORD, gate = ''): Promise<string> {
  await writeFile(join(dir, `${name}.scenarios.yaml`), scenarios);
  const cfg = join(dir, `${name}.config.yaml`);
  await writeFile(
    cfg,
    [
      ...stack,
      `run: { load: { scenarios: ${name}.scenarios.yaml } }`,
      'load: { workers: 1 }',
      `store: { path: ${name}.duckdb }`,
      `reports: { dir: ${name}-reports }`,
      `gate: { ledger: "${join(REPO_ROOT, 'harness/ledger.yaml')}"${gate} }`,
    ].join('\n') + '\n',
  );
  return cfg;
}

async function reportFiles(name: string): Promise<{ dir: string; runId: string }> {
  const runs = await readdir(join(dir, `${name}-reports`));
  expect(runs).toHaveLength(1);
  return { dir: join(dir, `${name}-reports`, runs[0]!), runId: runs[0]! };
}

interface LoadJson {
  service: string;
  runtimes: string[];
  thresholdsFailed: number;
  incomplete: { blocks: number; planned: number } | null;
  scenarios: Array<{
    name: string;
    runtimes: Array<{ runtime: string; requests: number; errors: number; achievedRate: number | null; latency: { p50: number | null }; thresholds: Array<{ metric: string; threshold: string; ok: boolean }> }>;
    routes: Array<{ method: string; route: string; verdict: { verdict: string } | null }>;
  }>;
}
interface GateJson {
  verdict: string;
  assessment: string;
  reasons: string[];
  rules: Array<{ rule: string; name: string; status: string; critical: boolean; message: string }>;
}

describe('gauntlet run: the load phase', () => {
  it('compares the twins under load, reports the verdict everywhere, and a crossed threshold fails the gate', async () => {
    // ≈1 s of load per runtime: 40 searches a side, enough for the latency judge's median.
    const cfg = await setup(
      'tiny',
      tinyVectordScenario({ duration: '1s' }), // p(95) < 1 µs: no runtime can meet it
      VECTORD,
      // Latency on a shared machine is the judge's business, not this test's: a slower verdict must not decide it.
      ', latency: { critical: false }, score: { pass: 0, marginal: 0 }',
    );
    const r = await runCli(['run', '--config', cfg, '--phase', 'load'], { cwd: dir, timeoutMs: 120_000 });
    expect(r.code, r.stderr + r.stdout.slice(-3000)).toBe(1);

    // terminal: the load summary, the gate failing on the threshold, the phase timed
    expect(r.stdout).toContain('Load vectord: rust (A) vs go (B), interleaved ABBA blocks');
    expect(r.stdout).toMatch(/^ {4}rust [\d.]+\/s \(target 40\.0\/s\) · \d+ requests · 0\.00% errors · p50 [\d.]+ · p95 [\d.]+ · p99 [\d.]+ ms · thresholds ✗ http_req_duration p\(95\)<0\.001/m);
    expect(r.stdout).toMatch(/^ {4}go {3}[\d.]+\/s/m);
    expect(r.stdout).toMatch(/^ {4}POST \/v1\/collections\/\{name\}\/search: (pass|slower|faster|inconclusive) /m);
    expect(r.stdout).toMatch(/^ {2}verdict: .* · thresholds: 2 failed$/m);
    expect(r.stdout).toMatch(/gate: fail/);
    expect(r.stdout).toContain('[critical] load threshold tiny rust http_req_duration p(95)<0.001: http_req_duration p(95)<0.001: observed');
    expect(r.stdout).toMatch(/production assessment: do-not-ship — \d+ failing rules? \(load\)/);
    const phases = /^phases: start-up [\d.]+ s · load ([\d.]+) s · telemetry [\d.]+ s · analysis \+ gate [\d.]+ s · total ([\d.]+) s$/m.exec(r.stdout);
    expect(phases, r.stdout).not.toBeNull();
    // 2 × (200 ms warm-up + 1 s measured) at the least; generous above for a busy machine.
    expect(Number(phases![1])).toBeGreaterThanOrEqual(2.2);
    expect(Number(phases![1])).toBeLessThan(60);
    expect(r.stdout).not.toMatch(/^Parity$|^Replay$|^Smoke chain$/m);

    // report.json carries the load report, gate.json its rules
    const out = await reportFiles('tiny');
    const report = JSON.parse(await readFile(join(out.dir, 'report.json'), 'utf8')) as { load: LoadJson };
    expect(report.load.service).toBe('vectord');
    expect(report.load.runtimes).toEqual(['rust', 'go']);
    expect(report.load.incomplete).toBeNull();
    expect(report.load.thresholdsFailed).toBe(2);
    const [scenario] = report.load.scenarios;
    expect(scenario!.name).toBe('tiny');
    for (const rt of scenario!.runtimes) {
      expect(rt.requests).toBeGreaterThanOrEqual(30);
      expect(rt.errors).toBe(0);
      expect(rt.latency.p50).toBeGreaterThan(0);
      expect(rt.thresholds.map((t) => [t.metric, t.ok])).toEqual([
        ['http_req_failed', true],
        ['http_req_duration', false],
      ]);
    }
    const search = scenario!.routes.find((x) => x.route === '/v1/collections/{name}/search');
    expect(search?.verdict?.verdict).toMatch(/^(pass|slower|faster|inconclusive)$/);

    const gate = JSON.parse(await readFile(join(out.dir, 'gate.json'), 'utf8')) as GateJson;
    expect(gate.verdict).toBe('fail');
    expect(gate.assessment).toBe('do-not-ship');
    const load = gate.rules.filter((x) => x.rule === 'load');
    expect(load.map((x) => [x.name, x.status])).toEqual(
      expect.arrayContaining([
        ['load threshold tiny rust http_req_failed rate<0.01', 'pass'],
        ['load threshold tiny rust http_req_duration p(95)<0.001', 'fail'],
        ['load threshold tiny go http_req_duration p(95)<0.001', 'fail'],
      ]),
    );
    expect(load.find((x) => x.name === 'load latency tiny POST /v1/collections/{name}/search')?.message).toMatch(/go vs rust under load: |not judged/);
    expect(gate.reasons[0]).toMatch(/^\[critical\] load threshold tiny (rust|go) http_req_duration p\(95\)<0\.001/);

    // JUnit, Markdown and HTML carry it too
    const junit = await readFile(join(out.dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="gauntlet\.load" tests="\d+" failures="[23]"/);
    expect(junit).toContain('name="load threshold tiny go http_req_duration p(95)&lt;0.001"');
    const md = await readFile(join(out.dir, 'summary.md'), 'utf8');
    expect(md).toContain('### Load — vectord: rust (A) vs go (B)');
    expect(md).toMatch(/\| tiny \| rust \| [\d.]+\/s \| \d+ \| 0\.00% \|.*❌ `http_req_duration p\(95\)<0\.001` \|/);
    expect(md).toMatch(/\| tiny \| `POST \/v1\/collections\/\{name\}\/search` \|/);
    const html = await readFile(join(out.dir, 'report.html'), 'utf8');
    expect(html).toMatch(/"load":\{"runId":"r-[^"]+","service":"vectord"/);
    expect(html).toContain('function renderLoad(main)');

    // the stored run re-judges to the same load report in a fresh process
    const again = await runCli(['load', '--run', out.runId, '--config', cfg, '--json', join(dir, 'again.json')], { cwd: dir });
    expect(again.code, again.stderr).toBe(1);
    expect(JSON.parse(await readFile(join(dir, 'again.json'), 'utf8'))).toEqual(report.load);

    // and `gauntlet gate --run` gives the run's own verdict, load rules included
    const regate = await runCli(['gate', '--run', out.runId, '--config', cfg, '--gate-json', join(dir, 'regate.json')], { cwd: dir });
    expect(regate.code, regate.stderr).toBe(1);
    const regated = JSON.parse(await readFile(join(dir, 'regate.json'), 'utf8')) as GateJson;
    expect(regated.rules).toEqual(gate.rules);
    expect(regated.reasons).toEqual(gate.reasons);
    expect(regated.assessment).toBe('do-not-ship');
  }, 150_000);

  it('a bad scenario file exits 2 naming file, line and field before anything starts; --skip load never reads it', async () => {
    const cfg = await setup('bad', 'service: vectord\nscenarios:\n  s:\n    executor: constant-arival-rate\n    workload: { kind: vectord, seed: 1 }\n');
    const r = await runCli(['run', '--config', cfg], { cwd: dir, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`GAUNTLET_INPUT_INVALID: ${join(dir, 'bad.scenarios.yaml')}:4 at scenarios.s.executor: executor must be one of`);
    const skipped = await runCli(['run', '--config', cfg, '--skip', 'load'], { cwd: dir, timeoutMs: 30_000 });
    expect(skipped.code, skipped.stderr).toBe(2);
    expect(skipped.stderr).toContain('nothing to run');
  });

  it('SIGINT during the load phase: an incomplete-marked report and exit 130', async () => {
    let served = 0;
    const answer = (_req: unknown, res: import('node:http').ServerResponse) => {
      served++;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    };
    const a = await startServer(answer);
    const b = await startServer(answer);
    try {
      const cfg = await setup(
        'sigint',
        [
          'service: svc',
          'ab: { block: 500ms, warmup: 0ms }',
          'scenarios:',
          '  long:',
          '    executor: constant-arrival-rate',
          '    rate: 50',
          '    duration: 30s',
          '    preAllocatedVUs: 2',
          '    workload: { kind: http, requests: [{ path: /ping }] }',
        ].join('\n') + '\n',
        ['stack:', '  services:', '    svc:', '      primary: a', '      candidate: b', '      runtimes:', `        a: { url: "${a.url}" }`, `        b: { url: "${b.url}" }`],
      );
      const child = spawn(process.execPath, [BIN, 'run', '--config', cfg], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const started = Date.now();
      while (served < 60 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const code = await closed;
      expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(130);
      // 30 s at 500 ms blocks: 120 blocks planned; it stopped long before.
      expect(stdout).toMatch(/INCOMPLETE: the load phase was interrupted after \d+ of 120 blocks/);
      expect(stdout).toMatch(/^phases: start-up [\d.]+ s · load [\d.]+ s/m);
      const out = await reportFiles('sigint');
      const report = JSON.parse(await readFile(join(out.dir, 'report.json'), 'utf8')) as { load: LoadJson };
      expect(report.load.incomplete!.planned).toBe(120);
      expect(report.load.incomplete!.blocks).toBeLessThan(120);
      const gate = JSON.parse(await readFile(join(out.dir, 'gate.json'), 'utf8')) as GateJson;
      expect(gate.assessment).toBe('do-not-ship');
      expect(gate.rules.find((x) => x.name === 'load incomplete svc')?.status).toBe('inconclusive');
      expect(await readFile(join(out.dir, 'summary.md'), 'utf8')).toContain('**INCOMPLETE** — interrupted after');
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);
});
