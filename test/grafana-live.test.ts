/**
 * The dashboards on real data, read by a real Prometheus (Debian's), the way Grafana would query them:
 *
 *   the reference vectord twins (rust, go) — services gauntlet does not own, scraped for their /metrics
 *   ├─ `gauntlet run --pushgateway` (a small parity phase, then the load phase) drives them with the built-in load engine: its live
 *   │  `gauntlet_load_*` series go to a real Pushgateway while it runs, the judged thresholds and the
 *   │  gate's verdict when it is done
 *   └─ two stand-in collectors serve spanmetrics of the same spans in both conventions found in the
 *      field: otel-collector.yaml's (seconds, `traces_span_metrics`, `gauntlet_runtime`) and the
 *      connector's defaults with a deployment's own runtime label (milliseconds, another namespace,
 *      `deployment_environment`)
 *
 * Then every PromQL expression of the vectord-load, gauntlet-ci and spanmetrics dashboards returns
 * data (the runtime-parity panels need the `gauntlet watch` daemon: test/prometheus-e2e.test.ts runs
 * one and checks every panel of every dashboard there; the persistent stack's, a `stack up`
 * supervisor: test/grafana-stack-live.test.ts), the spanmetrics panels read the same
 * latencies under both conventions, and so does `analyze --source prometheus --metric spanmetrics`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { setupOnce } from './support/setup-once.ts';
import type { PrometheusAnalysis } from '../src/analyze/prometheus.ts';
import { spawnDaemon, type RunningDaemon } from '../src/daemons/index.ts';
import { LATENCY_BUCKETS_SECONDS } from '../src/telemetry/metrics.ts';
import { createLoadMetrics } from '../src/telemetry/metrics-load.ts';
import { pushMetrics } from '../src/telemetry/metrics-push.ts';
import { REPO_ROOT, runCli, withoutDefaultNote, type CliResult } from './support/cli.ts';
import { tinyVectordScenario } from './support/scenarios.ts';
import { startServer, type TestServer } from './support/servers.ts';
import { allPanels, eventually, loadDashboards, promQuery, requireBinaries, startPrometheus, startPushgateway, substitute, variableDefaults, type ChildServer, type DashboardFile } from './support/prometheus.ts';

const SETUP_TEST = 'starts Prometheus, the Pushgateway, the twins, two collectors and a load run that pushes';
/**
 * What Grafana makes of $__rate_interval with the provisioned data source (timeInterval 15s):
 * at least four scrape intervals. The test's own Prometheus scrapes every second.
 */
const GRAFANA_VARS = { __rate_interval: '1m', __range: '5m' };
/** The field's other convention: the connector's default unit, its own namespace and runtime label. */
/**
 * This run's push job: the Pushgateway is this test's own, but a name no other run uses keeps the
 * assertions about *this* run even if a port were ever shared — and exercises the job variable.
 */
const JOB = `gauntlet-live-${process.pid}`;
/** The variables a user would pick for this run: its job, and the service the collectors report. */
const PICKED = { job: JOB, service: 'vectord' };
const MS_CONVENTION = { prefix: 'edge_traces_span_metrics', duration_unit: 'milliseconds', to_seconds: '0.001', runtime_label: 'deployment_environment' };

/**
 * Panels whose series this test cannot produce, each with the reason. Nothing else may be empty.
 */
const NOT_HERE: Record<string, string> = {};

/** Spanmetrics of one collector: the connector's series under a given prefix, unit and runtime label. */
function collectorRegistry(prefix: string, unit: 's' | 'ms', runtimeLabel: string) {
  // OpenMetrics, as the Collector's prometheus exporter serves it with enable_open_metrics: the
  // format that carries exemplars (a trace id per bucket sample).
  const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const labelNames = ['service_name', 'span_name', 'span_kind', 'status_code', runtimeLabel, 'http_route', 'http_request_method', 'http_response_status_code'];
  const scale = unit === 'ms' ? 1000 : 1;
  const calls = new Counter({ name: `${prefix}_calls_total`, help: 'spans', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: `${prefix}_duration_${unit === 'ms' ? 'milliseconds' : 'seconds'}`,
    help: 'span durations',
    labelNames,
    // The same bucket layout in either unit (otel-collector.yaml's buckets).
    buckets: LATENCY_BUCKETS_SECONDS.map((b) => Math.round(b * scale * 1e6) / 1e6),
    enableExemplars: true,
    registers: [registry],
  });
  let traces = 0;
  return {
    registry,
    observe(runtime: string, route: string, seconds: number) {
      const labels = { service_name: 'vectord', span_name: `POST ${route}`, span_kind: 'SPAN_KIND_SERVER', status_code: 'STATUS_CODE_UNSET', [runtimeLabel]: runtime, http_route: route, http_request_method: 'POST', http_response_status_code: '200' };
      calls.inc(labels);
      // The connector attaches the span's trace id; a deterministic one per observation here.
      const traceId = (++traces).toString(16).padStart(32, '0');
      duration.observe({ labels, value: seconds * scale, exemplarLabels: { trace_id: traceId } });
    },
  };
}

