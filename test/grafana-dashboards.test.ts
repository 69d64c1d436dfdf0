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
import { createSupervisorMetrics } from '../src/drive/persistent/supervisor-metrics.ts';
import { REPO_ROOT } from './support/cli.ts';
import { checkDashboardTypes } from './support/grafana-schema.ts';
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
/** Dashboards with no latency panel (so no trace links): gate verdicts, the persistent stack's daemons. */
const NO_LATENCY = new Set(['gauntlet-ci.json', 'gauntlet-stack.json']);
const okDatasource = (ds: { type?: string; uid?: string } | undefined) => ds?.uid === '${datasource}' || ds?.uid === PROVISIONED_UID;

/** Metric names the dashboards may read: ours (from the real registries), the daemons' and the Pushgateway's. */
async function knownMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  createGauntletMetrics({ registry });
  createLoadMetrics(registry);
  createSpanMetrics(registry);
  const names = new Set<string>(['http_server_request_duration_seconds_bucket', 'push_time_seconds']);
  for (const m of [...(await registry.getMetricsAsJSON()), ...(await createSupervisorMetrics().registry.getMetricsAsJSON())]) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('grafana dashboards', () => {
  it('ships the five dashboards, each with a unique uid', () => {
    expect(dashboards.map((d) => d.file)).toEqual(['gauntlet-ci.json', 'gauntlet-stack.json', 'runtime-parity.json', 'spanmetrics.json', 'vectord-load.json']);
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
    // Exemplars open the trace store the dashboards' $tracing variable defaults to.
    const traces = parse(await readFile(join(REPO_ROOT, 'grafana/provisioning/datasources/traces.yaml'), 'utf8'));
    expect(traces.datasources).toEqual([expect.objectContaining({ uid: 'gauntlet-traces', type: 'tempo' })]);
    expect(ds.datasources[0].jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 'gauntlet-traces' }]);
    for (const d of dashboards.filter((x) => !NO_LATENCY.has(x.file))) expect(variableDefaults(d).tracing, d.file).toBe('gauntlet-traces');
    const dash = parse(await readFile(join(REPO_ROOT, 'grafana/provisioning/dashboards/gauntlet.yaml'), 'utf8'));
    expect(dash.providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: expect.any(String) }) })]);
  });

  it('every dashboard type-checks against @grafana/schema; a wrong one does not (tsc names the line)', async () => {
    const shipped = await Promise.all(dashboards.map(async (d) => ({ name: d.file, text: await readFile(join(DASHBOARDS, d.file), 'utf8') })));
    const base = JSON.parse(shipped.find((d) => d.name === 'gauntlet-ci.json')!.text);
    const broken = (name: string, mutate: (d: typeof base) => void) => {
      const d = structuredClone(base);
      mutate(d);
      return { name, text: JSON.stringify(d, null, 2) };
    };
    const results = await checkDashboardTypes([
      ...shipped,
      broken('bad-threshold-mode', (d) => (d.panels[1].fieldConfig.defaults.thresholds.mode = 'absolut')),
      broken('bad-mapping-type', (d) => (d.panels[0].fieldConfig.defaults.mappings[0].type = 'valu')),
      broken('misspelled-gridpos', (d) => {
        d.panels[2].gridpos = d.panels[2].gridPos;
        delete d.panels[2].gridPos;
      }),
      broken('string-schema-version', (d) => (d.schemaVersion = '42')),
      broken('link-without-icon', (d) => delete d.links[0].icon),
    ]);
    for (const d of shipped) expect(results[d.name], `${d.name}: ${results[d.name]!.errors.join('\n')}`).toEqual({ ok: true, errors: [] });
    expect(results['bad-threshold-mode']!.errors.join('\n')).toMatch(/bad-threshold-mode\(line \d+,\d+\): error TS\d+: Type '"absolut"' is not assignable to type '"absolute" \| "percentage"'/);
    expect(results['bad-mapping-type']!.errors.join('\n')).toMatch(/bad-mapping-type\(line \d+,\d+\): error TS\d+/);
    expect(results['misspelled-gridpos']!.errors.join('\n')).toMatch(/'"gridpos"' does not exist/);
    expect(results['string-schema-version']!.errors.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(results['link-without-icon']!.errors.join('\n')).toMatch(/icon/);
  }, 120_000);

  it('stat panels: a failed gate is red, a 0% match rate is not green; thresholds and mappings say so', () => {
    const panel = (file: string, title: string) => allPanels(dashboards.find((d) => d.file === file)!).find((p) => p.title === title) as unknown as {
      fieldConfig: { defaults: { thresholds: { steps: Array<{ color: string; value: number | null }> }; mappings?: Array<{ type: string; options: Record<string, { text: string; color: string }> }> } };
    };
    // The color Grafana gives a value: the last step whose value is at or below it.
    const colorOf = (p: ReturnType<typeof panel>, v: number) => p.fieldConfig.defaults.thresholds.steps.filter((s) => s.value === null || s.value <= v).at(-1)!.color;
    const verdict = panel('gauntlet-ci.json', 'Latest verdict');
    expect(verdict.fieldConfig.defaults.mappings![0]!.options).toMatchObject({ '0': { text: 'fail', color: 'red' }, '1': { text: 'marginal' }, '2': { text: 'pass', color: 'green' } });
    expect([0, 1, 2].map((v) => colorOf(verdict, v))).toEqual(['red', 'orange', 'green']);
    const match = panel('runtime-parity.json', 'Match rate');
    expect([0, 0.5, 0.96, 1].map((v) => colorOf(match, v))).toEqual(['red', 'red', 'orange', 'green']);
    const achieved = panel('vectord-load.json', 'Achieved / target');
    expect([0, 0.95, 1].map((v) => colorOf(achieved, v))).toEqual(['red', 'orange', 'green']);
    const thresholds = panel('vectord-load.json', 'Threshold status');
    expect(thresholds.fieldConfig.defaults.mappings![0]!.options).toMatchObject({ '0': { text: 'fail', color: 'red' }, '1': { text: 'pass', color: 'green' } });
    expect(colorOf(panel('gauntlet-ci.json', 'Score'), 0)).toBe('red');
    // The persistent stack: one daemon of four down is red; a restart is orange, a crash loop red.
    for (const title of ['Daemons up', 'Daemons healthy']) expect([0.75, 1].map((v) => colorOf(panel('gauntlet-stack.json', title), v)), title).toEqual(['red', 'green']);
    expect([0, 1, 3].map((v) => colorOf(panel('gauntlet-stack.json', 'Restarts in range'), v))).toEqual(['green', 'orange', 'red']);
    expect(panel('gauntlet-stack.json', 'Health per daemon').fieldConfig.defaults.mappings![0]!.options).toMatchObject({ '0': { text: 'failing', color: 'red' }, '1': { text: 'ok', color: 'green' } });
  });

  it('variables: job/instance (and route, runtime where they exist) are multi-select with All; every aggregation keeps job and instance apart', () => {
    const want: Record<string, string[]> = {
      'gauntlet-ci.json': ['job', 'instance'],
      'gauntlet-stack.json': ['job', 'instance', 'stack', 'daemon'],
      'runtime-parity.json': ['job', 'instance', 'runtime', 'route'],
      'spanmetrics.json': ['job', 'instance', 'runtime', 'route'],
      'vectord-load.json': ['job', 'instance', 'runtime', 'route'],
    };
    for (const d of dashboards) {
      for (const name of want[d.file]!) {
        const v = d.json.templating.list.find((x) => x.name === name) as { multi?: boolean; includeAll?: boolean; allValue?: string } | undefined;
        expect(v, `${d.file} $${name}`).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
      }
      for (const p of allPanels(d)) {
        for (const t of p.targets ?? []) {
          // Server-side histograms come from the runtimes (one per replica), not from watchers: summed on purpose.
          if (t.expr!.includes('http_server_request_duration')) continue;
          for (const [agg] of t.expr!.matchAll(/\b(?:sum|min|max)(?: by \([^)]*\))?\s*\(/g)) {
            if (/without/.test(agg)) continue;
            expect(agg, `${d.file} "${p.title}" ${t.refId}: ${agg} must keep job and instance`).toMatch(/by \(job, instance\b/);
          }
          if (d.file !== 'gauntlet-ci.json') expect(t.expr, `${d.file} "${p.title}" filters on $instance`).toContain('instance=~"$instance"');
        }
      }
    }
  });

  it('latency panels link to traces ($tracing) and the run reports ($reports), with exemplars; gate runs are annotations', () => {
    for (const d of dashboards) {
      const latency = allPanels(d).filter((p) => /latency|p95|slowest/i.test(p.title) && !/ratio/i.test(p.title));
      if (NO_LATENCY.has(d.file)) continue; // verdicts and scores, or the stack's daemons: no latency panel
      expect(latency.length, d.file).toBeGreaterThan(0);
      for (const p of latency) {
        const links = ((p as unknown as { fieldConfig: { defaults: { links?: Array<{ url: string }> } } }).fieldConfig.defaults.links ?? []).map((l) => l.url);
        expect(links.some((u) => u.includes('"datasource":"${tracing}"') && u.includes('queryType":"traceql"')), `${d.file} "${p.title}" links to traces`).toBe(true);
        expect(links, `${d.file} "${p.title}" links to the reports`).toContain('${reports}/');
        if (p.type === 'timeseries') expect((p.targets ?? []).every((t) => (t as { exemplar?: boolean }).exemplar === true), `${d.file} "${p.title}" asks for exemplars`).toBe(true);
      }
      expect(d.json.templating.list.find((v) => v.name === 'tracing'), d.file).toMatchObject({ type: 'datasource', query: 'tempo' });
    }
    for (const file of ['gauntlet-ci.json', 'runtime-parity.json', 'vectord-load.json']) {
      const list = (dashboards.find((d) => d.file === file)!.json as unknown as { annotations: { list: Array<{ name: string; useValueForTime?: boolean; target?: { expr: string } }> } }).annotations.list;
      const gate = list.find((a) => a.name === 'Gate runs');
      expect(gate, file).toMatchObject({ useValueForTime: true, target: { expr: expect.stringContaining('gauntlet_last_judged_timestamp_seconds') } });
    }
  });

  it('spanmetrics: prefix, unit and runtime label are variables; the defaults read otel-collector.yaml\'s series', () => {
    const d = dashboards.find((x) => x.file === 'spanmetrics.json')!;
    const vars = variableDefaults(d);
    expect(vars).toMatchObject({ prefix: 'traces_span_metrics', duration_unit: 'seconds', to_seconds: '1', runtime_label: 'gauntlet_runtime' });
    const exprs = allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr!));
    expect(exprs.every((e) => !e.includes('traces_span_metrics') && !e.includes('gauntlet_runtime')), 'no hard-coded prefix or runtime label').toBe(true);
    expect(exprs.filter((e) => e.includes('histogram_quantile') && !e.includes(') / histogram_quantile')).every((e) => e.endsWith('* $to_seconds'))).toBe(true);
    const ms = substitute(exprs.find((e) => e.includes('histogram_quantile(0.95'))!, { ...vars, duration_unit: 'milliseconds', to_seconds: '0.001', runtime_label: 'deployment_environment' });
    expect(ms).toContain('traces_span_metrics_duration_milliseconds_bucket{');
    expect(ms).toContain('"deployment_environment"');
  });
});

