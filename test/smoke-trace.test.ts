import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRunToSettle } from '../src/analyze/index.ts';
import { judgeSmoke, withoutSmokeTraces, type SmokeResult } from '../src/analyze/trace-assert-smoke.ts';
import type { StoredSpan } from '../src/collect/index.ts';
import { readConfig } from '../src/config/index.ts';
import { openSession } from '../src/app/session.ts';
import { readSmokeSuites, type SmokePlan } from '../src/config/index.ts';
import { runSmokePhase } from '../src/drive/smoke/index.ts';
import { renderSmokeJUnit } from '../src/report/smoke-junit.ts';
import { renderSmoke } from '../src/report/smoke-terminal.ts';
import { REPO_ROOT } from './support/cli.ts';

const XSD = join(REPO_ROOT, 'test/fixtures/junit/junit-ci.xsd');

/** Validate JUnit with xmllint (a missing xmllint fails the test). */
function xmllint(file: string): void {
  // A missing validator is a failure everywhere: JUnit nobody validated is not tested.
  if (!existsSync('/usr/bin/xmllint')) throw new Error('xmllint missing: install Debian package libxml2-utils (.ci/run does)');
  expect(execFileSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
}

/** Checks that are wrong on purpose, one mistake each, against the real validatord twins. */
const SUITE = `service: validatord
name: probe
checks:
  - id: route-ok
    request: &valid
      method: POST
      path: /v1/validate
      json: { schema: { fields: { id: { type: string, required: true } } }, record: { id: a } }
    expect: { status: 200, json: { /valid: true } }
    spans:
      - select: { kind: SERVER, service: validatord }
        count: 1
        attributes: { http.route: /v1/validate, http.response.status_code: { lt: 500 } }
  - id: wrong-route
    request: *valid
    spans:
      - select: { kind: SERVER, service: validatord }
        attributes: { http.route: /v1/wrong }
  - id: tiny-duration
    request: *valid
    spans:
      - select: { kind: SERVER, service: validatord, attributes: { http.route: /v1/validate } }
        durationMs: { lt: 0.001 }
  - id: no-match
    request: *valid
    spans:
      - select: { kind: SERVER, service: validatord, attributes: { http.route: /v1/nope } }
  - id: wrong-pointer
    request: *valid
    expect: { status: [200, 201], json: { /valid: false, $.errors: { length: 1 } } }
  - id: latency-budget
    request: *valid
    expect: { latencyMs: 0.001 }
`;

describe('smoke phase against the validatord twins, judged from the store', () => {
  let dir: string;
  let plan: SmokePlan;
  let runId: string;
  let spans: StoredSpan[];
  let result: SmokeResult;
  const reasonsOf = (id: string, runtime = 'rust') => result.checks.find((c) => c.id === `probe/${id}` && c.runtime === runtime)!.reasons;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-smoke-trace-'));
    await writeFile(join(dir, 'probe.yaml'), SUITE);
    await writeFile(
      join(dir, 'config.yaml'),
      ['stack:', '  services:', '    validatord:', '      primary: rust', '      candidate: go', '      runtimes:', '        rust: { reference: { flavour: rust } }', '        go: { reference: { flavour: go } }', `smoke: { suites: [probe.yaml, "${join(REPO_ROOT, 'harness/smoke/vectord.yaml')}"] }`].join('\n'),
    );
    const loaded = await readConfig(join(dir, 'config.yaml'));
    plan = await readSmokeSuites(loaded);
    const session = await openSession(loaded, { services: new Set(['validatord']), storePath: join(dir, 'store.duckdb') });
    try {
      await runSmokePhase(session, plan.suites, loaded);
      await session.telemetry.flush();
      await waitForRunToSettle(session.store, session.runId);
      runId = session.runId;
      spans = await session.store.spansForRun(runId);
    } finally {
      await session.close();
    }
    result = judgeSmoke(runId, spans);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips a suite whose service is not in the stack, with a note rather than an error', () => {
    expect(plan.suites.map((s) => s.name)).toEqual(['probe']);
    expect(plan.skipped).toMatchObject([{ name: 'vectord', service: 'vectord', reason: 'service "vectord" is not in the stack' }]);
    expect(plan.skipped[0]!.checkIds).toContain('search');
  });

  it('runs each check against each runtime, one trace per exchange', () => {
    expect(result.checks.map((c) => `${c.id} ${c.runtime}`).slice(0, 4)).toEqual(['probe/route-ok rust', 'probe/route-ok go', 'probe/wrong-route rust', 'probe/wrong-route go']);
    expect(new Set(result.checks.map((c) => c.traceId)).size).toBe(12);
    expect(result.checks.every((c) => c.latencySource === 'server')).toBe(true);
    expect(renderSmoke(result)).toContain('--- 2 PASS / 10 FAIL ---\n');
  });

  it('passes a check asserting http.route on the SERVER span', () => {
    expect(reasonsOf('route-ok')).toEqual([]);
    expect(reasonsOf('route-ok', 'go')).toEqual([]);
  });

  it('fails a wrong route naming the selector, the attribute and the observed value', () => {
    expect(reasonsOf('wrong-route')).toEqual(['span[kind=SERVER][service.name=validatord] attr http.route: expected "/v1/wrong", observed "/v1/validate"']);
  });

  it('fails a too-small duration budget with the observed duration', () => {
    const [msg] = reasonsOf('tiny-duration', 'go');
    expect(msg).toMatch(/^span\[kind=SERVER\]\[service\.name=validatord\]\[http\.route=\/v1\/validate\] duration: expected < 0\.001 ms, observed \d+\.\d+ ms$/);
  });

  it('fails a selector that matches no span', () => {
    expect(reasonsOf('no-match')[0]).toMatch(/^no span matched span\[kind=SERVER\]\[service\.name=validatord\]\[http\.route=\/v1\/nope\] \(trace had: .*SERVER validatord "POST \/v1\/validate"/);
  });

  it('fails a response expectation naming the JSON Pointer, expected and observed value', () => {
    expect(reasonsOf('wrong-pointer')).toEqual(['json /valid: expected false, observed true', 'json $.errors: expected length = 1, observed length 0']);
    expect(reasonsOf('latency-budget')[0]).toMatch(/^latency: \d+\.\d ms \(server span\) over the 0\.001 ms budget$/);
  });

  it('prints the lakehouse form: status word, id, runtime, duration, reason', () => {
    const lines = renderSmoke(result).split('\n');
    expect(lines[0]).toMatch(/^PASS probe\/route-ok rust \d+(\.\d)?m?s$/);
    expect(lines[2]).toMatch(/^FAIL probe\/wrong-route rust \d+(\.\d)?m?s — span\[kind=SERVER\]/);
  });

  it('writes JUnit with one testcase per check × runtime that validates against the CI schema', async () => {
    const file = join(dir, 'junit.xml');
    const xml = renderSmokeJUnit(result, plan.skipped);
    await writeFile(file, xml);
    xmllint(file);
    expect(xml.match(/<testcase /g)).toHaveLength(12 + plan.skipped[0]!.checkIds.length);
    expect(xml).toContain('<testcase name="probe/wrong-route go" classname="gauntlet.smoke.probe"');
    expect(xml).toContain('<failure message="json /valid: expected false, observed true; json $.errors: expected length = 1, observed length 0" type="smoke">');
    expect(xml).toContain('<skipped message="service &quot;vectord&quot; is not in the stack"/>');
  });

  it('re-judges to the same result from the spans alone, and fails when telemetry went missing', () => {
    expect(judgeSmoke(runId, [...spans].reverse())).toEqual(result);
    // Drop one check's whole trace: the phase span says 12 were sent, the store now holds 11.
    const lost = result.checks[0]!.traceId;
    const partial = judgeSmoke(runId, spans.filter((s) => s.traceId !== lost));
    expect(partial.checks.at(-1)).toMatchObject({ id: 'smoke/telemetry', outcome: 'fail', reasons: ['1 of 12 check traces are not in the store'] });
    expect(partial.failed).toBe(11);
    // Drop only the probe's CLIENT span: the check cannot pass on an exchange nobody recorded.
    const noClient = judgeSmoke(runId, spans.filter((s) => !(s.traceId === lost && s.kind === 'CLIENT')));
    expect(noClient.checks[0]!.reasons[0]).toMatch(/^no CLIENT span for this check/);
  });

  it('leaves nothing for a parity judgement of the same run to pair up', () => {
    expect(withoutSmokeTraces(spans)).toEqual([]);
  });
});
