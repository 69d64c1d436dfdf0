import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGauntletMetrics } from '../src/telemetry/metrics.ts';
import { createSupervisorMetrics } from '../src/drive/persistent/supervisor-metrics.ts';
import { REPO_ROOT } from './support/cli.ts';
import { BINARIES, requireBinaries } from './support/prometheus.ts';

/**
 * The alerting rules shipped in grafana/alerts, checked by Debian's promtool: valid PromQL, and the
 * unit tests in gauntlet.rules.test.yml — a single failed watch cycle, or one cycle in ten failing
 * for half an hour, never pages; a gate that keeps failing, a new divergence that keeps
 * reproducing, a stalled or erroring watch, a mirror dropping copies, and a persistent-stack daemon
 * that is down, unhealthy or crash-looping do (a single restart does not). And every series a rule
 * reads is one gauntlet serves, with the labels it has, so a renamed metric cannot silence an alert.
 */
const DIR = join(REPO_ROOT, 'grafana', 'alerts');
const RULES = join(DIR, 'gauntlet.rules.yml');

describe('grafana/alerts/gauntlet.rules.yml', () => {
  it('passes promtool check rules and its promtool unit tests', () => {
    requireBinaries('promtool');
    const check = spawnSync(BINARIES.promtool, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 9 rules found/);
    const test = spawnSync(BINARIES.promtool, ['test', 'rules', 'gauntlet.rules.test.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/SUCCESS/);
  });

  it('reads only series gauntlet serves, by labels they carry', async () => {
    const doc = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const metrics = createGauntletMetrics();
    const served = new Map<string, string[]>();
    for (const registry of [metrics.registry, createSupervisorMetrics().registry]) {
      for (const m of await registry.getMetricsAsJSON()) served.set(m.name, (registry.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames);
    }
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toHaveLength(9);
    for (const rule of rules) {
      const selectors = [...rule.expr.matchAll(/\b(gauntlet_[a-z_]+)(?:\{([^}]*)\})?/g)];
      expect(selectors.length, rule.alert).toBeGreaterThan(0);
      for (const [, name, matchers] of selectors) {
        expect(served.has(name!), `${rule.alert}: ${name} is not a gauntlet series`).toBe(true);
        for (const [, label] of (matchers ?? '').matchAll(/([a-z_]+)\s*=~?/g)) {
          expect(served.get(name!), `${rule.alert}: ${name} has no label ${label}`).toContain(label);
        }
      }
      for (const by of rule.expr.matchAll(/by \(([^)]*)\)/g)) {
        for (const label of by[1]!.split(',').map((l) => l.trim())) {
          if (label === 'job' || label === 'instance') continue; // added by the scrape
          const names = selectors.map(([, n]) => n!);
          expect(names.some((n) => served.get(n)?.includes(label)), `${rule.alert}: by (${label})`).toBe(true);
        }
      }
    }
  });
});