describe('the dashboards on a real Prometheus fed by real load', () => {
  let dir: string;
  let prom: ChildServer;
  let gateway: ChildServer;
  let twins: RunningDaemon[] = [];
  const collectors: TestServer[] = [];
  let run: CliResult;
  let dashboards: DashboardFile[];

  setupOnce(SETUP_TEST, setUp, 240_000);
  afterAll(async () => {
    await Promise.allSettled([...twins.map((d) => d.stop()), ...collectors.map((c) => c.close()), prom?.stop(), gateway?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });


  async function setUp(): Promise<void> {
    requireBinaries('prometheus', 'pushgateway');
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-grafana-live-'));
    dashboards = await loadDashboards(join(REPO_ROOT, 'grafana/dashboards'));
    twins = await Promise.all([spawnDaemon({ service: 'vectord', flavour: 'rust', startTimeoutMs: 60_000 }), spawnDaemon({ service: 'vectord', flavour: 'go', startTimeoutMs: 60_000 })]);
    const [rust, go] = twins as [RunningDaemon, RunningDaemon];

    // Two collectors, the same spans: rust answers in 1–3 ms, go in 6–10 ms (a fixed sequence).
    const seconds = collectorRegistry('traces_span_metrics', 's', 'gauntlet_runtime');
    const millis = collectorRegistry(MS_CONVENTION.prefix, 'ms', MS_CONVENTION.runtime_label);
    for (const c of [seconds, millis]) {
      collectors.push(await startServer((_req, res) => {
        void c.registry.metrics().then((text) => res.writeHead(200, { 'content-type': c.registry.contentType }).end(text));
      }));
    }
    const observeRound = (round: number) => {
      for (let i = 0; i < 150; i++) {
        const f = ((i * 37 + round * 11) % 100) / 100;
        for (const c of [seconds, millis]) {
          c.observe('rust', '/v1/collections/{name}/search', 0.001 + f * 0.002);
          c.observe('go', '/v1/collections/{name}/search', 0.006 + f * 0.004);
        }
      }
    };

    gateway = await startPushgateway();
    prom = await startPrometheus([
      { job: 'runtimes', targets: twins.map((d) => new URL(d.url).host) },
      { job: 'collector-s', targets: [new URL(collectors[0]!.url).host] },
      { job: 'collector-ms', targets: [new URL(collectors[1]!.url).host] },
      { job: 'pushgateway', targets: [new URL(gateway.url).host], honorLabels: true },
    ], ['--enable-feature=exemplar-storage']);
    observeRound(0);

    // 5 s: long enough for several live pushes (one a second) to be scraped — a histogram Prometheus
    // only ever saw at its final value has no rate(), so its quantile panel would be NaN, which a
    // 2 s run on a busy machine (scrapes late) produced. The 1 µs p95 bound fails the gate.
    await writeFile(join(dir, 'tiny.scenarios.yaml'), tinyVectordScenario({ duration: '5s' }));
    await writeFile(join(dir, 'vectord.cases.yaml'), [
      'service: vectord',
      'cases:',
      '  - { id: health, request: { method: GET, path: /healthz } }',
      '  - { id: missing-collection, request: { method: GET, path: /v1/collections/nope, route: "/v1/collections/{name}" } }',
    ].join('\n') + '\n');
    const config = join(dir, 'gauntlet.config.yaml');
    await writeFile(config, [
      'stack:',
      '  services:',
      `    vectord: { primary: rust, candidate: go, runtimes: { rust: { url: "${rust.url}" }, go: { url: "${go.url}" } } }`,
      'run: { load: { scenarios: tiny.scenarios.yaml } }',
      'parity: { cases: [vectord.cases.yaml], repeat: 3 }',
      'load: { workers: 1 }',
      'store: { path: live.duckdb }',
      'reports: { dir: reports }',
      `gate: { ledger: "${join(REPO_ROOT, 'harness/ledger.yaml')}", latency: { critical: false } }`,
      `metrics: { job: ${JOB} }`,
    ].join('\n') + '\n');
    run = await runCli(['run', '--config', config, '--pushgateway', gateway.url], { cwd: dir, timeoutMs: 150_000 });

    // A second round of spans, so rate() sees the collectors' counters move; then two scrapes.
    observeRound(1);
    await new Promise((r) => setTimeout(r, 2500));
  }

  it('the load run pushed while it ran and when judged; the gate failed on the threshold', () => {
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(1);
    expect(run.stdout).toContain(`metrics pushed to ${gateway.url}`);
    expect(run.stdout).toMatch(/gate: fail/);
  });

  it('every PromQL expression of the vectord-load, gauntlet-ci and spanmetrics dashboards returns data', async () => {
    const empty: string[] = [];
    const exempt: string[] = [];
    let evaluated = 0;
    for (const d of dashboards.filter((x) => x.file !== 'runtime-parity.json' && x.file !== 'gauntlet-stack.json')) {
      // The collectors are scraped (job collector-*), not pushed: only the service is picked there.
      const vars = { ...variableDefaults(d), ...GRAFANA_VARS, ...(d.file === 'spanmetrics.json' ? { service: 'vectord' } : PICKED) };
      for (const p of allPanels(d)) {
        for (const t of p.targets ?? []) {
          const key = `${d.file} "${p.title}"`;
          const expr = substitute(t.expr!, vars);
          evaluated++;
          const result = await promQuery(prom.url, expr);
          const data = result.some((r) => Number.isFinite(Number(r.value[1])));
          if (key in NOT_HERE) exempt.push(`${key}: ${data ? 'has data' : 'empty'}`);
          else if (!data) empty.push(`${key} ${t.refId}: ${expr} → ${JSON.stringify(result.slice(0, 2))}`);
        }
      }
    }
    expect(evaluated).toBeGreaterThan(25);
    expect(empty, `${empty.length} of ${evaluated} expressions returned no data`).toEqual([]);
    expect(exempt).toEqual(Object.keys(NOT_HERE).map((k) => `${k}: empty`));
  });

  it('vectord-load: the engine\'s series per runtime, thresholds judged (one pass, one fail), watchers kept apart', async () => {
    const d = dashboards.find((x) => x.file === 'vectord-load.json')!;
    const vars = { ...variableDefaults(d), ...GRAFANA_VARS, ...PICKED };
    const target = (title: string, ref = 'A') => substitute(allPanels(d).find((p) => p.title === title)!.targets!.find((t) => t.refId === ref)!.expr!, vars);
    const rates = await promQuery(prom.url, target('Target vs achieved rate', 'A'));
    expect(rates.map((r) => [r.metric.job, r.metric.runtime, r.metric.scenario, Number(r.value[1])]).sort()).toEqual([
      [JOB, 'go', 'tiny', 40],
      [JOB, 'rust', 'tiny', 40],
    ]);
    const thresholds = await promQuery(prom.url, target('Threshold status'));
    expect(thresholds.map((r) => `${r.metric.runtime} ${r.metric.threshold} ${r.value[1]}`).sort()).toEqual([
      'go http_req_duration p(95)<0.001 0',
      'go http_req_failed rate<0.01 1',
      'rust http_req_duration p(95)<0.001 0',
      'rust http_req_failed rate<0.01 1',
    ]);
    // The load ended a while ago on a busy machine (other tests ran in between): read the quantile
    // over a window that still holds it — rate() over a window with no increase gives NaN.
    const p95 = await promQuery(prom.url, substitute(allPanels(d).find((p) => p.title === 'Latency p50 / p95 / p99 per runtime')!.targets!.find((t) => t.refId === 'B')!.expr!, { ...vars, __rate_interval: '15m' }));
    expect(p95.map((r) => r.metric.runtime).sort()).toEqual(['go', 'rust']);
    for (const r of p95) expect(Number(r.value[1])).toBeGreaterThan(0);
    // A second load runner of the same job (k6-operator style parallel runners, or two watchers):
    // its series stay its own — never summed into one 80/s line.
    const second = createLoadMetrics();
    for (const runtime of ['rust', 'go']) second.setRates({ service: 'vectord', runtime, scenario: 'tiny' }, 40, 39);
    await pushMetrics(second.registry, { url: gateway.url, job: JOB, groupings: { instance: 'runner-2', source: 'load' } });
    await eventually(async () => {
      const both = await promQuery(prom.url, target('Target vs achieved rate', 'A'));
      expect(both.map((r) => `${r.metric.instance || '(pushed without instance)'} ${r.metric.runtime} ${r.value[1]}`).sort()).toEqual([
        '(pushed without instance) go 40',
        '(pushed without instance) rust 40',
        'runner-2 go 40',
        'runner-2 rust 40',
      ]);
    }, 15_000);
    // The variables narrow: one runtime, one route.
    const goOnly = await promQuery(prom.url, substitute(allPanels(d).find((p) => p.title === 'Requests by runtime and status class')!.targets![0]!.expr!, { ...vars, runtime: 'go', route: '.*/search' }));
    expect(goOnly.map((r) => `${r.metric.runtime} ${r.metric.status_class}`)).toEqual(['go 2xx']);
    // $instance narrows to one runner.
    const one = await promQuery(prom.url, substitute(allPanels(d).find((p) => p.title === 'Target vs achieved rate')!.targets![0]!.expr!, { ...vars, instance: 'runner-2' }));
    expect(one.map((r) => r.metric.instance)).toEqual(['runner-2', 'runner-2']);
  });

  it('gauntlet-ci: the failed gate reads "fail" (0, mapped red) and is an annotation at the time it was judged', async () => {
    const d = dashboards.find((x) => x.file === 'gauntlet-ci.json')!;
    const vars = { ...variableDefaults(d), ...GRAFANA_VARS, ...PICKED };
    const verdict = await promQuery(prom.url, substitute(allPanels(d).find((p) => p.title === 'Latest verdict')!.targets![0]!.expr!, vars));
    expect(verdict.map((r) => [r.metric.job, r.value[1]])).toEqual([[JOB, '0']]);
    const annotation = (d.json as unknown as { annotations: { list: Array<{ name: string; target?: { expr: string } }> } }).annotations.list.find((a) => a.name === 'Gate runs')!;
    const marks = await promQuery(prom.url, substitute(annotation.target!.expr, vars));
    expect(marks).toHaveLength(1);
    expect(marks[0]!.metric.verdict).toBe('fail');
    // useValueForTime: the value is the judgement's time in ms — within this test's lifetime.
    const at = Number(marks[0]!.value[1]);
    expect(at).toBeGreaterThan(Date.now() - 600_000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('spanmetrics dashboard: the same latencies under both conventions (s + gauntlet_runtime, ms + another prefix and runtime label)', async () => {
    const d = dashboards.find((x) => x.file === 'spanmetrics.json')!;
    const base = { ...variableDefaults(d), ...GRAFANA_VARS, service: 'vectord' };
    for (const p of allPanels(d)) {
      for (const t of p.targets ?? []) {
        const [s, ms] = await Promise.all([promQuery(prom.url, substitute(t.expr!, base)), promQuery(prom.url, substitute(t.expr!, { ...base, ...MS_CONVENTION }))]);
        const values = (r: typeof s) => Object.fromEntries(r.map((x) => [`${x.metric.runtime ?? ''} ${x.metric.http_route ?? ''} ${x.metric.http_response_status_code ?? ''}`, Number(x.value[1])]));
        const a = values(s);
        const b = values(ms);
        expect(Object.keys(b).sort(), `"${p.title}" ${t.refId}`).toEqual(Object.keys(a).sort());
        expect(Object.keys(a).length, `"${p.title}" ${t.refId} has series`).toBeGreaterThan(0);
        for (const k of Object.keys(a)) {
          expect(Number.isFinite(a[k]!), `"${p.title}" ${t.refId} ${k}`).toBe(true);
          // Two scrape targets, scraped at different instants: rates agree up to rate()'s
          // extrapolation to the window's edges; quantiles (interpolated inside the same buckets) closely.
          const what = `"${p.title}" ${t.refId} ${k}: ${a[k]} (s) vs ${b[k]} (ms)`;
          if (/histogram_quantile/.test(t.expr!)) expect(b[k]!, what).toBeCloseTo(a[k]!, 4);
          else if (a[k] === 0) expect(b[k], what).toBe(0);
          else {
            expect(b[k]! / a[k]!, what).toBeGreaterThan(0.7);
            expect(b[k]! / a[k]!, what).toBeLessThan(1.4);
          }
        }
      }
    }
    const p95 = await promQuery(prom.url, substitute(allPanels(d).find((p) => p.title.startsWith('Latency'))!.targets!.find((t) => t.refId === 'B')!.expr!, { ...base, ...MS_CONVENTION }));
    const byRuntime = Object.fromEntries(p95.map((r) => [r.metric.runtime, Number(r.value[1])]));
    // Read in seconds whatever the unit: rust's p95 (≈2.9 ms) in the (2.5, 5] ms bucket, go's (≈9.8 ms) in (5, 10].
    expect(byRuntime.rust).toBeGreaterThan(0.0025);
    expect(byRuntime.rust).toBeLessThanOrEqual(0.005);
    expect(byRuntime.go).toBeGreaterThan(0.005);
    expect(byRuntime.go).toBeLessThanOrEqual(0.01);
  });

  it('the latency panels\' exemplars reach Grafana: trace ids for the panel\'s own query, under both conventions', async () => {
    const d = dashboards.find((x) => x.file === 'spanmetrics.json')!;
    const panel = allPanels(d).find((p) => p.title.startsWith('Latency'))!;
    const target = panel.targets!.find((t) => t.refId === 'B')! as { expr: string; exemplar?: boolean };
    expect(target.exemplar).toBe(true);
    for (const conv of [{}, MS_CONVENTION]) {
      const expr = substitute(target.expr, { ...variableDefaults(d), ...GRAFANA_VARS, service: 'vectord', ...conv });
      // What Grafana asks for when a panel target has exemplar: true.
      const now = Date.now() / 1000;
      const res = await fetch(`${prom.url}/api/v1/query_exemplars?${new URLSearchParams({ query: expr, start: String(now - 300), end: String(now) })}`);
      const body = (await res.json()) as { status: string; data: Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string> }> }> };
      expect(body.status).toBe('success');
      const ids = body.data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
      expect(ids.length, JSON.stringify(conv)).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
      // The data source's exemplarTraceIdDestinations (provisioning) names exactly this label.
      expect(new Set(body.data.map((s) => s.seriesLabels.job))).toEqual(new Set([Object.keys(conv).length ? 'collector-ms' : 'collector-s']));
    }
  });

  it('analyze --metric spanmetrics judges both conventions alike: --metric-unit ms --metric-prefix --runtime-label', async () => {
    const config = join(dir, 'gauntlet.config.yaml');
    const analyze = async (extra: string[]) => {
      const r = await runCli(['analyze', '--source', 'prometheus', '--url', prom.url, '--metric', 'spanmetrics', '--window', '1m', '--service', 'vectord', '--config', config, '--json', '-', ...extra], { cwd: dir });
      expect(withoutDefaultNote(r.stderr)).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as PrometheusAnalysis;
    };
    const s = await analyze([]);
    const ms = await analyze(['--metric-unit', 'ms', '--metric-prefix', MS_CONVENTION.prefix, '--runtime-label', MS_CONVENTION.runtime_label]);
    expect(s.metric).toBe('traces_span_metrics_duration_seconds');
    expect(ms.metric).toBe('edge_traces_span_metrics_duration_milliseconds');
    const route = (a: PrometheusAnalysis) => a.services[0]!.routes.find((r) => r.route === '/v1/collections/{name}/search')!;
    expect(route(s).latency.verdict).toBe('slower');
    expect(route(ms).latency.verdict).toBe('slower');
    // The same quantiles in ms, up to the two targets' scrape offsets.
    for (const q of route(s).latency.quantiles) {
      const other = route(ms).latency.quantiles.find((x) => x.p === q.p)!;
      expect(other.a).toBeCloseTo(q.a, 1);
      expect(other.b).toBeCloseTo(q.b, 1);
    }
    // Counts are increase() over the window: each target's is extrapolated to the window's edges by
    // up to ~1.5 scrape intervals at the series' average slope, and these series are only as old as
    // the test (~10 s sampled), so two targets scraped at different instants differ by up to ~15%
    // (0.85 seen on a busy machine) — the same tolerance as the rate panels above.
    expect(route(ms).n.primary / route(s).n.primary).toBeGreaterThan(0.7);
    expect(route(ms).n.primary / route(s).n.primary).toBeLessThan(1.4);
    // Without the options the ms collector's series are not found: the error names the metric and URL.
    const wrong = await runCli(['analyze', '--source', 'prometheus', '--url', prom.url, '--metric', 'spanmetrics', '--metric-prefix', MS_CONVENTION.prefix, '--window', '1m', '--service', 'vectord', '--config', config], { cwd: dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no edge_traces_span_metrics_duration_seconds series');
    const bad = await runCli(['analyze', '--source', 'prometheus', '--url', prom.url, '--metric', 'http', '--metric-unit', 'ms', '--config', config], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metric-unit and --metric-prefix apply to --metric spanmetrics only');
  });
});
