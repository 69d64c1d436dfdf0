/**
 * Acceptance of issue 6, items 1–5, against a real Prometheus and Pushgateway (Debian packages):
 *
 *   real twins (validatord rust/go — go 10 ms slower on its route — and vectord rust/go), run as
 *   services gauntlet does not own, exporting spans to `gauntlet watch`'s collector
 *   ├─ Prometheus scrapes their /metrics, `gauntlet watch --spanmetrics`'s /metrics and the Pushgateway
 *   ├─ `gauntlet run --pushgateway` pushes a real batch run (reference daemons of its own)
 *   └─ the load series: real requests to the vectord twins recorded with createLoadMetrics and pushed
 *      twice, as the load engine does (synthetic: the driver loop, not the engine; the latencies are real —
 *      test/grafana-live.test.ts drives the real engine and checks the load dashboard on what it pushes)
 *
 * Then every PromQL expression of every dashboard panel must return data, promtool must accept
 * every /metrics we serve, and `analyze --source prometheus` must reach the span store's verdicts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setupOnce } from './support/setup-once.ts';
import { buildParityReport, latencySeries, pickComparable, reconstructExchanges } from '../src/analyze/index.ts';
import type { PrometheusAnalysis } from '../src/analyze/prometheus.ts';
import { SpanStore, type StoredSpan } from '../src/collect/index.ts';
import { readConfig } from '../src/config/index.ts';
import { HTTP_SERVER_DURATION_BUCKETS, spawnDaemon, type RunningDaemon } from '../src/daemons/index.ts';
import { evaluateGate, LedgerMatcher } from '../src/gate/index.ts';
import { quantile } from '../src/judge/index.ts';
import { createLoadMetrics } from '../src/telemetry/metrics-load.ts';
import { pushMetrics } from '../src/telemetry/metrics-push.ts';
import { BIN, REPO_ROOT, runCli, type CliResult, withoutDefaultNote } from './support/cli.ts';
import { unusedPort } from './support/servers.ts';
import { allPanels, eventually, loadDashboards, promQuery, promtoolCheckMetrics, startPrometheus, requireBinaries, startPushgateway, substitute, variableDefaults, type ChildServer } from './support/prometheus.ts';

const CASES = join(REPO_ROOT, 'harness/parity/validatord.cases.yaml');
const LEDGER = join(REPO_ROOT, 'harness/ledger.yaml');
const SETUP_TEST = 'starts Prometheus, the Pushgateway, the twins, a pushing run and watch';
const INTERVAL_S = 3; // long enough for an idle gap with a scrape in it between two cycles

describe('a real Prometheus fed by a real gauntlet run', () => {
  let dir: string;
  let prom: ChildServer;
  let gateway: ChildServer;
  let daemons: RunningDaemon[] = [];
  let watch: ChildProcess;
  let watchOut = '';
  let watchExit: Promise<number | null>;
  let watchUrl: string;
  let pushedRun: CliResult;
  let unreachablePush: CliResult;
  const served: Record<string, string> = {};

  const config = (name: string, lines: string[]) => writeFile(join(dir, name), lines.join('\n') + '\n').then(() => join(dir, name));
  const cycles = () => [...watchOut.matchAll(/^cycle (\d+) /gm)].length;

  // One slow or failed start (Prometheus, a twin, watch) is ONE failure: see setupOnce.
  setupOnce(SETUP_TEST, setUp, 240_000);


  async function setUp(): Promise<void> {
    requireBinaries('prometheus', 'promtool', 'pushgateway');
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-prom-e2e-'));
    const collectorPort = await unusedPort();
    const watchPort = await unusedPort();
    watchUrl = `http://127.0.0.1:${watchPort}`;
    const otlpEndpoint = `http://127.0.0.1:${collectorPort}`;
    // Four OTel-instrumented Node processes booting at once on two busy cores: a generous start timeout.
    const startTimeoutMs = 60_000;
    daemons = await Promise.all([
      spawnDaemon({ service: 'validatord', flavour: 'rust', otlpEndpoint, startTimeoutMs }),
      spawnDaemon({ service: 'validatord', flavour: 'go', otlpEndpoint, extraArgs: ['--fault-latency-ms', '10'], startTimeoutMs }),
      spawnDaemon({ service: 'vectord', flavour: 'rust', otlpEndpoint, startTimeoutMs }),
      spawnDaemon({ service: 'vectord', flavour: 'go', otlpEndpoint, startTimeoutMs }),
    ]);
    const [vr, vg, xr, xg] = daemons as [RunningDaemon, RunningDaemon, RunningDaemon, RunningDaemon];
    for (const d of [xr, xg]) await fetch(`${d.url}/v1/collections/c1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"dimension":3,"metric":"cosine"}' });
    gateway = await startPushgateway();
    prom = await startPrometheus([
      { job: 'runtimes', targets: daemons.map((d) => new URL(d.url).host) },
      { job: 'gauntlet-watch', targets: [`127.0.0.1:${watchPort}`] },
      // honor_labels: pushed series keep the job they were pushed under.
      { job: 'pushgateway', targets: [new URL(gateway.url).host], honorLabels: true },
    ]);

    await writeFile(join(dir, 'vectord.cases.yaml'), [
      'service: vectord',
      'cases:',
      '  - { id: health, request: { method: GET, path: /healthz } }',
      '  - { id: get-collection, request: { method: GET, path: /v1/collections/c1, route: "/v1/collections/{name}" } }',
      '  - { id: missing-collection, request: { method: GET, path: /v1/collections/nope, route: "/v1/collections/{name}" } }',
    ].join('\n'));
    const watchConfig = await config('watch.yaml', [
      'stack:',
      '  services:',
      `    validatord: { primary: rust, candidate: go, runtimes: { rust: { url: "${vr.url}" }, go: { url: "${vg.url}" } } }`,
      `    vectord: { primary: rust, candidate: go, runtimes: { rust: { url: "${xr.url}" }, go: { url: "${xg.url}" } } }`,
      `parity: { cases: ["${CASES}", vectord.cases.yaml] }`,
      `collector: { port: ${collectorPort} }`,
      'store: { path: watch-store.duckdb }',
      `gate: { ledger: "${LEDGER}" }`,
      `watch: { repeat: 8, interval: ${INTERVAL_S}s, listen: "127.0.0.1:${watchPort}", spanmetrics: true }`,
    ]);
    watch = spawn(process.execPath, [BIN, 'watch', '--config', watchConfig], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    watch.stdout!.on('data', (d: Buffer) => (watchOut += d.toString()));
    watch.stderr!.on('data', (d: Buffer) => (watchOut += d.toString()));
    watchExit = new Promise((r) => watch.once('exit', (code) => r(code)));

    // A short batch run that pushes; later the CI re-judgement of it is pointed at a dead gateway.
    const runConfig = (name: string) => config(`${name}.yaml`, [
      'stack: { services: { validatord: { primary: rust, candidate: go, runtimes: { rust: { reference: { flavour: rust } }, go: { reference: { flavour: go } } } } } }',
      `parity: { cases: ["${CASES}"], repeat: 5 }`,
      `store: { path: ${name}.duckdb }`,
      `reports: { dir: ${name}-reports }`,
      `gate: { ledger: "${LEDGER}" }`,
    ]);
    const batch = runCli(['run', '--config', await runConfig('pushed'), '--pushgateway', gateway.url], { cwd: dir, timeoutMs: 80_000 });

    pushedRun = await batch;
    const runId = /gauntlet gate --run (\S+)/.exec(pushedRun.stdout)?.[1] ?? 'missing';
    unreachablePush = await runCli(['gate', '--run', runId, '--config', join(dir, 'pushed.yaml'), '--pushgateway', `http://127.0.0.1:${await unusedPort()}`, '--gate-json', join(dir, 'regate.json'), '--quiet'], { cwd: dir });
    await eventually(async () => {
      if (cycles() < 5) throw new Error(`watch has done ${cycles()} cycles:\n${watchOut}`);
    }, 70_000);
    // The load engine's series, from real requests to the vectord twins, pushed twice so rate() sees them move —
    // last, so the dashboards' rate windows still hold both pushes.
    const load = createLoadMetrics();
    for (let round = 0; round < 2; round++) {
      for (const [runtime, d] of [['rust', xr], ['go', xg]] as const) {
        const series = { service: 'vectord', runtime, scenario: 'lookup' };
        const started = performance.now();
        for (let i = 0; i < 40; i++) {
          const t0 = performance.now();
          // A route the watch does not probe, so the parity comparison's windows see none of this.
          const res = await fetch(`${d.url}/v1/collections/c1/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"vector":[1,0,0],"limit":3}' });
          await res.arrayBuffer();
          load.observeRequest(series, { method: 'POST', route: '/v1/collections/{name}/search' }, res.status, (performance.now() - t0) / 1000);
        }
        load.setRates(series, 200, 40 / ((performance.now() - started) / 1000));
        load.addIterations(series, 40, 0);
        load.setVus(series, 1);
        load.setThreshold(series, 'p(95)<250', true);
      }
      await pushMetrics(load.registry, { url: gateway.url, job: 'gauntlet-load', groupings: { scenario: 'lookup' } });
      if (round === 0) await new Promise((r) => setTimeout(r, 1500));
    }

    // Two scrape intervals, so the last pushes and cycle are in Prometheus.
    await new Promise((r) => setTimeout(r, 2200));
    for (const d of daemons) served[`${d.service} ${d.runtime}`] = await (await fetch(`${d.url}/metrics`)).text();
    served['gauntlet watch'] = await (await fetch(`${watchUrl}/metrics`)).text();
  }

  afterAll(async () => {
    if (watch && watch.exitCode === null) watch.kill('SIGKILL');
    await Promise.allSettled([...daemons.map((d) => d.stop()), prom?.stop(), gateway?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the batch run pushed its metrics; an unreachable Pushgateway is a clear error after the reports were written', () => {
    expect(pushedRun.stdout, pushedRun.stderr).toContain(`metrics pushed to ${gateway.url}`);
    const runId = /gauntlet gate --run (\S+)/.exec(pushedRun.stdout)![1]!;
    for (const f of ['report.json', 'gate.json', 'junit.xml', 'summary.md']) expect(existsSync(join(dir, 'pushed-reports', runId, f)), f).toBe(true);
    // Re-judging the run for CI with a dead gateway: exit 2 naming the URL, the gate output still written.
    expect(unreachablePush.code, unreachablePush.stderr).toBe(2);
    expect(unreachablePush.stderr).toMatch(/GAUNTLET_INPUT_INVALID: http:\/\/127\.0\.0\.1:\d+: cannot push metrics to the Pushgateway: ECONNREFUSED/);
    expect(existsSync(join(dir, 'regate.json'))).toBe(true);
  });

  it('every PromQL expression of every dashboard panel returns data (the persistent stack\'s in its own test)', async () => {
    const dashboards = await loadDashboards(join(REPO_ROOT, 'grafana/dashboards'));
    const empty: string[] = [];
    let evaluated = 0;
    // The persistent stack's dashboard needs a `stack up` supervisor: test/grafana-stack-live.test.ts.
    for (const d of dashboards.filter((x) => x.file !== 'gauntlet-stack.json')) {
      const vars = variableDefaults(d);
      for (const v of d.json.templating.list.filter((x) => x.type === 'query')) {
        // label_values(selector, label) is what Grafana asks the series API for.
        const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(substitute((v.query as { query: string }).query, vars))!;
        const res = await fetch(`${prom.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': selector! })}`);
        const values = ((await res.json()) as { data: string[] }).data;
        // A multi-select defaulting to All (allValue `.*`) needs no value of its own (a pushed
        // series' instance is ""); a single value must be offered.
        if (vars[v.name] === '.*') continue;
        if (!values.includes(vars[v.name]!)) empty.push(`${d.file} variable ${v.name}: ${vars[v.name]} not in [${values.join(', ')}]`);
      }
      for (const p of allPanels(d)) {
        for (const t of p.targets ?? []) {
          const expr = substitute(t.expr!, vars);
          evaluated++;
          const result = await promQuery(prom.url, expr);
          // Data = at least one finite sample: a NaN from 0/0 or a quantile of nothing is no data.
          if (!result.some((r) => Number.isFinite(Number(r.value[1])))) empty.push(`${d.file} "${p.title}" ${t.refId}: ${expr} → ${JSON.stringify(result.slice(0, 2))}`);
        }
      }
    }
    expect(evaluated).toBeGreaterThan(40);
    expect(empty, `${empty.length} of ${evaluated} expressions returned no data`).toEqual([]);
  });

  it('promtool check metrics passes on every /metrics we serve (validatord, vectord, watch)', () => {
    expect(Object.keys(served).sort()).toEqual(['gauntlet watch', 'validatord go', 'validatord rust', 'vectord go', 'vectord rust']);
    for (const [who, text] of Object.entries(served)) {
      const r = promtoolCheckMetrics(text);
      expect(r.output, who).toBe('');
      expect(r.ok, who).toBe(true);
    }
    expect(served['gauntlet watch']).toContain('traces_span_metrics_duration_seconds_bucket{');
  });

  it('watch stops cleanly on SIGTERM', async () => {
    watch.kill('SIGTERM');
    expect(await watchExit).toBe(0);
    expect(watchOut).toMatch(/watch: stopped after \d+ cycles\n$/);
  });

  it('analyze --source prometheus reaches the span store\'s per-route verdicts, within histogram resolution', async () => {
    // The watch cycles become the "run": cycles 2..n-1 (cycle 1 carries cold-start outliers), and
    // a window from just after cycle 1 ended to just after cycle n-1 ended (a scrape lies in between).
    const store = await SpanStore.open(join(dir, 'watch-store.duckdb'));
    let runs: Array<{ spans: StoredSpan[]; first: number; last: number }>;
    try {
      const list = (await store.listRuns()).map((r) => ({ runId: r.runId, first: Number(r.firstNs) / 1e9, last: Number(r.lastNs) / 1e9 }));
      runs = await Promise.all(list.map(async (r) => ({ ...r, spans: await store.spansForRun(r.runId) })));
    } finally {
      await store.close();
    }
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const inWindow = runs.slice(1, -1);
    const start = runs[0]!.last + 0.1;
    const end = Math.min(inWindow.at(-1)!.last + 1.2, runs.at(-1)!.first - 0.05);
    const spans = inWindow.flatMap((r) => r.spans);

    const loaded = await readConfig(join(dir, 'watch.yaml'));
    const report = buildParityReport('watch-window', spans);
    const series = latencySeries(reconstructExchanges(spans));
    const gate = await evaluateGate({ report, series, ledger: new LedgerMatcher(undefined), rules: loaded.config.gate });

    const cli = await runCli(['analyze', '--source', 'prometheus', '--url', prom.url, '--window', `${Math.round((end - start) * 1000)}ms`, '--end', end.toFixed(3), '--config', join(dir, 'watch.yaml'), '--json', '-'], { cwd: dir });
    expect(withoutDefaultNote(cli.stderr)).toBe('');
    expect(cli.code).toBe(0);
    const analysis = JSON.parse(cli.stdout) as PrometheusAnalysis;

    const fromProm = new Map(analysis.services.flatMap((s) => s.routes.map((r) => [`${s.service} ${r.method} ${r.route}`, r])));
    const bucketOf = (v: number) => HTTP_SERVER_DURATION_BUCKETS.findIndex((le) => v <= le * 1000);
    const disagreements: string[] = [];
    for (const row of gate.latency) {
      const key = `${row.service} ${row.method} ${row.route}`;
      const p = fromProm.get(key);
      expect(p, `${key} missing from the Prometheus analysis`).toBeDefined();
      // Counts: the same requests, up to increase() extrapolating to the window's edges — which only
      // adds here (the counters are flat in the idle gaps at both edges): ≤ ~1.1 scrape intervals a
      // side of a ~12.6 s window. Came out 1.06. (It was 0.79–0.80 while Prometheus's first scrape
      // came after the first cycles: see startPrometheus.) One lost cycle of four reads ≈ 0.8.
      expect(p!.n.primary / row.verdict.n.a, `${key} sample size`).toBeGreaterThan(0.9);
      expect(p!.n.primary / row.verdict.n.a, `${key} sample size`).toBeLessThan(1.3);
      if (p!.latency.verdict === row.verdict.verdict) continue;
      // Different verdicts are fine only where the histogram cannot see the difference: each side's
      // p50/p95/p99 from the raw server-span samples fall in the same bucket.
      const a = series.find((s) => s.service === row.service && s.route === row.route && s.runtime === row.primary)!;
      const b = series.find((s) => s.service === row.service && s.route === row.route && s.runtime === row.candidate)!;
      const pick = pickComparable(a, b);
      const same = [0.5, 0.95, 0.99].every((q) => bucketOf(quantile(Float64Array.from(pick.a).sort(), q)) === bucketOf(quantile(Float64Array.from(pick.b).sort(), q)));
      if (!same) disagreements.push(`${key}: span store ${row.verdict.verdict} (${row.verdict.reason}) vs prometheus ${p!.latency.verdict} (${p!.latency.reason})`);
    }
    expect(disagreements).toEqual([]);
    // The injected fault is seen by both: go is 10 ms slower on validatord's route.
    expect(gate.latency.find((r) => r.service === 'validatord')?.verdict.verdict).toBe('slower');
    expect(fromProm.get('validatord POST /v1/validate')?.latency.verdict).toBe('slower');
    expect(gate.latency.map((r) => r.route).sort()).toEqual(['/healthz', '/v1/collections/{name}', '/v1/validate']);
  });
});
