import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { ParityReport } from '../src/analyze/index.ts';
import type { StoredSpan } from '../src/collect/index.ts';
import { HTTP_SERVER_DURATION_BUCKETS } from '../src/daemons/index.ts';
import type { GateResult } from '../src/gate/index.ts';
import type { ExchangeEvent, ExchangeResult } from '../src/probe/index.ts';
import { createGauntletMetrics, LATENCY_BUCKETS_SECONDS } from '../src/telemetry/metrics.ts';
import { recordJudgement } from '../src/report/metrics-judgement.ts';
import { createLoadMetrics } from '../src/telemetry/metrics-load.ts';
import { createMetricsSubscriber } from '../src/telemetry/metrics-probe.ts';
import { pushMetrics } from '../src/telemetry/metrics-push.ts';
import { createSpanMetrics } from '../src/collect/spanmetrics.ts';
import { GauntletError } from '../src/util/errors.ts';
import { unusedPort } from './support/servers.ts';
import { promtoolCheckMetrics, requireBinaries, startPushgateway, type ChildServer } from './support/prometheus.ts';

const side = (runtime: string, status: number) => ({ runtime, status, errorType: null, shapeHash: 'h', clientMs: 1, serverMs: 0.5 });
const pair = (route: string, statuses: [number, number], bodyMatch: boolean) => ({
  service: 'validatord', case: 'c', pairId: 'p', method: 'POST', route,
  primary: side('rust', statuses[0]), candidate: side('go', statuses[1]),
  statusMatch: statuses[0] === statuses[1], shapeMatch: bodyMatch, bodyMatch, findings: [],
});
// A judged run in the shapes buildParityReport and evaluateGate produce (only the fields metrics read).
const report = {
  runId: 'r-1',
  services: [{ service: 'validatord', primary: 'rust', candidate: 'go' }],
  cases: [pair('/v1/validate', [200, 200], true), pair('/v1/validate', [422, 422], false), pair('/v1/validate', [422, 500], false)],
} as unknown as ParityReport;
const gate = {
  verdict: 'fail', score: 75,
  findings: [
    { service: 'validatord', method: 'POST', route: '/v1/validate', kind: 'shape', class: 'enum-encoding', count: 5, label: 'known' },
    { service: 'validatord', method: 'POST', route: '/v1/validate', kind: 'status', class: 'status', count: 1, label: 'new' },
  ],
  resolved: [],
  rules: [
    { rule: 'divergence', service: 'validatord', route: '/v1/validate', status: 'fail' },
    { rule: 'latency', service: 'validatord', route: '/v1/validate', status: 'pass' },
    { rule: 'baseline-divergence', service: 'validatord', status: 'inconclusive' },
  ],
} as unknown as GateResult;

function exchange(path: string, route: string, status: number | undefined, totalMs: number): [ExchangeEvent, ExchangeResult] {
  const request = { runId: 'r-1', driver: 'parity', service: 'vectord', runtime: 'go', role: 'candidate', caseId: 'c', pairId: 'p', baseUrl: 'http://x', method: 'GET', path, route, headers: {} } as const;
  return [{ request, url: `http://x${path}`, headers: {}, startedAt: 0 }, { status, timing: { totalMs } } as ExchangeResult];
}

const span = (over: Partial<StoredSpan>): StoredSpan => ({
  traceId: 't'.repeat(32), spanId: 's'.repeat(16), parentSpanId: null, name: 'GET /v1/collections/{name}', kind: 'SERVER',
  startNs: 1_000_000_000n, endNs: 1_000_400_000n, statusCode: 'UNSET', statusMessage: null, serviceName: 'vectord', scopeName: null,
  resource: { 'gauntlet.runtime': 'rust' }, attributes: { 'http.route': '/v1/collections/{name}', 'http.request.method': 'GET', 'http.response.status_code': 200 },
  events: [], links: [], runId: null, ...over,
});

