import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/cli.ts';
import { writeTraceConfig } from './support/trace-runs.ts';

/**
 * Through the real CLI: `gauntlet run` with the N+1 fault on the candidate fails naming the
 * operation in the terminal, Markdown and HTML; `gauntlet gate --run` in a fresh process re-derives
 * the same trace findings from the store alone.
 */
describe('trace findings through the CLI', () => {
  let dir: string;
  let config: string;
  let run: CliResult;
  let runId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-trace-cli-'));
    await writeFile(join(dir, 'no-ledger.yaml'), 'version: 1\nentries: []\n');
    config = await writeTraceConfig(dir, 'n1.yaml', '{ reference: { flavour: go, faults: [n-plus-one] } }', { extra: [] });
    await writeFile(config, (await readFile(config, 'utf8')).replace('repeat: 1', 'repeat: 4') + '\nreports: { dir: reports }\n');
    run = await runCli(['run', '--config', config]);
    runId = /gauntlet gate --run (\S+)/.exec(run.stdout)?.[1] ?? '';
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the run, naming the operation and its call-count ratio in the terminal', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/new trace\/call-count validatord POST \/v1\/validate: `storaged GET \/v1\/schemas\/\{id\}` ×3\.50 per request on b instead of ×1 on a \(×3\.50\) — N\+1/);
    expect(run.stdout).toMatch(/traces a [0-9a-f]{32}, b [0-9a-f]{32}/);
  });

  it('Markdown names the operation; the HTML carries both span trees with the difference marked', async () => {
    const reports = join(dir, 'reports', runId);
    const md = await readFile(join(reports, 'summary.md'), 'utf8');
    expect(md).toContain('### Trace');
    expect(md).toContain('| new | validatord | `POST /v1/validate` | trace/call-count | `/storaged/GET /v1/schemas/{id}` |');
    const html = await readFile(join(reports, 'report.html'), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="gauntlet-data">([^]*?)<\/script>/.exec(html)![1]!.replace(/\\u003c/g, '<')) as {
      trace: Array<{ route: string; ops: Array<{ label: string; primary: { calls: number } | null; candidate: { calls: number } | null; findings: string[] }> }>;
    };
    const ops = data.trace.find((r) => r.route === '/v1/validate')!.ops;
    const storaged = ops.find((o) => o.label === 'storaged GET /v1/schemas/{id}')!;
    expect(storaged).toMatchObject({ primary: { calls: 1 }, candidate: { calls: 3.5 }, findings: ['call-count'] });
    expect(ops.map((o) => o.label)).toEqual(['validatord POST /v1/validate', 'validatord cache.get schema', 'validatord GET /v1/schemas/{id}', 'storaged GET /v1/schemas/{id}', 'validatord validate record']);
    expect((await readdir(reports)).sort()).toContain('gate.json');
  });

  it('`gate --run` in a fresh process re-derives the same trace findings from the store', async () => {
    const again = await runCli(['gate', '--config', config, '--run', runId, '--gate-json', join(dir, 'again.json')]);
    expect(again.code).toBe(1);
    const first = JSON.parse(await readFile(join(dir, 'reports', runId, 'gate.json'), 'utf8')) as { findings: Array<{ kind: string; id: string; trace?: { explanation: string } }> };
    const second = JSON.parse(await readFile(join(dir, 'again.json'), 'utf8')) as typeof first;
    const trace = (g: typeof first) => g.findings.filter((f) => f.kind === 'trace').map((f) => [f.id, f.trace?.explanation.replace(/the route is .*$/, '')]);
    expect(trace(second)).toEqual(trace(first));
    expect(trace(first).length).toBeGreaterThan(0);
  }, 60_000);

  it('`analyze --run` in a fresh process re-derives every trace finding from the store alone', async () => {
    const json = join(dir, 'analyzed.json');
    const analyzed = await runCli(['analyze', '--config', config, '--run', runId, '--json', json]);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    expect(analyzed.stdout).toMatch(/trace\/call-count validatord POST \/v1\/validate: `storaged GET \/v1\/schemas\/\{id\}` ×3\.50 per request/);
    const gate = JSON.parse(await readFile(join(dir, 'reports', runId, 'gate.json'), 'utf8')) as { findings: Array<{ kind: string; id: string }> };
    const report = JSON.parse(await readFile(json, 'utf8')) as { trace?: Array<{ id: string }> };
    expect((report.trace ?? []).map((f) => f.id).sort()).toEqual(gate.findings.filter((f) => f.kind === 'trace').map((f) => f.id).sort());
  }, 60_000);
});
