import { create } from 'xmlbuilder2';
import type { SmokeCheckResult, SmokeResult } from '../analyze/trace-assert-smoke.ts';
import type { SkippedSuite } from '../config/index.ts';

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(6);

/**
 * Smoke results as JUnit XML (the Ant/Surefire dialect CI test reporters read): one <testsuite>
 * per smoke suite, one <testcase> per check × runtime named like the terminal line, a <failure>
 * carrying every reason. Suites skipped because their service is not in the stack appear as
 * <skipped> cases, so CI shows what was not checked instead of a silently shorter list.
 */
export function renderSmokeJUnit(result: SmokeResult, skipped: readonly SkippedSuite[] = [], now = new Date()): string {
  const bySuite = new Map<string, SmokeCheckResult[]>();
  for (const c of result.checks) {
    const list = bySuite.get(c.suite);
    if (list) list.push(c);
    else bySuite.set(c.suite, [c]);
  }
  const skippedCases = skipped.reduce((n, s) => n + s.checkIds.length, 0);
  const totalMs = result.checks.reduce((n, c) => n + (c.latencyMs ?? 0), 0);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `gauntlet smoke ${result.runId}`,
    tests: String(result.checks.length + skippedCases),
    failures: String(result.failed),
    errors: '0',
    time: seconds(totalMs),
  });
  const timestamp = now.toISOString().slice(0, 19);
  for (const [suite, cases] of bySuite) {
    const el = root.ele('testsuite', {
      name: `gauntlet.smoke.${suite}`,
      tests: String(cases.length),
      failures: String(cases.filter((c) => c.outcome === 'fail').length),
      errors: '0',
      skipped: '0',
      time: seconds(cases.reduce((n, c) => n + (c.latencyMs ?? 0), 0)),
      timestamp,
      hostname: 'localhost',
    });
    el.ele('properties').ele('property', { name: 'gauntlet.run.id', value: result.runId }).up().ele('property', { name: 'gauntlet.service', value: cases[0]!.service });
    for (const c of cases) {
      const tc = el.ele('testcase', { name: `${c.id}${c.runtime === '-' ? '' : ` ${c.runtime}`}`, classname: `gauntlet.smoke.${suite}`, time: seconds(c.latencyMs) });
      if (c.outcome === 'fail') tc.ele('failure', { message: c.reasons.join('; '), type: 'smoke' }).txt(c.reasons.join('\n'));
      else tc.ele('system-out').txt(`status ${c.status} · ${c.assertions} assertions · ${c.latencySource ?? 'no'} latency · trace ${c.traceId}`);
    }
  }
  for (const s of skipped) {
    const el = root.ele('testsuite', { name: `gauntlet.smoke.${s.name}`, tests: String(s.checkIds.length), failures: '0', errors: '0', skipped: String(s.checkIds.length), time: '0', timestamp, hostname: 'localhost' });
    for (const id of s.checkIds) el.ele('testcase', { name: `${s.name}/${id}`, classname: `gauntlet.smoke.${s.name}`, time: '0' }).ele('skipped', { message: s.reason });
  }
  return root.end({ prettyPrint: true }) + '\n';
}