describe('the documented metric set', () => {
  it('counts exchanges by route template and outcome — never by raw path', async () => {
    const m = createGauntletMetrics();
    const sub = createMetricsSubscriber(m);
    for (const [e, r] of [exchange('/v1/collections/c7?limit=3', '/v1/collections/{name}', 200, 0.4), exchange('/v1/collections/c8', '/v1/collections/{name}', undefined, 3)]) sub.onEnd!(e, r);
    const text = await m.registry.metrics();
    expect(text).toContain('gauntlet_exchanges_total{driver="parity",service="vectord",runtime="go",role="candidate",method="GET",route="/v1/collections/{name}",outcome="2xx"} 1');
    expect(text).toContain('outcome="error"} 1');
    expect(text).not.toMatch(/c7|c8|limit/);
    // 0.4 ms lands in a sub-millisecond bucket: the finer buckets are what make the twins measurable.
    expect(text).toContain('gauntlet_exchange_duration_seconds_bucket{le="0.0005",driver="parity",service="vectord",runtime="go",role="candidate",method="GET",route="/v1/collections/{name}"} 1');
    // OTel's advised buckets (what the daemons use) with five finer ones in front.
    expect(LATENCY_BUCKETS_SECONDS.slice(5)).toEqual(HTTP_SERVER_DURATION_BUCKETS);
    expect(LATENCY_BUCKETS_SECONDS.slice(0, 5)).toEqual([0.0001, 0.00025, 0.0005, 0.001, 0.0025]);
  });

  it('publishes a judged run: exclusive pair results, divergences by ledger label, gate gauges (zeros written)', async () => {
    const m = createGauntletMetrics();
    recordJudgement(m, report, gate, { now: new Date(1_800_000_000_000) });
    const text = await m.registry.metrics();
    const line = (s: string) => expect(text).toContain(s);
    line('gauntlet_pairs_total{service="validatord",method="POST",route="/v1/validate",result="match"} 1');
    line('gauntlet_pairs_total{service="validatord",method="POST",route="/v1/validate",result="diverge"} 1');
    line('gauntlet_pairs_total{service="validatord",method="POST",route="/v1/validate",result="status_mismatch"} 1');
    line('gauntlet_pairs_total{service="validatord",method="POST",route="/v1/validate",result="incomplete"} 0');
    line('gauntlet_divergences_total{service="validatord",method="POST",route="/v1/validate",kind="shape",class="enum-encoding",label="known"} 5');
    line('gauntlet_findings{service="validatord",label="known"} 1');
    line('gauntlet_findings{service="validatord",label="regressed"} 0');
    line('gauntlet_gate_verdict{verdict="fail"} 1');
    line('gauntlet_gate_verdict{verdict="pass"} 0');
    line('gauntlet_gate_score_ratio 0.75');
    line('gauntlet_gate_rules{rule="latency",status="pass"} 1');
    line('gauntlet_gate_failed_rules{service="validatord",route="/v1/validate",rule="divergence"} 1');
    line('gauntlet_gate_failed_rules{service="validatord",route="/v1/validate",rule="latency"} 0');
    line('gauntlet_last_judged_timestamp_seconds 1800000000');
    // A second cycle accumulates counters but replaces the gauges.
    recordJudgement(m, report, { ...gate, verdict: 'pass', score: 100, findings: [], rules: [] } as unknown as GateResult);
    const again = await m.registry.metrics();
    expect(again).toContain('result="match"} 2');
    expect(again).toContain('gauntlet_findings{service="validatord",label="known"} 0');
    expect(again).not.toContain('gauntlet_gate_failed_rules{');
  });

  it('spans → spanmetrics: the connector\'s names, labels and values', async () => {
    const registry = new Registry();
    createSpanMetrics(registry).observe([span({}), span({ statusCode: 'ERROR', attributes: { 'http.route': '/v1/collections/{name}', 'gauntlet.runtime': 'go' } })]);
    const text = await registry.metrics();
    expect(text).toContain('traces_span_metrics_calls_total{service_name="vectord",span_name="GET /v1/collections/{name}",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET",gauntlet_runtime="rust",http_route="/v1/collections/{name}",http_request_method="GET",http_response_status_code="200"} 1');
    // Span attributes win over resource attributes; absent dimensions are omitted, as the connector does.
    expect(text).toContain('status_code="STATUS_CODE_ERROR",gauntlet_runtime="go",http_route="/v1/collections/{name}"} 1');
    expect(text).toContain('traces_span_metrics_duration_seconds_bucket{le="0.0005",service_name="vectord"');
  });

  it('load: the engine\'s OTLP points (delta counters, gauges, exponential histograms) become gauntlet_load_* series', async () => {
    const load = createLoadMetrics();
    const attributes = { 'gauntlet.service': 'vectord', 'gauntlet.runtime': 'rust', 'gauntlet.scenario': 'search', 'gauntlet.run.id': 'r-1' };
    const block = [
      { name: 'gauntlet.load.iterations', kind: 'sum', value: 120, attributes },
      { name: 'gauntlet.load.dropped_iterations', kind: 'sum', value: 3, attributes },
      { name: 'gauntlet.load.rate.target', kind: 'gauge', value: 40, attributes },
      { name: 'gauntlet.load.rate.achieved', kind: 'gauge', value: 39.2, attributes },
      { name: 'gauntlet.load.vus', kind: 'gauge', value: 5, attributes },
      // scale 3: bucket i covers (2^(i/8), 2^((i+1)/8)]; i = −81 is (0.90, 0.98] ms, i = −56 is (7.8, 8.5] ms.
      { name: 'gauntlet.load.request.latency', kind: 'exponential_histogram', scale: 3, zeroCount: 0, positive: { offset: -81, bucketCounts: [100, 0] },
        attributes: { ...attributes, 'http.request.method': 'POST', 'http.route': '/v1/collections/{name}/search', 'gauntlet.status_class': '2xx' } },
      { name: 'gauntlet.load.request.latency', kind: 'exponential_histogram', scale: 3, zeroCount: 0, positive: { offset: -56, bucketCounts: [20] },
        attributes: { ...attributes, 'http.request.method': 'POST', 'http.route': '/v1/collections/{name}/search', 'gauntlet.status_class': '5xx' } },
    ];
    load.recordPoints(block);
    load.recordPoints(block.slice(0, 2)); // delta counters add up across blocks
    const text = await load.registry.metrics();
    const labels = 'service="vectord",runtime="rust",scenario="search"';
    expect(text).toContain(`gauntlet_load_iterations_total{${labels}} 240`);
    expect(text).toContain(`gauntlet_load_dropped_iterations_total{${labels}} 6`);
    expect(text).toContain(`gauntlet_load_rate_target_per_second{${labels}} 40`);
    expect(text).toContain(`gauntlet_load_rate_achieved_per_second{${labels}} 39.2`);
    expect(text).toContain(`gauntlet_load_vus{${labels}} 5`);
    expect(text).toContain(`gauntlet_load_request_latency_seconds_bucket{le="0.001",${labels},method="POST",route="/v1/collections/{name}/search",status_class="2xx"} 100`);
    expect(text).toContain(`gauntlet_load_request_latency_seconds_bucket{le="0.01",${labels},method="POST",route="/v1/collections/{name}/search",status_class="5xx"} 20`);
    expect(text).toContain(`gauntlet_load_request_latency_seconds_bucket{le="0.005",${labels},method="POST",route="/v1/collections/{name}/search",status_class="5xx"} 0`);
  });

  it('every registry we serve or push passes promtool check metrics', async () => {
    requireBinaries('promtool');
    const m = createGauntletMetrics({ processMetrics: true });
    const sub = createMetricsSubscriber(m);
    sub.onEnd!(...exchange('/a', '/a', 200, 1));
    recordJudgement(m, report, gate);
    createSpanMetrics(m.registry).observe([span({})]);
    const load = createLoadMetrics();
    const series = { service: 'vectord', runtime: 'go', scenario: 'search' };
    load.observeRequest(series, { method: 'POST', route: '/v1/collections/{name}/search' }, 200, 0.002);
    load.setRates(series, 100, 98.5);
    load.setVus(series, 4);
    load.setThreshold(series, 'p(95)<200', true);
    for (const text of [await m.registry.metrics(), await load.registry.metrics()]) {
      const r = promtoolCheckMetrics(text);
      expect(r.output).toBe('');
      expect(r.ok).toBe(true);
    }
  });
});

describe('pushing to a Pushgateway', () => {
  let gateway: ChildServer | undefined;
  afterAll(async () => {
    await gateway?.stop();
  });

  it('an unreachable gateway is a clear input error naming the URL', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const err = await pushMetrics(createGauntletMetrics().registry, { url, job: 'gauntlet' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as GauntletError).code).toBe('GAUNTLET_INPUT_INVALID');
    expect((err as GauntletError).describe()).toContain(url);
    expect((err as GauntletError).describe()).toMatch(/ECONNREFUSED/);
  });

  it('a push replaces the group, under the job and grouping labels', async () => {
    requireBinaries('pushgateway');
    gateway = await startPushgateway();
    const m = createGauntletMetrics();
    recordJudgement(m, report, gate);
    await pushMetrics(m.registry, { url: gateway!.url, job: 'gauntlet-ci', groupings: { pipeline: 'main' } });
    const text = await (await fetch(`${gateway!.url}/metrics`)).text();
    expect(text).toMatch(/gauntlet_gate_verdict\{instance="",job="gauntlet-ci",pipeline="main",verdict="fail"\} 1/);
    expect(text).toMatch(/push_time_seconds\{instance="",job="gauntlet-ci",pipeline="main"\}/);
  });
});
