import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGauntletMetrics } from '../src/telemetry/metrics.ts';
import { createLoadMetrics } from '../src/telemetry/metrics-load.ts';
import { createSpanMetrics } from '../src/collect/spanmetrics.ts';
import { REPO_ROOT } from './support/cli.ts';
import { allPanels, BINARIES, loadDashboards, requireBinaries, substitute, variableDefaults, type DashboardFile } from './support/prometheus.ts';

/**
 * Grafana's current classic-model schema version: 42, "the final version for the v1 dashboard API"
 * per Grafana's apps/dashboard/pkg/migration/schemaversion/README.md (newer changes are panel
 * migrations). A dashboard at the current version is loaded without migration.
 */
const CURRENT_SCHEMA_VERSION = 42;
const PROVISIONED_UID = 'gauntlet-prometheus';
const DASHBOARDS = join(REPO_ROOT, 'grafana/dashboards');

const dashboards = await loadDashboards(DASHBOARDS);
const okDatasource = (ds: { type?: string; uid?: string } | undefined) => ds?.uid === '${datasource}' || ds?.uid === PROVISIONED_UID;

/** Metric names the dashboards may read: ours (from the real registries), the daemons' and the Pushgateway's. */
async function knownMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  createGauntletMetrics({ registry });
  createLoadMetrics(registry);
  createSpanMetrics(registry);
  const names = new Set<string>(['http_server_request_duration_seconds_bucket', 'push_time_seconds']);
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('grafana dashboards', () => {
  it('ships the four dashboards, each with a unique uid', () => {
    expect(dashboards.map((d) => d.file)).toEqual(['gauntlet-ci.json', 'runtime-parity.json', 'spanmetrics.json', 'vectord-load.json']);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
  });

  it.each(dashboards.map((d) => [d.file, d] as [string, DashboardFile]))('%s: current schemaVersion, unique panel ids, non-overlapping gridPos', (_file, d) => {
    expect(d.json.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    const panels = allPanels(d);
    expect(panels.length).toBeGreaterThan(3);
    expect(new Set(panels.map((p) => p.id)).size, 'panel ids').toBe(panels.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, `${p.title} fits the 24-column grid`).toBeLessThanOrEqual(24);
      expect(p.gridPos.w > 0 && p.gridPos.h > 0, `${p.title} has a size`).toBe(true);
    }
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `"${a.title}" overlaps "${b.title}"`).toBe(false);
      }
    }
  });

  it.each(dashboards.map((d) => [d.file, d] as [string, DashboardFile]))('%s: every panel and query uses the provisioned uid or the datasource variable', (_file, d) => {
    const dsVar = d.json.templating.list.find((v) => v.name === 'datasource');
    expect(dsVar).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: PROVISIONED_UID } });
    for (const v of d.json.templating.list.filter((x) => x.type === 'query')) expect(okDatasource(v.datasource as { uid?: string }), `variable ${v.name}`).toBe(true);
    for (const p of allPanels(d)) {
      expect(okDatasource(p.datasource), `panel "${p.title}" datasource ${JSON.stringify(p.datasource)}`).toBe(true);
      expect(p.targets?.length, `panel "${p.title}" has queries`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(okDatasource(t.datasource), `panel "${p.title}" ${t.refId} datasource`).toBe(true);
        expect(t.expr, `panel "${p.title}" ${t.refId} has an expression`).toBeTruthy();
      }
    }
  });

  it('reads only documented metric names, with every variable defined', async () => {
    const known = await knownMetricNames();
    const unknown: string[] = [];
    for (const d of dashboards) {
      const vars = variableDefaults(d);
      for (const p of allPanels(d)) {
        for (const t of p.targets ?? []) {
          const expr = substitute(t.expr!, vars); // throws on an undefined variable
          for (const [, name] of expr.matchAll(/\b((?:gauntlet|traces|http_server|push)_[a-z_]+)\s*[{[(]/g)) if (!known.has(name!)) unknown.push(`${d.file} "${p.title}": ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('every expression is valid PromQL (promtool check rules)', async () => {
    requireBinaries('promtool');
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-dash-'));
    try {
      const rules = dashboards.flatMap((d) => allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => substitute(t.expr!, variableDefaults(d)))));
      const file = join(dir, 'rules.yml');
      await writeFile(file, JSON.stringify({ groups: [{ name: 'dashboards', rules: rules.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }] }));
      const r = spawnSync(BINARIES.promtool, ['check', 'rules', file], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('provisions the data source with the fixed uid and the dashboards from files', async () => {
    const ds = parse(await readFile(join(REPO_ROOT, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'));
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([expect.objectContaining({ uid: PROVISIONED_UID, type: 'prometheus', access: 'proxy' })]);
    const dash = parse(await readFile(join(REPO_ROOT, 'grafana/provisioning/dashboards/gauntlet.yaml'), 'utf8'));
    expect(dash.providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: expect.any(String) }) })]);
  });
});
