import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateLoadPoints, type ExpHist } from '../src/collect/load/aggregate.ts';
import type { LoadReport } from '../src/collect/load/index.ts';
import { importK6Json } from '../src/collect/load/k6-json.ts';
import { parseCLI } from '../src/cli/parse.ts';
import { REPO_ROOT, runCli } from './support/cli.ts';

/**
 * Plain k6 runs (an unmodified script, no `runtime` tag, several runners per runtime) ingested as ONE
 * load run. Fixtures: test/fixtures/k6/plain (k6's --out json lines as grafana/k6 output/json writes
 * them; see the README there).
 */
const PLAIN = join(REPO_ROOT, 'test/fixtures/k6/plain');
const f = (name: string) => join(PLAIN, name);

interface Sample {
  ms: number;
  route: string;
  status: string;
}
async function samplesOf(file: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { type: string; metric: string; data: { value: number; tags: Record<string, string> } };
    if (e.type === 'Point' && e.metric === 'http_req_duration') out.push({ ms: e.data.value, route: e.data.tags.name!, status: e.data.tags.status! });
  }
  return out;
}

/** Every stored histogram of a runtime, by series, as plain data (bucket counts sorted by index). */
function histsOf(points: Parameters<typeof aggregateLoadPoints>[0], runtime: string): Record<string, unknown> {
  const agg = aggregateLoadPoints(points).get('default')!.get(runtime)!;
  const plain = (h: ExpHist | undefined) => h && { scale: h.scale, zeroCount: h.zeroCount, count: h.count, min: h.min, max: h.max, sum: Number(h.sum.toFixed(9)), counts: [...h.counts].sort((a, b) => a[0] - b[0]) };
  return Object.fromEntries([...agg.series].map(([k, s]) => [k, plain(s.sent)]));
}

