/**
 * The persistent-stack dashboard (grafana/dashboards/gauntlet-stack.json) on real data: a real
 * `gauntlet stack up` whose supervisor serves /metrics on a fixed port, scraped by a real
 * Prometheus (Debian's). The stack has a daemon that serves and one that crashes: restarted twice
 * (backoff 1.5 s, then 3 s, so Prometheus sees its restart counter move from 0), then failed.
 * Every panel's expression returns data, and the numbers are the stack's: half the daemons up and
 * healthy, two restarts, the crasher failing, the server's uptime counting, no failed-check alarm
 * from starts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setupOnce } from './support/setup-once.ts';
import { REPO_ROOT, runCli, type CliResult } from './support/cli.ts';
import { okServerCommand, unusedPort } from './support/servers.ts';
import { allPanels, eventually, loadDashboards, promQuery, requireBinaries, startPrometheus, substitute, variableDefaults, type ChildServer, type DashboardFile } from './support/prometheus.ts';

const SETUP_TEST = 'starts Prometheus and a stack with a server and a crasher';

describe('the persistent-stack dashboard on a real Prometheus scraping a real supervisor', () => {
  let dir = '';
  let stackFile = '';
  let prom: ChildServer | undefined;
  let up: CliResult;
  let dashboard: DashboardFile;

  setupOnce(SETUP_TEST, setUp, 120_000);
  afterAll(async () => {
    if (stackFile) await runCli(['stack', 'down', '--file', stackFile]).catch(() => undefined);
    await prom?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });


  async function setUp(): Promise<void> {
    requireBinaries('prometheus');
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-stack-live-'));
    dashboard = (await loadDashboards(join(REPO_ROOT, 'grafana/dashboards'))).find((d) => d.file === 'gauntlet-stack.json')!;
    const metricsPort = await unusedPort();
    stackFile = join(dir, 'live.toml');
    await writeFile(
      stackFile,
      [
        `supervisor = { metricsListen = "127.0.0.1:${metricsPort}" }`,
        '[daemons.web]',
        okServerCommand(),
        'health = { intervalMs = 250 }',
        '[daemons.crasher]',
        `command = [${JSON.stringify(process.execPath)}, "-e", "setTimeout(() => process.exit(3), 300)"]`,
        'restart = { policy = "on-failure", backoffMs = 1500, maxRestarts = 2 }',
        'health = { intervalMs = 250, startTimeoutMs = 15000 }',
        '',
      ].join('\n'),
    );
    // Prometheus first: it scrapes the supervisor from its first second, so counters are seen at 0.
    prom = await startPrometheus([{ job: 'gauntlet-stack', targets: [`127.0.0.1:${metricsPort}`] }]);
    up = await runCli(['stack', 'up', '--file', stackFile, '--json'], { timeoutMs: 60_000 });
    // The crasher's end (failed after two restarts) has been scraped, and a few more scrapes since.
    await eventually(async () => {
      const r = await promQuery(prom!.url, 'gauntlet_stack_daemon_restarts_total{daemon="crasher"} == 2 and on (daemon) gauntlet_stack_daemon_up == 0');
      if (r.length !== 1) throw new Error('the crasher has not failed yet in Prometheus');
    }, 30_000);
    await new Promise((r) => setTimeout(r, 2_500));
  }

  const vars = () => variableDefaults(dashboard);
  const panelExpr = (title: string) => substitute(allPanels(dashboard).find((p) => p.title === title)!.targets![0]!.expr!, vars());

  it('stack up reports the crasher failed after two restarts (exit 1: not all healthy)', () => {
    expect(up.code, up.stderr).toBe(1);
    const r = JSON.parse(up.stdout) as { daemons: Array<{ name: string; status: string; restarts: number }> };
    expect(Object.fromEntries(r.daemons.map((d) => [d.name, `${d.status} ${d.restarts}`]))).toEqual({ crasher: 'failed 2', web: 'running 0' });
  });

  it('every PromQL expression of the dashboard returns data, and every variable offers the stack', async () => {
    const empty: string[] = [];
    for (const p of allPanels(dashboard)) {
      for (const t of p.targets ?? []) {
        const expr = substitute(t.expr!, vars());
        const result = await promQuery(prom!.url, expr);
        if (!result.some((r) => Number.isFinite(Number(r.value[1])))) empty.push(`"${p.title}" ${t.refId}: ${expr}`);
      }
    }
    expect(empty).toEqual([]);
    for (const v of dashboard.json.templating.list.filter((x) => x.type === 'query')) {
      const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(substitute((v.query as { query: string }).query, vars()))!;
      const res = await fetch(`${prom!.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': selector! })}`);
      const values = ((await res.json()) as { data: string[] }).data;
      expect(values.length, `variable ${v.name}`).toBeGreaterThan(0);
      if (v.name === 'stack') expect(values).toEqual(['live']);
      if (v.name === 'daemon') expect(values.sort()).toEqual(['crasher', 'web']);
    }
  });

  it('the numbers are the stack\'s: half up and healthy, two restarts, the crasher failing, the server\'s uptime counting', async () => {
    const one = async (title: string) => {
      const r = await promQuery(prom!.url, panelExpr(title));
      expect(r, title).toHaveLength(1);
      expect(r[0]!.metric.stack, title).toBe('live');
      return Number(r[0]!.value[1]);
    };
    expect(await one('Daemons up')).toBe(0.5);
    expect(await one('Daemons healthy')).toBe(0.5);
    // increase() over the range: 0 → 2, extrapolated at most to the range's end.
    expect(Math.round(await one('Restarts in range'))).toBe(2);
    // Checks that fail while a daemon starts (a refused connection) are `starting`, not `fail`:
    // two restarts raise no failed-check alarm.
    expect(await one('Failed health checks')).toBe(0);
    const perDaemon = async (title: string) => Object.fromEntries((await promQuery(prom!.url, panelExpr(title))).map((r) => [r.metric.daemon, Number(r.value[1])]));
    expect(await perDaemon('Health per daemon')).toEqual({ crasher: 0, web: 1 });
    const uptime = await perDaemon('Uptime per daemon');
    expect(uptime.crasher).toBe(0);
    expect(uptime.web).toBeGreaterThan(1);
    expect(uptime.web).toBeLessThan(120);
    const checks = await promQuery(prom!.url, substitute('sum by (daemon, result) (gauntlet_stack_health_checks_total{stack=~"$stack"})', vars()));
    const count = Object.fromEntries(checks.map((r) => [`${r.metric.daemon} ${r.metric.result}`, Number(r.value[1])]));
    expect(count['web ok']).toBeGreaterThan(0);
    expect(count['crasher starting']).toBeGreaterThan(0);
    expect([count['web fail'], count['crasher fail'], count['crasher ok']]).toEqual([0, 0, 0]);
  });
});
