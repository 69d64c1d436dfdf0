import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCLI } from '../src/cli/parse.ts';
import { LoadConfigSchema } from '../src/config/schema.ts';
import { assertLoopback, readScenarioFile } from '../src/drive/load/index.ts';
import { prepareLoad } from '../src/app/load-phase.ts';
import { readConfig } from '../src/config/read.ts';
import { GauntletError } from '../src/util/errors.ts';
import { runCli } from './support/cli.ts';
import { unusedPort } from './support/servers.ts';

/**
 * `gauntlet load` refuses bad input before anything starts: the message names the file, the
 * scenario and the field, and the exit code is 2. None of these runs start a daemon.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-load-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(scenarios: string, runtimes = { a: 'http://127.0.0.1:1', b: 'http://127.0.0.1:2' }): Promise<{ config: string; scenarios: string }> {
  const name = Math.random().toString(16).slice(2, 8);
  const config = join(dir, `${name}.config.yaml`);
  const file = join(dir, `${name}.scenarios.yaml`);
  await writeFile(
    config,
    `stack:\n  services:\n    svc:\n      primary: a\n      candidate: b\n      runtimes:\n        a: { url: "${runtimes.a}" }\n        b: { url: "${runtimes.b}" }\nstore: { path: ${join(dir, `${name}.duckdb`)} }\n`,
  );
  await writeFile(file, scenarios);
  return { config, scenarios: file };
}

const scenario = (body: string) => `service: svc\nscenarios:\n  search:\n${body}`;
const valid = `    executor: constant-arrival-rate
    rate: 10
    duration: 1s
    preAllocatedVUs: 1
    workload: { kind: http, requests: [{ path: / }] }
`;

describe('gauntlet load: bad input', () => {
  // In-process: the same loader the command uses, so the facts (file, line, path) are checked directly.
  it.each([
    ['an unknown executor', valid.replace('constant-arrival-rate', 'constant-arival-rate'), 'scenarios.search.executor', /executor must be one of constant-arrival-rate, ramping-arrival-rate, constant-vus, ramping-vus/, 4],
    ['a malformed threshold', `${valid}    thresholds: { http_req_duration: ['p95<200'] }\n`, 'scenarios.search.thresholds.http_req_duration[0]', /invalid threshold expression "p95<200"/, 9],
    ['an aggregation the metric type lacks', `${valid}    thresholds: { http_req_failed: ['p(95)<0.1'] }\n`, 'scenarios.search.thresholds.http_req_failed[0]', /rate metric; use rate/, 9],
    ['an unknown threshold metric', `${valid}    thresholds: { http_req_latency: ['p(95)<200'] }\n`, 'scenarios.search.thresholds.http_req_latency', /unknown metric "http_req_latency"/, 9],
    ['an abortOnFail threshold with a bad expression', `${valid}    thresholds: { http_req_duration: [{ threshold: 'p(99)<<1', abortOnFail: true }] }\n`, 'scenarios.search.thresholds.http_req_duration[0].threshold', /invalid threshold expression/, 9],
    ['a bad duration', valid.replace('1s', '1 sec'), 'scenarios.search.duration', /k6 duration/, 6],
    ['an unknown field', `${valid}    startTme: 10s\n`, 'scenarios.search', /Unrecognized key: "startTme"/, 4],
    ['a workload field out of range', valid.replace('{ kind: http, requests: [{ path: / }] }', '{ kind: vectord, seed: 1, dimension: 0 }'), 'scenarios.search.workload.dimension', /scenario "search": workload\.dimension must be an integer/, undefined],
    ['an unbounded scenario', valid.replace('duration: 1s', 'duration: 2h'), 'scenarios.search.duration', /load\.maxDurationMs = 600000/, undefined],
    ['maxVUs below preAllocatedVUs', valid.replace('preAllocatedVUs: 1', 'preAllocatedVUs: 5\n    maxVUs: 2'), 'scenarios.search.maxVUs', /below preAllocatedVUs/, undefined],
  ])('%s → GAUNTLET_INPUT_INVALID at the scenario and field', async (_what, body, path, message, line) => {
    const f = await files(scenario(body));
    const err = await readScenarioFile(f.scenarios, LoadConfigSchema.parse({})).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GauntletError);
    const g = err as GauntletError;
    expect(g.code).toBe('GAUNTLET_INPUT_INVALID');
    expect(g.facts).toMatchObject({ file: f.scenarios, path, ...(line ? { line } : {}) });
    expect(g.message).toMatch(message);
  });

  it('the CLI exits 2 and names the file, line, scenario and field', async () => {
    const f = await files(scenario(valid.replace('constant-arrival-rate', 'constant-arival-rate')));
    const r = await runCli(['load', f.scenarios, '--config', f.config], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`GAUNTLET_INPUT_INVALID: ${f.scenarios}:4 at scenarios.search.executor: executor must be one of`);
  });

  it('a non-loopback runtime is refused before anything is sent', async () => {
    const f = await files(scenario(valid), { a: 'http://10.1.2.3:8080', b: 'http://127.0.0.1:2' });
    const r = await runCli(['load', f.scenarios, '--config', f.config], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/runtime a.*refusing to send load to 10\.1\.2\.3:8080: load targets are loopback .* unless --allow-remote is given/);
    expect(r.stderr).toMatch(/hint: to load a staging service you own, pass --allow-remote/);
  });

  // The lifted check is shown on the validation path only: nothing here connects to a remote host.
  it('--allow-remote (or load.allowRemote) lifts the loopback rule for the plan', async () => {
    const f = await files(scenario(valid), { a: 'https://staging.example.invalid:8443', b: 'http://10.1.2.3:8080' });
    const loaded = await readConfig(f.config);
    await expect(prepareLoad(loaded, f.scenarios)).rejects.toThrow(/refusing to send load to staging\.example\.invalid:8443/);
    const prepared = await prepareLoad(loaded, f.scenarios, { allowRemote: true });
    expect(prepared).toMatchObject({ allowRemote: true, runtimes: ['a', 'b'] });
    const byConfig = await prepareLoad({ ...loaded, config: { ...loaded.config, load: { ...loaded.config.load, allowRemote: true } } }, f.scenarios);
    expect(byConfig.allowRemote).toBe(true);
    expect(parseCLI(['load', 'f.yaml', '--allow-remote'])).toMatchObject({ options: { 'allow-remote': true } });
    expect(parseCLI(['run', '--allow-remote'])).toMatchObject({ options: { 'allow-remote': true } });
    // https only where it is allowed to be remote; other schemes never.
    expect(() => assertLoopback('https://127.0.0.1:1', { runtime: 'a', path: 'p' })).toThrow(/https only with --allow-remote/);
    expect(() => assertLoopback('ftp://10.0.0.1', { runtime: 'a', path: 'p' }, true)).toThrow(/ftp: is not supported/);
  });

  it('an unreachable runtime fails fast with a clear message', async () => {
    const [pa, pb] = [await unusedPort(), await unusedPort()];
    const f = await files(scenario(valid), { a: `http://127.0.0.1:${pa}`, b: `http://127.0.0.1:${pb}` });
    // "Fast" is behaviour, not a stopwatch: the CLI's own timeout bounds the run, and it must fail
    // on the pre-flight check (exit 2, before any load phase) rather than after retrying.
    const r = await runCli(['load', f.scenarios, '--config', f.config], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`runtime a at 127\\.0\\.0\\.1:${pa} is unreachable \\(connection refused\\)`));
    expect(r.stderr).toMatch(/hint: start it/);
  });

  it('parses the load and ingest command lines', () => {
    expect(parseCLI(['load', 'f.yaml', '--json', 'out.json', '--workers', '2'])).toMatchObject({ command: 'load', positionals: ['f.yaml'], options: { json: 'out.json', workers: 2 } });
    expect(parseCLI(['load', '--run', 'r-1'])).toMatchObject({ command: 'load', options: { run: 'r-1' } });
    expect(() => parseCLI(['load'])).toThrow(/usage: gauntlet load/);
    expect(() => parseCLI(['load', 'f.yaml', '--workers', '0'])).toThrow(/--workers/);
    expect(parseCLI(['ingest', 'k6', 'a.ndjson', '--runtimes', 'rust,go'])).toMatchObject({ command: 'ingest', positionals: ['k6', 'a.ndjson'] });
    expect(() => parseCLI(['ingest', 'jmeter', 'x'])).toThrow(/usage: gauntlet ingest k6/);
  });
});
