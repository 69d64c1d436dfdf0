import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore } from '../src/collect/index.ts';
import { defineVectordWorkload, mixRequest, setupRequests } from '../src/daemons/index.ts';
import { loadReportFromStore } from '../src/analyze/index.ts';
import type { LoadReport } from '../src/collect/load/index.ts';
import { importK6Json } from '../src/collect/load/k6-json.ts';
import { importK6Summary } from '../src/collect/load/k6-summary.ts';
import { indexRange } from '../src/drive/load/schedule.ts';
import { pathToFileURL } from 'node:url';
import type { Options as K6Options } from 'k6/options';
import type { Profile } from '../src/drive/load/schedule.ts';
import { REPO_ROOT, runCli } from './support/cli.ts';
import { runEngine, target } from './load-support.ts';

/**
 * The k6 side: the scripts type-check against @types/k6, send exactly gauntlet's requests in
 * gauntlet's blocks, and their output (fixtures written from k6's documented formats) imports into
 * the same report as the built-in engine's.
 */
const FIXTURES = join(REPO_ROOT, 'test/fixtures/k6');
const run = promisify(execFile);

/**
 * The k6 libraries are plain JavaScript typed with JSDoc (checked by load/tsconfig.json, not by the
 * suite's tsconfig), so they are imported by URL and given the types the tests rely on here.
 */
type Workload = Record<string, unknown>;
const k6lib = async <T>(file: string) => (await import(pathToFileURL(join(REPO_ROOT, 'load/k6/lib', file)).href)) as T;
const { buildOptions, profileOf } = await k6lib<{
  buildOptions(input: { service: string; scenarios: unknown; ab: unknown; runtimes: string[] }): K6Options;
  profileOf(s: unknown): { open: boolean; profile: Profile };
}>('blocks.js');
const { AB, SCENARIOS, SERVICE } = await k6lib<{ AB: unknown; SERVICE: string; SCENARIOS: Record<string, { workload: { kind: string; seed: number } & Record<string, unknown> }> }>('scenarios.js');
const k6Workload = await k6lib<{ defineWorkload(o: object): Workload; setupRequests(w: Workload): unknown[]; mixRequest(w: Workload, i: number): unknown }>('workload.js');

describe('load/k6 scripts', () => {
  it('type-check against @types/k6 (tsc -p load/tsconfig.json, checkJs)', async () => {
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const r = await run(process.execPath, [tsc, '-p', join(REPO_ROOT, 'load/tsconfig.json')]).catch((e: { stdout: string; code: number }) => e);
    expect('code' in r ? r.stdout : '', 'tsc output').toBe('');
  });

  it('define the same scenarios as load/vectord.scenarios.yaml', async () => {
    const yaml = parse(await readFile(join(REPO_ROOT, 'load/vectord.scenarios.yaml'), 'utf8')) as { service: string; ab: unknown; scenarios: unknown };
    expect(SERVICE).toBe(yaml.service);
    expect(AB).toEqual(yaml.ab);
    expect(SCENARIOS).toEqual(yaml.scenarios);
  });

  it('generate byte-for-byte the requests of the engine (seeded workloads ported to plain JS)', () => {
    for (const [name, s] of Object.entries(SCENARIOS)) {
      const { kind: _kind, ...options } = s.workload;
      const ts = defineVectordWorkload({ ...(options as Parameters<typeof defineVectordWorkload>[0]), collection: name });
      const js = k6Workload.defineWorkload({ ...options, collection: name });
      expect(JSON.stringify(k6Workload.setupRequests(js)), `${name} setup`).toBe(JSON.stringify(setupRequests(ts)));
      for (const i of [0, 1, 2, 17, 999, 123_456, 2 ** 40 + 3]) expect(JSON.stringify(k6Workload.mixRequest(js, i)), `${name} #${i}`).toBe(JSON.stringify(mixRequest(ts, i)));
    }
  });

  it('lay the scenarios out as ABBA blocks with the engine\'s iteration offsets and per-runtime thresholds', () => {
    const options = buildOptions({ service: SERVICE, scenarios: SCENARIOS, ab: AB, runtimes: ['rust', 'go'] });
    const names = Object.keys(options.scenarios!);
    expect(names.slice(0, 6)).toEqual(['search-128__rust__warmup', 'search-128__go__warmup', 'search-128__rust__b0', 'search-128__go__b0', 'search-128__go__b1', 'search-128__rust__b1']);
    // Blocks never overlap: each starts after the previous one (and its gracefulStop) has ended.
    const starts = names.map((n) => Number.parseInt(String(options.scenarios![n]!.startTime)));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // Block k of the ramping scenario starts at the index the engine gives scenario time k·block.
    const { profile } = profileOf(SCENARIOS['mixed-768']!);
    for (const k of [0, 1, 2, 3]) {
      const env = options.scenarios![`mixed-768__go__b${k}`]!.env!;
      expect(Number(env.GAUNTLET_INDEX_OFFSET), `block ${k}`).toBe(indexRange(profile, k * 2000, (k + 1) * 2000)[0]);
    }
    expect(options.thresholds!['http_req_duration{gauntlet_scenario:search-128,runtime:go,name:/v1/collections/{name}/search}']).toEqual(['p(99)<100']);
    expect(options.thresholds!['http_req_duration{gauntlet_scenario:search-128,runtime:go}']).toEqual(['p(95)<50', { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '2s' }, 'max>=0']);
    expect(options.thresholds!['dropped_iterations{gauntlet_scenario:mixed-768,runtime:rust}']).toEqual(['count>=0']);
  });
});

