import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateSchema } from '../src/config/index.ts';
import { parseCLI } from '../src/cli/parse.ts';
import { analyzePrometheus, explicitFromBuckets, METRIC_PROFILES, withOverrides } from '../src/analyze/prometheus.ts';
import { createPromClient, parsePromDuration, quoteLabelValue } from '../src/analyze/prometheus-query.ts';
import { GauntletError } from '../src/util/errors.ts';
import { runCli } from './support/cli.ts';
import { startServer, unusedPort, type TestServer } from './support/servers.ts';

const LES = ['0.005', '0.01', '0.025', '0.05', '+Inf'];
/** Cumulative bucket counts per runtime for one route: go is shifted one bucket up. */
const CUMULATIVE: Record<string, number[]> = { rust: [180, 195, 200, 200, 200], go: [10, 150, 198, 200, 200] };

/**
 * A stand-in for the query API, answering the three queries analyze sends with the shapes a real
 * Prometheus returns (the real one is exercised in prometheus-e2e.test.ts).
 */
function fakePrometheus(queries: string[]): Promise<TestServer> {
  return startServer((_req, res, body) => {
    const query = new URLSearchParams(body).get('query') ?? '';
    queries.push(query);
    if (query.includes('broken')) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
      return;
    }
    const labels = (runtime: string) => ({ service: 'validatord', runtime, http_route: '/v1/validate', http_request_method: 'POST' });
    const result: unknown[] = [];
    if (query.includes('_bucket')) {
      for (const runtime of ['rust', 'go']) LES.forEach((le, i) => result.push({ metric: { ...labels(runtime), le }, value: [1, String(CUMULATIVE[runtime]![i])] }));
      result.push({ metric: { ...labels('rust'), http_route: '/only-rust', le: '+Inf' }, value: [1, '5'] });
    } else {
      const failed = query.includes('=~"5.."');
      for (const runtime of ['rust', 'go']) result.push({ metric: labels(runtime), value: [1, failed ? (runtime === 'go' ? '8' : '0') : '200'] });
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
}

describe('analyze --source prometheus', () => {
  let prom: TestServer;
  const queries: string[] = [];
  beforeAll(async () => {
    prom = await fakePrometheus(queries);
  });
  afterAll(async () => {
    await prom.close();
  });

  it('turns cumulative le buckets into the judge\'s per-bucket histogram (ms, monotonic, +Inf last)', () => {
    expect(explicitFromBuckets([{ le: Infinity, count: 10 }, { le: 0.005, count: 4 }, { le: 0.01, count: 3.9 }])).toEqual({ kind: 'explicit', bounds: [5, 10], counts: [4, 0, 6] });
    expect(explicitFromBuckets([{ le: 0.005, count: 4 }]).counts).toEqual([4, 0]);
  });

  it('milliseconds buckets (the spanmetrics connector\'s default unit) give the same histogram as seconds', () => {
    const seconds = explicitFromBuckets([{ le: 0.005, count: 4 }, { le: 0.01, count: 9 }, { le: Infinity, count: 10 }]);
    expect(explicitFromBuckets([{ le: 5, count: 4 }, { le: 10, count: 9 }, { le: Infinity, count: 10 }], 0.001)).toEqual(seconds);
  });

  it('--metric-unit, --metric-prefix and --runtime-label reshape the profile; bad names and wrong profiles are input errors', () => {
    const sm = METRIC_PROFILES.spanmetrics!;
    expect(withOverrides(sm, {})).toEqual(sm);
    expect(withOverrides(sm, { unit: 'ms' })).toMatchObject({ histogram: 'traces_span_metrics_duration_milliseconds', count: 'traces_span_metrics_calls_total', unitSeconds: 0.001 });
    expect(withOverrides(sm, { prefix: 'edge_spans', runtimeLabel: 'deployment_environment' })).toMatchObject({
      histogram: 'edge_spans_duration_seconds',
      count: 'edge_spans_calls_total',
      unitSeconds: 1,
      labels: { service: 'service_name', runtime: 'deployment_environment', route: 'http_route', method: 'http_request_method' },
    });
    expect(sm.labels.runtime, 'the shared profile is not mutated').toBe('gauntlet_runtime');
    expect(withOverrides(METRIC_PROFILES.http!, { runtimeLabel: 'rt' }).labels.runtime).toBe('rt');
    const fails = (f: () => unknown, re: RegExp) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(GauntletError);
        expect((err as GauntletError).code).toBe('GAUNTLET_INPUT_INVALID');
        expect((err as Error).message).toMatch(re);
        return;
      }
      throw new Error('expected a GauntletError');
    };
    fails(() => withOverrides(METRIC_PROFILES.http!, { unit: 'ms' }), /apply to --metric spanmetrics only \(got --metric http\)/);
    fails(() => withOverrides(sm, { prefix: 'traces.span.metrics' }), /"traces\.span\.metrics" is not a Prometheus metric name prefix/);
    fails(() => withOverrides(sm, { runtimeLabel: 'gauntlet.runtime' }), /"gauntlet\.runtime" is not a Prometheus label name/);
    expect(() => parseCLI(['analyze', '--source', 'prometheus', '--url', 'http://x', '--metric-unit', 'us'])).toThrow(/--metric-unit must be/);
  });

  it('parses durations and quotes label values', () => {
    expect(parsePromDuration('1m30s', '--window')).toBe(90_000);
    expect(parsePromDuration('250ms', '--window')).toBe(250);
    expect(() => parsePromDuration('5 minutes', '--window')).toThrow(/--window must be a duration/);
    expect(quoteLabelValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => parseCLI(['analyze', '--source', 'prometheus'])).toThrow(/needs --url/);
    expect(() => parseCLI(['analyze', '--source', 'loki', '--url', 'http://x'])).toThrow(/--source must be/);
  });

  it('judges each route present on both runtimes from increase() over the window, with error rates', async () => {
    const a = await analyzePrometheus({
      client: createPromClient(prom.url),
      profile: METRIC_PROFILES.http!,
      services: [{ service: 'validatord', primary: 'rust', candidate: 'go' }],
      window: '5m',
      end: 1_800_000_000,
      rules: GateSchema.parse({}),
    });
    expect(queries[0]).toBe('sum by (http_route, http_request_method, runtime, le) (increase(http_server_request_duration_seconds_bucket{service="validatord", runtime=~"rust|go", http_response_status_code!~"5.."}[5m]))');
    expect(a.end).toBe('2027-01-15T08:00:00.000Z');
    const [route] = a.services[0]!.routes;
    expect(a.services[0]!.routes).toHaveLength(1); // /only-rust has no candidate series
    expect(route).toMatchObject({ method: 'POST', route: '/v1/validate', n: { primary: 200, candidate: 200 } });
    expect(route!.latency.verdict).toBe('slower');
    expect(route!.latency.method).toMatch(/explicit buckets/);
    expect(route!.errors).toMatchObject({ status: 'fail', primary: { rate: 0 }, candidate: { failed: 8, total: 200, rate: 0.04 } });
  });

  it('reports what the backend said when it rejects a query, and names the URL when unreachable', async () => {
    const rejected = await createPromClient(prom.url).query('broken(').catch((e: unknown) => e as GauntletError);
    expect(rejected).toBeInstanceOf(GauntletError);
    expect((rejected as GauntletError).describe()).toMatch(/Prometheus rejected the query \(HTTP 400, bad_data\): parse error/);
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const unreachable = await createPromClient(url).query('up').catch((e: unknown) => e as GauntletError);
    expect((unreachable as GauntletError).code).toBe('GAUNTLET_INPUT_INVALID');
    expect((unreachable as GauntletError).describe()).toContain(`${url}: cannot reach Prometheus: connection_refused`);
  });

  it('CLI: an unreachable Prometheus exits 2 naming the URL', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const r = await runCli(['analyze', '--source', 'prometheus', '--url', url, '--window', '1m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toContain('cannot reach Prometheus');
  });
});
