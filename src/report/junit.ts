import { create } from 'xmlbuilder2';
import type { GateResult, RuleResult } from '../gate/evaluate.ts';

/**
 * JUnit XML in the Ant/Surefire dialect CI tools read (Jenkins, GitLab, GitHub test reporters):
 * one <testsuite> per rule kind, one <testcase> per rule × service/route(/runtime). Inconclusive
 * rules are <skipped> with the reason, so "not enough data" is visible rather than a silent pass.
 */
export function renderJUnit(gate: GateResult, now = new Date()): string {
  const kinds = [...new Set(gate.rules.map((r) => r.rule))];
  const failures = gate.rules.filter((r) => r.status === 'fail').length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `gauntlet ${gate.runId}`,
    tests: String(gate.rules.length),
    failures: String(failures),
    errors: '0',
    time: '0',
  });
  for (const kind of kinds) {
    const rules = gate.rules.filter((r) => r.rule === kind);
    const suite = root.ele('testsuite', {
      name: `gauntlet.${kind}`,
      tests: String(rules.length),
      failures: String(rules.filter((r) => r.status === 'fail').length),
      errors: '0',
      skipped: String(rules.filter((r) => r.status === 'inconclusive').length),
      time: '0',
      timestamp: now.toISOString().slice(0, 19),
      hostname: 'localhost',
    });
    suite.ele('properties').ele('property', { name: 'gauntlet.run.id', value: gate.runId }).up().ele('property', { name: 'gauntlet.verdict', value: gate.verdict });
    for (const r of rules) addCase(suite, r);
  }
  return root.end({ prettyPrint: true }) + '\n';
}

function addCase(suite: ReturnType<ReturnType<typeof create>['ele']>, r: RuleResult): void {
  const tc = suite.ele('testcase', { name: r.name, classname: `gauntlet.${r.rule}.${r.service}`, time: '0' });
  if (r.status === 'fail') tc.ele('failure', { message: r.message, type: r.critical ? 'critical' : r.rule }).txt(r.message);
  else if (r.status === 'inconclusive') tc.ele('skipped', { message: r.message });
  else tc.ele('system-out').txt(r.message);
}