/** Same fields at every level (values may differ, and null where a source cannot say). */
function expectSameFields(imported: LoadReport, native: LoadReport): void {
  const keys = (o: object) => Object.keys(o).sort();
  expect(keys(imported)).toEqual(keys(native));
  const [si, sn] = [imported.scenarios[0]!, native.scenarios[0]!];
  expect(keys(si)).toEqual(keys(sn));
  const [ri, rn] = [si.runtimes[0]!, sn.runtimes[0]!];
  expect(keys(ri)).toEqual(keys(rn));
  expect(keys(ri.latency)).toEqual(keys(rn.latency));
  if (ri.thresholds[0] && rn.thresholds[0]) expect(keys(ri.thresholds[0])).toEqual(keys(rn.thresholds[0]));
  if (si.routes[0]) expect(keys(si.routes[0])).toEqual(keys(sn.routes[0]!));
}

describe('gauntlet ingest k6', () => {
  let store: SpanStore;
  let native: LoadReport;
  let server: Server;
  let dir: string;
  beforeAll(async () => {
    store = await SpanStore.open(':memory:');
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-ingest-'));
    server = createServer((req, res) => req.resume().on('end', () => res.end('{}')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const engine = await runEngine(
      {
        service: 'vectord',
        ab: { block: '500ms', warmup: '0s' },
        scenarios: { tiny: { executor: 'constant-arrival-rate', rate: 60, duration: '500ms', preAllocatedVUs: 2, workload: { kind: 'http', requests: [{ path: '/' }] }, thresholds: { http_req_duration: ['p(95)<1000'] } } },
      },
      [target('rust', url, 'primary'), target('go', url, 'candidate')],
    );
    native = engine.report;
    await engine.close();
  });
  afterAll(async () => {
    await store?.close();
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function ingest(imported: Awaited<ReturnType<typeof importK6Json>>): Promise<LoadReport> {
    await store.insertMetrics(imported.points);
    await store.insert([imported.span]);
    return loadReportFromStore(store, imported.runId);
  }

  it('--out json NDJSON: the same report fields as the engine, per runtime and route, with a verdict', async () => {
    const report = await ingest(await importK6Json(join(FIXTURES, 'vectord.ndjson'), { runId: 'k6-json', scale: 8 }));
    expectSameFields(report, native);
    expect(report).toMatchObject({ source: 'k6-json', service: 'vectord', runtimes: ['rust', 'go'], aborted: null });
    const s = report.scenarios.find((x) => x.name === 'search-128')!;
    const [rust, go] = s.runtimes;
    expect(rust).toMatchObject({ requests: 34, errors: 0, iterations: 34, droppedIterations: 0, targetRate: null });
    expect(go).toMatchObject({ requests: 34, errors: 1, iterations: 34, droppedIterations: 1 });
    expect(go!.errorRate).toBeCloseTo(1 / 34, 9);
    // 17 iterations 100 ms apart per block: 10/s.
    expect(rust!.achievedRate!).toBeCloseTo(10, 6);
    // Exact extremes; percentiles within a scale-8 bucket (0.27%) of the samples'.
    expect(rust!.latency).toMatchObject({ count: 34, min: 2.02, max: 6.4 });
    expect(rust!.latency.p50!).toBeGreaterThan(2.36 * 0.997);
    expect(rust!.latency.p50!).toBeLessThan(2.44 * 1.003);
    expect(go!.latency.max).toBe(6.3);
    // The warm-up sample (no runtime tag, 99.9 ms) is not in any runtime's numbers.
    expect(report.scenarios.flatMap((x) => x.runtimes).every((r) => (r.latency.max ?? 0) < 99)).toBe(true);
    expect(rust!.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok}`)).toEqual(['http_req_duration p(95)<10 true', 'http_req_failed rate<0.05 true', 'dropped_iterations count<5 true']);
    const search = s.routes.find((r) => r.route === '/v1/collections/{name}/search')!;
    expect(search.verdict?.verdict, search.verdict?.reason).toBe('slower');
    expect(search.runtimes.map((r) => r.requests)).toEqual([30, 30]);
  });

  it.each(['summary-export.json', 'handle-summary.json'])('%s: the same report fields, from the per-runtime sub-metrics', async (file) => {
    const report = await ingest(await importK6Summary(join(FIXTURES, file), { runId: `k6-${file}`, service: 'vectord', scale: 8 }));
    expectSameFields(report, native);
    expect(report.source).toBe('k6-summary');
    const [rust, go] = report.scenarios[0]!.runtimes;
    expect(rust).toMatchObject({ runtime: 'rust', requests: 34, errors: 0, iterations: 34, droppedIterations: 0 });
    expect(rust!.latency).toEqual({ count: 34, min: 2.02, avg: 2.719, p50: 2.42, p90: 2.67, p95: 6.1, p99: 6.34, max: 6.4 });
    expect(go).toMatchObject({ runtime: 'go', requests: 34, errors: 1, errorRate: 0.0294, droppedIterations: 1 });
    // k6's own verdicts, witnesses dropped; in --summary-export `true` means the threshold FAILED.
    expect(rust!.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok}`)).toEqual(['http_req_duration p(95)<10 true', 'http_req_failed rate<0.01 true']);
    expect(go!.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok} ${t.observed}`)).toEqual(['http_req_duration p(95)<6 false 6.2', 'http_req_failed rate<0.01 false 0.0294']);
    expect(report.thresholdsFailed).toBe(2);
    expect(report.notes.join(' ')).toMatch(/no latency distribution/);
  });

  it('the CLI stores the import as a run that `gauntlet load --run` re-judges identically', async () => {
    const storePath = join(dir, 'store.duckdb');
    const json = join(dir, 'ingest.json');
    const r = await runCli(['ingest', 'k6', join(FIXTURES, 'vectord.ndjson'), '--store', storePath, '--json', json, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const ingested = JSON.parse(await readFile(json, 'utf8')) as LoadReport;
    expect(r.stdout).toContain(`as run ${ingested.runId}`);
    const again = await SpanStore.open(storePath);
    try {
      // Compared as JSON: the --json file is JSON (NaN interval ends, where a quantile was not judged, are null there).
      expect(JSON.parse(JSON.stringify(await loadReportFromStore(again, ingested.runId)))).toEqual(ingested);
    } finally {
      await again.close();
    }
  });
});
