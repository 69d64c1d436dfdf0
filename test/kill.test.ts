import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigRecording } from './support/big-recording.ts';
import { BIN, REPO_ROOT, runCli } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';

/**
 * A run is complete only when its completion is recorded. CI runners are killed by timeouts and
 * the OOM killer: `gauntlet run` is SIGKILLed in each phase, and afterwards `runs`, `analyze` and
 * `gate` (with the HTML and JUnit it writes) must say the run is incomplete and what is missing —
 * and never exit 0 with "ship".
 */
describe('a SIGKILLed run is never taken for a finished one', () => {
  let dir: string;
  const served = { parity: 0, replay: 0, load: 0 };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-kill-'));
    const answer = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const url = req.url ?? '';
      if (url.startsWith('/items/')) served.replay++;
      else if (url.startsWith('/ping')) served.load++;
      else served.parity++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    a = await startServer(answer);
    b = await startServer(answer);
    await writeBigRecording(join(dir, 'traffic.ndjson'), 20_000, 'svc');
    await writeFile(join(dir, 'cases.yaml'), 'service: svc\ncases:\n  - id: health\n    request: { method: GET, path: /healthz }\n');
    await writeFile(
      join(dir, 'scenario.yaml'),
      ['service: svc', 'ab: { block: 500ms, warmup: 0ms }', 'scenarios:', '  long:', '    executor: constant-arrival-rate', '    rate: 50', '    duration: 30s', '    preAllocatedVUs: 2', '    workload: { kind: http, requests: [{ path: /ping }] }', ''].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function config(name: string, phases: string, repeat: number): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      [
        'stack:',
        '  services:',
        '    svc:',
        '      primary: a',
        '      candidate: b',
        '      routes: ["/items/{id}"]',
        `      runtimes: { a: { url: "${a.url}" }, b: { url: "${b.url}" } }`,
        `parity: { cases: [cases.yaml], repeat: ${repeat} }`,
        `run: { phases: [${phases}], replay: { recordings: [traffic.ndjson], speed: 1 }, load: { scenarios: scenario.yaml } }`,
        'load: { workers: 1 }',
        `store: { path: ${name}.duckdb }`,
        `reports: { dir: ${name}-reports }`,
        'gate: { ledger: absent-ledger.yaml }',
      ].join('\n') + '\n',
    );
    return file;
  }

  /** Start `gauntlet run`, SIGKILL it once `ready()` holds; return its run id from the store. */
  async function killDuring(name: string, phases: string, ready: () => boolean, repeat = 1): Promise<{ cfg: string; runId: string }> {
    const cfg = await config(name, phases, repeat);
    const child = spawn(process.execPath, [BIN, 'run', '--config', cfg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const closed = new Promise((resolve) => child.on('close', resolve));
    const started = Date.now();
    while (!ready() && Date.now() - started < 60_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
    expect(ready(), `never reached the phase:\n${out}`).toBe(true);
    child.kill('SIGKILL');
    await closed;
    const runs = await runCli(['runs', '--config', cfg]);
    expect(runs.code, runs.stderr).toBe(0);
    const row = runs.stdout.split('\n').find((l) => l.startsWith('r-'));
    expect(row, runs.stdout).toMatch(/^r-\S+\s+run\s+INCOMPLETE \(never finished\)/);
    return { cfg, runId: row!.split(/\s+/)[0]! };
  }

  async function expectIncomplete(name: string, cfg: string, runId: string, planned: string): Promise<void> {
    const analyzed = await runCli(['analyze', '--config', cfg, '--run', runId]);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    expect(analyzed.stdout).toContain('INCOMPLETE: the run never recorded its end');
    const html = join(dir, `${name}.html`);
    const junit = join(dir, `${name}.xml`);
    const gate = await runCli(['gate', '--config', cfg, '--run', runId, '--html', html, '--junit', junit]);
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.stdout).toMatch(/assessment: do-not-ship/);
    expect(gate.stdout).not.toMatch(/assessment: ship/);
    expect(gate.stdout).toContain(`INCOMPLETE: the run never recorded its end — it was killed or crashed before finishing (planned: ${planned})`);
    expect(await readFile(html, 'utf8')).toContain('the run never recorded its end');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testcase name="run complete" classname="gauntlet\.completeness\.\*"[^>]*>\s*<failure/);
  }

  it('killed during parity: runs, analyze and gate say incomplete; the gate fails', async () => {
    const { cfg, runId } = await killDuring('parity', 'parity, replay', () => served.parity >= 100, 100_000);
    await expectIncomplete('parity', cfg, runId, 'parity, replay');
  }, 120_000);

  it('killed during replay: runs, analyze and gate say incomplete; the gate fails', async () => {
    const { cfg, runId } = await killDuring('replay', 'parity, replay', () => served.replay >= 100);
    await expectIncomplete('replay', cfg, runId, 'parity, replay');
  }, 120_000);

  it('killed during load: the same', async () => {
    served.load = 0;
    const { cfg, runId } = await killDuring('load', 'parity, load', () => served.load >= 40);
    await expectIncomplete('load', cfg, runId, 'parity, load');
  }, 120_000);
});

/** The reference twins a run starts die with it, however it dies. */
describe('a SIGKILLed run leaves no daemon behind', () => {
  const childrenOf = (pid: number): number[] =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('every reference daemon exits within a few seconds of its parent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-orphans-'));
    try {
      const child = spawn(process.execPath, [BIN, 'run', '--store', join(dir, 's.duckdb'), '--reports-dir', join(dir, 'reports'), '--skip', 'load'], { cwd: dir, stdio: 'ignore' });
      const started = Date.now();
      let daemons: number[] = [];
      // The embedded default starts four twins (validatord and vectord, rust and go).
      while (daemons.length < 4 && Date.now() - started < 60_000) {
        await new Promise((r) => setTimeout(r, 100));
        daemons = childrenOf(child.pid!).filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('/daemons/');
          } catch {
            return false;
          }
        });
      }
      expect(daemons.length).toBeGreaterThanOrEqual(4);
      child.kill('SIGKILL');
      const deadline = Date.now() + 8_000;
      while (daemons.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(daemons.filter(alive)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
