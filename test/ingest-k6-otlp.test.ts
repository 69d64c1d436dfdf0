import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore, startReceiver } from '../src/collect/index.ts';
import type { LoadReport } from '../src/collect/load/index.ts';
import { runCli } from './support/cli.ts';

/**
 * k6 `--out opentelemetry` → gauntlet's receiver → `ingest k6 --otlp-run ID` → a judged load run.
 * The sender is a real OTLP/HTTP protobuf exporter shaped as k6's output sends (grafana/k6
 * internal/output/opentelemetry, k6 v1.4–v2): meter "k6", K6_OTEL_METRIC_PREFIX=k6_, trend →
 * Float64Histogram in ms, counters, `<rate>.total` with `condition`, k6 tags as attributes, resource
 * service.name=k6 plus OTEL_RESOURCE_ATTRIBUTES (here gauntlet.run.id). Two runners per runtime.
 */
const OTLP_RUN = 'k6-otel-test';
let dir: string;
let storePath: string;

interface Runner {
  runtime: string;
  instance: string;
  host: string;
  samples: number[];
  exponential: boolean;
  temporality: AggregationTemporality;
  tagged?: boolean;
}

async function sendAsK6(url: string, r: Runner, runId = OTLP_RUN): Promise<void> {
  const exporter = new OTLPMetricExporter({ url: `${url}/v1/metrics`, temporalityPreference: r.temporality });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'k6', 'service.version': 'v2.0.0', 'service.instance.id': r.instance, 'gauntlet.run.id': runId }),
    readers: [reader],
    // OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram does this in k6's Go SDK.
    ...(r.exponential ? { views: [{ instrumentName: 'k6_http_req_duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] } : {}),
  });
  const meter = provider.getMeter('k6');
  const duration = meter.createHistogram('k6_http_req_duration', { unit: 'ms' });
  const reqs = meter.createCounter('k6_http_reqs');
  const iterations = meter.createCounter('k6_iterations');
  const failed = meter.createCounter('k6_http_req_failed.total', { valueType: 1 });
  const extra = r.tagged === false ? {} : { runtime: r.runtime };
  r.samples.forEach((ms, i) => {
    const url2 = `http://${r.host}/v1/search`;
    const tags = { expected_response: 'true', group: '', method: 'GET', name: url2, proto: 'HTTP/1.1', scenario: 'default', status: '200', url: url2, ...extra };
    duration.record(ms, tags);
    reqs.add(1, tags);
    failed.add(1, { ...tags, condition: 'zero' });
    iterations.add(1, { group: '', scenario: 'default', ...extra });
    // A mid-run export: cumulative series must be read at their last point, not summed.
    if (i === Math.floor(r.samples.length / 2)) void reader.forceFlush();
  });
  await reader.forceFlush();
  await provider.shutdown();
}

const seeded = (seed: number, n: number, base: number, spread: number) => {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    return Math.round((base + spread * (s / 2 ** 32)) * 1000) / 1000;
  });
};

const runners: Runner[] = [
  { runtime: 'rust', instance: 'rust-1', host: '127.0.0.1:3100', samples: seeded(1, 300, 2, 2), exponential: true, temporality: AggregationTemporality.CUMULATIVE },
  { runtime: 'rust', instance: 'rust-2', host: '127.0.0.1:3100', samples: seeded(2, 200, 2.2, 2.5), exponential: true, temporality: AggregationTemporality.DELTA },
  { runtime: 'go', instance: 'go-1', host: '127.0.0.1:3200', samples: seeded(3, 250, 4, 4), exponential: true, temporality: AggregationTemporality.CUMULATIVE },
  { runtime: 'go', instance: 'go-2', host: '127.0.0.1:3200', samples: seeded(4, 260, 4.5, 4), exponential: true, temporality: AggregationTemporality.CUMULATIVE },
];

describe('k6 --out opentelemetry → receiver → ingest k6 --otlp-run', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-k6-otlp-'));
    storePath = join(dir, 'store.duckdb');
    const store = await SpanStore.open(storePath);
    const receiver = await startReceiver({ store });
    try {
      for (const r of runners) await sendAsK6(receiver.url, r);
      await sendAsK6(receiver.url, { ...runners[0]!, instance: 'explicit', exponential: false }, 'k6-explicit');
      await sendAsK6(receiver.url, { ...runners[0]!, instance: 'untagged', tagged: false }, 'k6-untagged');
    } finally {
      await receiver.close();
      await store.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('two runners per runtime become one judged run: counts exact, quantiles within a bucket', async () => {
    const json = join(dir, 'report.json');
    const r = await runCli(['ingest', 'k6', '--otlp-run', OTLP_RUN, '--service', 'vectord', '--store', storePath, '--json', json, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as LoadReport;
    expect(report).toMatchObject({ source: 'k6-otlp', runtimes: ['rust', 'go'] });
    for (const runtime of ['rust', 'go']) {
      const all = runners.filter((x) => x.runtime === runtime).flatMap((x) => x.samples).sort((a, b) => a - b);
      const s = report.scenarios[0]!.runtimes.find((x) => x.runtime === runtime)!;
      expect(s.iterations).toBe(all.length);
      expect(s.requests).toBe(all.length);
      expect(s.latency.count).toBe(all.length);
      expect(s.latency.min).toBeCloseTo(all[0]!, 9);
      expect(s.latency.max).toBeCloseTo(all.at(-1)!, 9);
      expect(s.latency.avg).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 6);
      for (const [q, got] of [[0.5, s.latency.p50], [0.9, s.latency.p90], [0.99, s.latency.p99]] as const) {
        const want = all[Math.ceil(q * all.length) - 1]!;
        expect(Math.abs(got! - want) / want, `${runtime} p${q * 100}: ${got} vs ${want}`).toBeLessThan(0.03);
      }
    }
    const search = report.scenarios[0]!.routes.find((x) => x.route === '/v1/search')!;
    expect(search.verdict?.verdict, search.verdict?.reason).toBe('slower');
  });

  it("explicit-bucket histograms (the Go SDK's default) are refused with the setting to use", async () => {
    const r = await runCli(['ingest', 'k6', '--otlp-run', 'k6-explicit', '--store', storePath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/k6_http_req_duration arrived as an explicit-bucket histogram/);
    expect(r.stderr).toMatch(/OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram/);
  });

  it('metrics without a runtime attribute: the message says to pass --tag runtime=…', async () => {
    const r = await runCli(['ingest', 'k6', '--otlp-run', 'k6-untagged', '--store', storePath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/k6 run --tag runtime=rust/);
    const none = await runCli(['ingest', 'k6', '--otlp-run', 'no-such-run', '--store', storePath]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no k6 metrics \(instrumentation scope "k6"\)/);
  });
});