describe('ingest k6 --runtime NAME FILE…: plain runs, several runners per runtime', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-k6-plain-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the CLI groups the files after each --runtime', () => {
    const cli = parseCLI(['ingest', 'k6', '--runtime', 'rust', 'a.json', 'b.json', '--runtime', 'go', 'c.json', '--quiet', 'd.json']);
    expect(cli.command).toBe('ingest');
    if (cli.command !== 'ingest') return;
    expect(cli.options.runtime).toEqual([
      { value: 'rust', positionals: ['a.json', 'b.json'] },
      { value: 'go', positionals: ['c.json', 'd.json'] },
    ]);
  });

  it('two runner files per runtime → one run whose merged distribution is exactly that of all samples', async () => {
    const storePath = join(dir, 'store.duckdb');
    const json = join(dir, 'report.json');
    const r = await runCli(['ingest', 'k6', '--runtime', 'rust', f('rust-runner-1.json'), f('rust-runner-2.json'), '--runtime', 'go', f('go-runner-1.json'), f('go-runner-2.json'), '--store', storePath, '--json', json, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ingested 4 files as run \S+ /m);
    const report = JSON.parse(await readFile(json, 'utf8')) as LoadReport;
    expect(report.runtimes).toEqual(['rust', 'go']);
    expect(report.scenarios.map((s) => s.name)).toEqual(['default']);
    const [rust, go] = report.scenarios[0]!.runtimes;

    const all = { rust: [...(await samplesOf(f('rust-runner-1.json'))), ...(await samplesOf(f('rust-runner-2.json')))], go: [...(await samplesOf(f('go-runner-1.json'))), ...(await samplesOf(f('go-runner-2.json')))] };
    for (const [summary, samples] of [[rust!, all.rust], [go!, all.go]] as const) {
      const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
      expect(summary.requests).toBe(samples.length);
      expect(summary.iterations).toBe(samples.length);
      expect(summary.errors).toBe(samples.filter((s) => s.status !== '200').length);
      // The runtime's latency covers every sample, as k6's http_req_duration does.
      const judged = ms;
      expect(summary.latency.count).toBe(judged.length);
      // Extremes exact to the µs the HdrHistogram keeps.
      expect(summary.latency.min).toBeCloseTo(judged[0]!, 3);
      expect(summary.latency.max).toBeCloseTo(judged.at(-1)!, 3);
      // Percentiles within one scale-8 bucket (0.27%) plus HDR's 0.1% of the nearest-rank sample.
      for (const [q, got] of [[0.5, summary.latency.p50], [0.9, summary.latency.p90], [0.99, summary.latency.p99]] as const) {
        const want = judged[Math.ceil(q * judged.length) - 1]!;
        expect(Math.abs(got! - want) / want, `p${q * 100} ${got} vs ${want}`).toBeLessThan(0.004);
      }
    }
    expect(report.scenarios[0]!.routes.find((x) => x.route.endsWith('/v1/search'))?.verdict?.verdict).toBe('slower');

    // The same samples in one file per runtime give the very same buckets: merging lost nothing.
    const oneFile = async (runtime: 'rust' | 'go') => {
      const path = join(dir, `${runtime}-all.json`);
      await writeFile(path, (await readFile(f(`${runtime}-runner-1.json`), 'utf8')) + (await readFile(f(`${runtime}-runner-2.json`), 'utf8')));
      return path;
    };
    const opts = { runId: 'r', scale: 8 };
    const merged = await importK6Json([f('rust-runner-1.json'), f('rust-runner-2.json')].map((file) => ({ file, runtime: 'rust' })).concat([f('go-runner-1.json'), f('go-runner-2.json')].map((file) => ({ file, runtime: 'go' }))), opts);
    const single = await importK6Json([{ file: await oneFile('rust'), runtime: 'rust' }, { file: await oneFile('go'), runtime: 'go' }], opts);
    for (const runtime of ['rust', 'go']) {
      const m = histsOf(merged.points, runtime);
      expect(Object.keys(m).length).toBeGreaterThan(0);
      expect(m).toEqual(histsOf(single.points, runtime));
    }
  });

  it('one summary per runtime (--summary-export of a plain run) imports; two summaries of one runtime are refused', async () => {
    const json = join(dir, 'summary.json');
    const storePath = join(dir, 'summary.duckdb');
    const ok = await runCli(['ingest', 'k6', '--runtime', 'rust', f('rust-summary.json'), '--runtime', 'go', f('go-summary.json'), '--store', storePath, '--json', json, '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as LoadReport;
    const doc = JSON.parse(await readFile(f('rust-summary.json'), 'utf8')) as { metrics: { http_req_duration: Record<string, number>; http_reqs: { count: number } } };
    const rust = report.scenarios[0]!.runtimes.find((x) => x.runtime === 'rust')!;
    expect(rust.requests).toBe(doc.metrics.http_reqs.count);
    expect(rust.latency.p95).toBe(doc.metrics.http_req_duration['p(95)']);
    expect(rust.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok}`)).toContain('http_req_duration p(95)<500 true');

    const twice = await runCli(['ingest', 'k6', '--runtime', 'rust', f('rust-summary.json'), f('go-summary.json'), '--store', storePath]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/two summaries for runtime rust/);
    expect(twice.stderr).toMatch(/--out json/);
  });

  it('without --runtime, the config\'s runtime URLs attribute untagged samples by the host they went to', async () => {
    const config = join(dir, 'hosts.config.yaml');
    await writeFile(config, `stack:\n  services:\n    svc:\n      primary: rust\n      candidate: go\n      runtimes:\n        rust: { url: "http://127.0.0.1:3100" }\n        go: { url: "http://127.0.0.1:3200" }\n`);
    const json = join(dir, 'hosts.json');
    const r = await runCli(['ingest', 'k6', f('rust-runner-1.json'), f('go-runner-1.json'), f('go-runner-2.json'), '--config', config, '--service', 'svc', '--store', join(dir, 'hosts.duckdb'), '--json', json, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as LoadReport;
    expect(report.runtimes).toEqual(['rust', 'go']);
    const requests = Object.fromEntries(report.scenarios[0]!.runtimes.map((x) => [x.runtime, x.requests]));
    expect(requests).toEqual({ rust: (await samplesOf(f('rust-runner-1.json'))).length, go: (await samplesOf(f('go-runner-1.json'))).length + (await samplesOf(f('go-runner-2.json'))).length });
  });

  it('an empty file is reported as empty (not as untagged)', async () => {
    const empty = join(dir, 'empty.json');
    await writeFile(empty, '');
    const r = await runCli(['ingest', 'k6', '--runtime', 'rust', empty, '--store', join(dir, 'e.duckdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the file is empty');
    expect(r.stderr).toContain(empty);
    expect(r.stderr).not.toMatch(/tagged/);
  });

  it('untagged files without --runtime: the message says to name the runtime', async () => {
    const r = await runCli(['ingest', 'k6', f('rust-runner-1.json'), '--store', join(dir, 'u.duckdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--runtime rust a\.json --runtime go b\.json/);
  });
});
