import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { BIN, runCli } from './support/cli.ts';

const SCHEMA = { fields: { id: { type: 'string', required: true }, qty: { type: 'integer', required: true, min: 1, max: 100 } } };
const VALID = JSON.stringify({ schema: SCHEMA, record: { id: 'ord-1', qty: 3 } });
const MISSING_ID = JSON.stringify({ schema: SCHEMA, record: { qty: 3 } });

/** The real CLI as a daemon: output collected, lines awaited with a deadline. */
function startDaemon(args: string[], cwd: string): { child: ChildProcessWithoutNullStreams; out: () => string; waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    exited,
    async waitFor(re, ms) {
      const deadline = performance.now() + ms;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (child.exitCode !== null || performance.now() > deadline) throw new Error(`no ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe('gauntlet mirror (CLI) in front of the reference validatord twins', () => {
  let dir: string;
  let daemon: ReturnType<typeof startDaemon>;
  let code: number | null;
  let scrape: string;
  let runId: string;
  let answers: Array<{ status: number; body: string }>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-mirror-cli-'));
    // The embedded default config: validatord's rust (primary) and go (candidate) twins, POST /v1/validate marked safe.
    // --copy-nice 0: this test checks what the copy side does, not how it yields; on a saturated CI
    // machine a nice-19 copy side (the default) can be starved for minutes by design.
    daemon = startDaemon(['mirror', '--service', 'validatord', '--copy-nice', '0', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--store', join(dir, 'store.duckdb'), '--gate-json', join(dir, 'mirror-gate.json')], dir);
    const [, url, metrics, id] = await daemon.waitFor(/listening on (http:\/\/\S+) → .* metrics (http:\/\/\S+)\/metrics · run (r-\S+)/, 60_000);
    runId = id!;
    answers = [];
    for (let i = 0; i < 10; i++) {
      for (const body of [VALID, MISSING_ID]) {
        const r = await request(`${url!}/v1/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        answers.push({ status: r.statusCode, body: await r.body.text() });
      }
    }
    // Copies happen after the answers, and verdicts come from the store once stored: wait (bounded)
    // until all 20 are mirrored and judged. The copy side runs at the lowest priority by design, so
    // on a saturated CI machine (load average 10+ on 2 cores) it can take well over 20 s.
    const deadline = performance.now() + 75_000;
    const judged = (result: string) => new RegExp(`^gauntlet_pairs_total\\{service="validatord",method="POST",route="/v1/validate",result="${result}"\\} 10$`, 'm');
    for (;;) {
      scrape = await (await request(`${metrics!}/metrics`)).body.text();
      const done = /gauntlet_mirror_requests_total\{service="validatord",outcome="mirrored"\} 20$/m.test(scrape) && judged('match').test(scrape) && judged('diverge').test(scrape);
      if (done || performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    daemon.child.kill('SIGINT');
    code = await daemon.exited;
  }, 180_000);

  afterAll(async () => {
    if (daemon?.child.exitCode === null) daemon.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers clients from the primary (rust)', () => {
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 422)).toHaveLength(10);
    // The serde externally tagged enum: the Rust twin's shape, not Go's flat struct.
    expect(answers.find((a) => a.status === 422)!.body).toMatch(/^\{"valid":false,"errors":\[\{"Required":/);
  });

  it('serves Prometheus metrics: copies by outcome, pairs, classified divergences with ledger labels', () => {
    expect(scrape).toMatch(/^gauntlet_mirror_requests_total\{service="validatord",outcome="mirrored"\} 20$/m);
    expect(scrape).toMatch(/^gauntlet_mirror_queue_dropped_total\{service="validatord"\} 0$/m);
    expect(scrape).toMatch(/^gauntlet_pairs_total\{service="validatord",method="POST",route="\/v1\/validate",result="match"\} 10$/m);
    expect(scrape).toMatch(/^gauntlet_divergences_total\{service="validatord",method="POST",route="\/v1\/validate",kind="shape",class="enum-encoding",label="known"\} 10$/m);
    expect(scrape).toMatch(/^gauntlet_exchanges_total\{driver="mirror",service="validatord",runtime="go",role="candidate",method="POST",route="\/v1\/validate",outcome="4xx"\} 10$/m);
  });

  it('on SIGINT drains, flushes and exits 130 with a summary naming the run', () => {
    expect(code, daemon.out()).toBe(130);
    expect(daemon.out()).toMatch(/mirror: known divergence \[shape\/enum-encoding\] POST \/v1\/validate \/errors\/\*/);
    expect(daemon.out()).toMatch(/mirror: stopped · 20 requests · 20 mirrored \(10 match, 10 diverge\) · 0 dropped/);
    expect(daemon.out()).toContain(`gauntlet analyze --run ${runId}`);
  });

  it('`gauntlet analyze --run` judges the mirror run from the store, server spans joined', async () => {
    const json = join(dir, 'report.json');
    const r = await runCli(['analyze', '--run', runId, '--store', join(dir, 'store.duckdb'), '--json', json], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as ParityReport;
    expect(report.services[0]).toMatchObject({ service: 'validatord', primary: 'rust', candidate: 'go', pairs: 20 });
    expect(report.findings.map((f) => f.class)).toEqual(['enum-encoding']);
    expect(report.findings[0]!.count).toBe(10);
    // The mirror injected its trace context into the primary's request too: every exchange has its SERVER span.
    expect(report.telemetry).toEqual({ clientSpans: 40, serverSpans: 40, joined: 40 });
  }, 60_000);

  it('its final verdict is the one `gauntlet gate --run` gives on the same stored run', async () => {
    // The verdict itself (latency, self time) depends on how busy this machine is; equality is the point.
    expect(daemon.out()).toMatch(/mirror: gate (pass|marginal|fail) \(score [\d.]+\) · assessment: /);
    const gateJson = join(dir, 'gate-run.json');
    const r = await runCli(['gate', '--run', runId, '--store', join(dir, 'store.duckdb'), '--gate-json', gateJson], { cwd: dir });
    // A busy machine can make the latency verdict fail: then the gate exits 1, as the mirror said it would.
    const verdict = /mirror: gate (pass|marginal|fail) /.exec(daemon.out())![1];
    expect(r.code, r.stderr).toBe(verdict === 'fail' ? 1 : 0);
    expect(JSON.parse(await readFile(join(dir, 'mirror-gate.json'), 'utf8'))).toEqual(JSON.parse(await readFile(gateJson, 'utf8')));
  }, 60_000);

  it('refuses a non-loopback listen address (exit 2) before starting anything', async () => {
    const r = await runCli(['mirror', '--listen', '0.0.0.0:0', '--primary', 'http://127.0.0.1:9', '--candidate', 'http://127.0.0.1:9', '--store', join(dir, 'other.duckdb')], { cwd: dir, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0: the mirror sees credentials in flight, so it binds loopback only/);
    expect(r.stderr).toMatch(/--allow-remote/);
  }, 30_000);
});
