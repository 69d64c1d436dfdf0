import { gzipSync } from 'node:zlib';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore, decodeMetrics, encodeMetricsRequest, startReceiver, type Receiver, type StoredMetricPoint } from '../src/collect/index.ts';

/**
 * OTLP metrics into the store, sent by the real OpenTelemetry JS exporters (protobuf and JSON):
 * every data-point kind gauntlet reads comes back from `metricsForRun` with its attributes, times,
 * counts, bounds and buckets.
 */
let store: SpanStore;
let receiver: Receiver;

beforeAll(async () => {
  store = await SpanStore.open(':memory:');
  receiver = await startReceiver({ store });
});
afterAll(async () => {
  await receiver.close();
  await store.close();
});

async function exportWith(kind: 'proto' | 'json', runId: string, temporality: 'delta' | 'cumulative'): Promise<void> {
  const options = {
    url: `${receiver.url}/v1/metrics`,
    temporalityPreference: temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter = kind === 'proto' ? new ProtoMetricExporter(options) : new JsonMetricExporter(options);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'metrics-test', 'gauntlet.run.id': runId }),
    readers: [reader],
    views: [{ instrumentName: 'test.latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } } }],
  });
  const meter = provider.getMeter('gauntlet-test', '1.0.0');
  const attrs = { 'gauntlet.runtime': 'rust', 'http.route': '/v1/x' };
  meter.createCounter('test.requests', { unit: '{request}', description: 'requests sent' }).add(7, attrs);
  meter.createUpDownCounter('test.inflight').add(-3, attrs);
  meter.createGauge('test.rate', { unit: '{request}/s' }).record(123.5, attrs);
  const explicit = meter.createHistogram('test.latency', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.1, 1] } });
  for (const v of [0.005, 0.05, 0.05, 0.5, 5]) explicit.record(v, attrs);
  const exp = meter.createHistogram('test.latency.exp', { unit: 's' });
  for (let i = 1; i <= 100; i++) exp.record(i / 1000, attrs);
  // shutdown() collects and exports once; a forceFlush() before it would export cumulative points twice.
  await provider.shutdown();
}

const byName = (points: StoredMetricPoint[], name: string) => {
  const found = points.filter((p) => p.name === name);
  expect(found, `metric ${name}`).toHaveLength(1);
  return found[0]!;
};

describe.each(['proto', 'json'] as const)('OTLP metrics from the %s exporter', (kind) => {
  it.each(['delta', 'cumulative'] as const)('stores sum, gauge, explicit and exponential histogram points (%s)', async (temporality) => {
    const runId = `metrics-${kind}-${temporality}`;
    await exportWith(kind, runId, temporality);
    const points = await store.metricsForRun(runId);
    expect(new Set(points.map((p) => p.name))).toEqual(new Set(['test.requests', 'test.inflight', 'test.rate', 'test.latency', 'test.latency.exp']));
    for (const p of points) {
      expect(p.attributes, p.name).toEqual({ 'gauntlet.runtime': 'rust', 'http.route': '/v1/x' });
      expect(p.resource['service.name'], p.name).toBe('metrics-test');
      expect(p.serviceName).toBe('metrics-test');
      expect(p.scopeName).toBe('gauntlet-test');
      expect(p.runId).toBe(runId);
      expect(p.timeNs > 0n, `${p.name} timeNs`).toBe(true);
    }

    const counter = byName(points, 'test.requests');
    expect(counter).toMatchObject({ kind: 'sum', monotonic: true, temporality, value: 7, unit: '{request}', description: 'requests sent' });
    expect(counter.startNs > 0n && counter.startNs <= counter.timeNs).toBe(true);
    // An up-down counter is a non-monotonic sum, cumulative whatever the preference (the SDK's rule).
    expect(byName(points, 'test.inflight')).toMatchObject({ kind: 'sum', monotonic: false, value: -3 });
    expect(byName(points, 'test.rate')).toMatchObject({ kind: 'gauge', temporality: null, value: 123.5 });

    const explicit = byName(points, 'test.latency');
    expect(explicit).toMatchObject({ kind: 'histogram', temporality, unit: 's', count: 5, min: 0.005, max: 5, bounds: [0.01, 0.1, 1], bucketCounts: [1, 2, 1, 1] });
    expect(explicit.sum).toBeCloseTo(5.605, 9);

    const exp = byName(points, 'test.latency.exp');
    expect(exp).toMatchObject({ kind: 'exponential_histogram', temporality, count: 100, min: 0.001, max: 0.1, zeroCount: 0 });
    expect(exp.sum).toBeCloseTo(5.05, 9);
    const buckets = exp.positive!.bucketCounts;
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(100);
    // Every value lies in its bucket: (base^(offset+i), base^(offset+i+1)].
    const base = 2 ** (2 ** -exp.scale!);
    const lowest = buckets.findIndex((c) => c > 0);
    expect(base ** (exp.positive!.offset + lowest)).toBeLessThan(0.001);
    expect(base ** (exp.positive!.offset + lowest + 1)).toBeGreaterThanOrEqual(0.001);
  });
});

describe('/v1/metrics edge cases', () => {
  it('accepts a gzip-compressed JSON body with int64s as strings and enum names', async () => {
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'gauntlet.run.id', value: { stringValue: 'gz-run' } }] },
          scopeMetrics: [
            {
              scope: { name: 'hand' },
              metrics: [
                {
                  name: 'n',
                  sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', isMonotonic: true, dataPoints: [{ asInt: '42', timeUnixNano: '1700000000000000000', startTimeUnixNano: '1699999999000000000' }] },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await request(`${receiver.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(body)) });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('{}');
    const [p] = await store.metricsForRun('gz-run');
    expect(p).toMatchObject({ name: 'n', kind: 'sum', temporality: 'delta', value: 42, timeNs: 1700000000000000000n, startNs: 1699999999000000000n });
  });

  it('rejects a malformed body with 400 and a path, storing nothing', async () => {
    const before = receiver.stats().metricPointsStored;
    const bad = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'h', histogram: { dataPoints: [{ explicitBounds: [1, 2], bucketCounts: ['1'] }] } }] }] }] };
    const res = await request(`${receiver.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toContain('resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0]');
    expect(receiver.stats().metricPointsStored).toBe(before);
  });

  it('round-trips what metrics-encode writes (the load engine exporter) through the protobuf decoder', () => {
    const bytes = encodeMetricsRequest(
      [
        {
          name: 'http.client.request.duration',
          kind: 'exponential_histogram',
          unit: 's',
          temporality: 'delta',
          startNs: 10n,
          timeNs: 20n,
          count: 3,
          sum: 0.6,
          min: 0.1,
          max: 0.3,
          scale: 8,
          zeroCount: 0,
          positive: { offset: -850, bucketCounts: [1, 0, 2] },
          attributes: { 'gauntlet.runtime': 'go', n: 3, ok: true, ratio: 0.5 },
        },
        { name: 'gauntlet.load.iterations', kind: 'sum', monotonic: true, temporality: 'delta', timeNs: 20n, value: 3, attributes: {} },
      ],
      { 'gauntlet.run.id': 'enc' },
      { name: 'gauntlet-load' },
    );
    const points = decodeMetrics(bytes, 'application/x-protobuf');
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ scale: 8, count: 3, min: 0.1, max: 0.3, positive: { offset: -850, bucketCounts: [1, 0, 2] }, attributes: { 'gauntlet.runtime': 'go', n: 3, ok: true, ratio: 0.5 }, runId: 'enc' });
    expect(points[1]).toMatchObject({ kind: 'sum', monotonic: true, value: 3, temporality: 'delta' });
  });
});
