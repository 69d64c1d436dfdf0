import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../src/config/index.ts';
import { SmokeSuiteSchema } from '../src/config/smoke-schema.ts';
import { readSmokeSuites } from '../src/config/index.ts';
import { runCli, REPO_ROOT, type CliResult, withoutDefaultNote } from './support/cli.ts';
import { startServer } from './support/servers.ts';

const XSD = join(REPO_ROOT, 'test/fixtures/junit/junit-ci.xsd');
const VALIDATORD = join(REPO_ROOT, 'harness/smoke/validatord.yaml');
const VECTORD = join(REPO_ROOT, 'harness/smoke/vectord.yaml');

function xmllint(file: string): void {
  // A missing validator is a failure everywhere: JUnit nobody validated is not tested.
  if (!existsSync('/usr/bin/xmllint')) throw new Error('xmllint missing: install Debian package libxml2-utils (.ci/run does)');
  expect(execFileSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
}

async function checkCount(file: string): Promise<number> {
  return SmokeSuiteSchema.parse(parse(await readFile(file, 'utf8'))).checks.length;
}

const twins = (service: string) => [`    ${service}:`, '      primary: rust', '      candidate: go', '      runtimes:', '        rust: { reference: { flavour: rust } }', '        go: { reference: { flavour: go } }'];

/** The shipped suites through the real CLI against the reference twins of both services. */
describe('gauntlet smoke', () => {
  let dir: string;
  let both: CliResult;
  let expected: { validatord: number; vectord: number };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-smoke-cli-'));
    await writeFile(join(dir, 'both.yaml'), ['stack:', '  services:', ...twins('validatord'), ...twins('vectord'), `smoke: { suites: ["${VALIDATORD}", "${VECTORD}"] }`, 'store: { path: store.duckdb }'].join('\n'));
    expected = { validatord: (await checkCount(VALIDATORD)) * 2, vectord: (await checkCount(VECTORD)) * 2 };
    // ~15 s on an idle 2-core machine (four daemons boot); the margin is for a loaded CI host.
    both = await runCli(['smoke', '--config', join(dir, 'both.yaml'), '--junit', join(dir, 'junit.xml'), '--json', join(dir, 'smoke.json')], { timeoutMs: 90_000 });
  }, 95_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes every shipped check on every runtime of both services', () => {
    expect(withoutDefaultNote(both.stderr)).toBe('');
    expect(both.code).toBe(0);
    const n = expected.validatord + expected.vectord;
    expect(both.stdout.split('\n')).toContain(`--- ${n} PASS / 0 FAIL ---`);
    const lines = both.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
    expect(lines).toHaveLength(n);
    for (const l of lines) expect(l).toMatch(/^PASS (validatord|vectord)\/[\w.-]+ (rust|go) \d+(\.\d)?m?s$/);
    expect(lines.slice(0, 2)).toEqual([expect.stringMatching(/^PASS validatord\/healthz rust /), expect.stringMatching(/^PASS validatord\/healthz go /)]);
  });

  it('writes JUnit (one testcase per check × runtime) that validates against the CI schema, and JSON', async () => {
    xmllint(join(dir, 'junit.xml'));
    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(expected.validatord + expected.vectord);
    expect(xml).toContain('<testcase name="vectord/search go" classname="gauntlet.smoke.vectord"');
    expect(xml).not.toContain('<failure');
    const json = JSON.parse(await readFile(join(dir, 'smoke.json'), 'utf8')) as { passed: number; failed: number; checks: Array<{ latencySource: string }> };
    expect(json.failed).toBe(0);
    // Both reference twins are instrumented, so every latency is the server's own.
    expect(json.checks.every((c) => c.latencySource === 'server')).toBe(true);
  });

  it('re-judges the stored run in a fresh process to the same lines', async () => {
    const runId = /gauntlet smoke --run (\S+)/.exec(both.stdout)![1]!;
    const again = await runCli(['smoke', '--config', join(dir, 'both.yaml'), '--run', runId]);
    expect(again.code).toBe(0);
    const verdicts = (r: CliResult) => r.stdout.split('\n').filter((l) => /^(PASS|FAIL|---) /.test(l));
    expect(verdicts(again)).toEqual(verdicts(both));
  });

  it('the embedded default covers both reference services', async () => {
    const loaded = await readConfig(undefined, dir);
    expect(loaded.file).toBeUndefined();
    const plan = await readSmokeSuites(loaded);
    expect(plan.suites.map((s) => s.file)).toEqual([VALIDATORD, VECTORD]);
    expect(plan.skipped).toEqual([]);
  });

  it('exits 2 on a bad suite file, naming file, line and JSON path', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, ['service: validatord', 'checks:', '  - id: healthz', '    request: { method: GET, path: /healthz }', '    expect:', '      status: 200', '      json:', '        valid: true', ''].join('\n'));
    const r = await runCli(['smoke', '--config', join(dir, 'both.yaml'), bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`GAUNTLET_INPUT_INVALID: ${bad}:8 at checks[0].expect.json.valid: "valid" is neither a JSON Pointer`);
  });

  it('exits 1 when a check fails (a gate) and skips a suite whose service is not in the stack, on uninstrumented runtimes too', async () => {
    // Plain HTTP servers you run yourself: no SERVER spans, so latency falls back to the client span.
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
    try {
      const failing = join(dir, 'failing.yaml');
      await writeFile(failing, ['service: validatord', 'checks:', '  - id: healthz-wrong-status', '    request: { method: GET, path: /healthz }', '    expect: { status: 204, json: { /status: ok } }', ''].join('\n'));
      const config = ['stack:', '  services:', '    validatord:', '      primary: rust', '      candidate: go', '      runtimes:', `        rust: { url: "${server.url}" }`, `        go: { url: "${server.url}" }`, 'store: { path: store-2.duckdb }'];
      await writeFile(join(dir, 'own.yaml'), config.join('\n'));
      const r = await runCli(['smoke', '--config', join(dir, 'own.yaml'), failing, VECTORD, '--quiet', '--json', join(dir, 'failing.json')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^SKIP vectord \(.*harness\/smoke\/vectord\.yaml\) — service "vectord" is not in the stack; \d+ checks not run$/m);
      expect(r.stdout).toMatch(/^FAIL validatord\/healthz-wrong-status rust \S+ — status: expected 204, observed 200$/m);
      expect(r.stdout).toContain('--- 0 PASS / 2 FAIL ---');
      const json = JSON.parse(await readFile(join(dir, 'failing.json'), 'utf8')) as { checks: Array<{ latencySource: string; reasons: string[] }> };
      expect(json.checks.map((c) => [c.latencySource, c.reasons])).toEqual([
        ['client', ['status: expected 204, observed 200']],
        ['client', ['status: expected 204, observed 200']],
      ]);
    } finally {
      await server.close();
    }
  });
});
