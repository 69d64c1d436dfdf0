import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { runCli } from './support/cli.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, type LoadedConfig } from '../src/config/index.ts';
import { readParityCases } from '../src/config/index.ts';
import { runWatch, type WatchOptions } from '../src/app/watch.ts';
import { parseCLI } from '../src/cli/parse.ts';
import { startServer, type TestServer } from './support/servers.ts';

/**
 * The watch loop in-process against two tiny uninstrumented "runtimes" that disagree on key case:
 * cycles are judged from the store and published; the loop is bounded and stops cleanly.
 */
describe('gauntlet watch', () => {
  let dir: string;
  let rust: TestServer;
  let go: TestServer;
  let loaded: LoadedConfig;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-watch-'));
    rust = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    go = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"Status":"ok"}'));
    await writeFile(join(dir, 'cases.yaml'), 'service: twin\ncases:\n  - id: health\n    request: { method: GET, path: /healthz }\n');
    await writeFile(
      join(dir, 'gauntlet.config.yaml'),
      [
        'stack:',
        '  services:',
        '    twin:',
        '      primary: rust',
        '      candidate: go',
        `      runtimes: { rust: { url: "${rust.url}" }, go: { url: "${go.url}" } }`,
        'parity: { cases: [cases.yaml] }',
        'gate: { ledger: absent-ledger.yaml }',
      ].join('\n'),
    );
    loaded = await readConfig(join(dir, 'gauntlet.config.yaml'));
  });

  afterAll(async () => {
    await rust.close();
    await go.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function options(over: Partial<WatchOptions>, lines: string[]): Promise<WatchOptions> {
    return {
      loaded,
      caseFiles: await readParityCases(loaded),
      intervalMs: 50,
      listen: '127.0.0.1:0',
      repeat: 2,
      spanmetrics: false,
      // A file in the temp dir, not ':memory:': the exporter's disk spool lives next to the store.
      storePath: join(dir, `store-${Math.random().toString(36).slice(2)}.duckdb`),
      signal: new AbortController().signal,
      log: (l) => lines.push(l),
      ...over,
    };
  }

  it('parses its options', () => {
    expect(parseCLI(['watch', '--interval', '15s', '--listen', '127.0.0.1:9464', '--max-cycles', '3', '--spanmetrics']).options).toMatchObject({ interval: '15s', listen: '127.0.0.1:9464', 'max-cycles': 3, spanmetrics: true });
    expect(() => parseCLI(['watch', '--max-cycles', '0'])).toThrow(/--max-cycles/);
  });

  it('stops by itself after --max-cycles', async () => {
    const lines: string[] = [];
    const summary = await runWatch(await options({ maxCycles: 2 }, lines));
    expect(summary).toMatchObject({ cycles: 2, failed: 0 });
    expect(lines.filter((l) => l.startsWith('cycle '))).toHaveLength(2);
    // No ledger: the key-case difference is a new finding, which fails the gate — as a metric, not an exit.
    expect(lines[1]).toMatch(/^cycle 1 · run r-\S+ · 2 pairs · gate fail \(score [\d.]+\) · findings: 1 new$/);
  });

  it('a cycle\'s verdict is the one `gauntlet gate --run` gives on the same stored run', async () => {
    const lines: string[] = [];
    const storePath = join(dir, 'store-gate.duckdb');
    const summary = await runWatch(await options({ maxCycles: 1, storePath }, lines));
    expect(summary.last).toBeDefined();
    const gateJson = join(dir, 'gate-run.json');
    const r = await runCli(['gate', '--run', summary.last!.runId, '--config', join(dir, 'gauntlet.config.yaml'), '--store', storePath, '--gate-json', gateJson], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(await readFile(gateJson, 'utf8'))).toEqual(JSON.parse(JSON.stringify(summary.last!.gate)));
  }, 60_000);

  it('serves /metrics and /healthz while running and stops cleanly on abort', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    let cycles = 0;
    let seen!: () => void;
    const twoCycles = new Promise<void>((r) => (seen = r));
    const running = runWatch(await options({ signal: controller.signal, log: (l) => (lines.push(l), l.startsWith('cycle ') && ++cycles === 2 && seen()) }, lines));
    await twoCycles;
    const url = /serving (\S+)\/metrics/.exec(lines[0]!)![1]!;
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, failed: 0, lastVerdict: 'fail' });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/gauntlet_pairs_total\{service="twin",method="GET",route="\/healthz",result="diverge"\} [4-9]/);
    expect(text).toContain('gauntlet_divergences_total{service="twin",method="GET",route="/healthz",kind="shape",class="key-case",label="new"}');
    expect(text).toContain('gauntlet_watch_cycles_total{result="ok"}');
    expect(text).toContain('process_cpu_seconds_total'); // a daemon exposes its own health too
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    controller.abort();
    const summary = await running;
    expect(summary.failed).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
