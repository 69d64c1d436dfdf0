import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadConfigSchema } from '../src/config/schema.ts';
import { ScenarioFileSchema } from '../src/config/scenario-schema.ts';
import { planScenarios } from '../src/drive/load/plan.ts';
import { GauntletError } from '../src/util/errors.ts';
import * as M from '../src/contract/load-metrics.ts';
import { runEngine, target } from './load-support.ts';

/**
 * k6's scenario options beyond the four executors gauntlet started with: startTime, tags, exec,
 * shared-iterations / per-vu-iterations and global thresholds with {scenario:…} filters — each either
 * accepted with k6's meaning (as far as A/B blocks allow) or refused with what to write instead.
 */
const limits = LoadConfigSchema.parse({});
const http = { kind: 'http', requests: [{ path: '/' }] };
const plan = (file: unknown) => planScenarios(ScenarioFileSchema.parse(file), 'inline.yaml', limits);

describe('k6 scenario options', () => {
  it('startTime orders the scenarios (they never overlap: each has its own A/B blocks)', () => {
    const p = plan({
      service: 'svc',
      scenarios: {
        late: { executor: 'constant-vus', vus: 1, duration: '1s', startTime: '30s', workload: http },
        early: { executor: 'constant-vus', vus: 1, duration: '1s', startTime: '10s', workload: http },
        first: { executor: 'constant-vus', vus: 1, duration: '1s', workload: http },
      },
    });
    expect(p.scenarios.map((s) => s.name)).toEqual(['first', 'early', 'late']);
  });

  it('tags are kept on the plan; names that are not identifiers are refused', () => {
    const p = plan({ service: 'svc', scenarios: { s: { executor: 'constant-vus', duration: '1s', tags: { team: 'search', tier: 'gold' }, workload: http } } });
    expect(p.scenarios[0]!.tags).toEqual({ team: 'search', tier: 'gold' });
    const bad = ScenarioFileSchema.safeParse({ service: 'svc', scenarios: { s: { executor: 'constant-vus', duration: '1s', tags: { 'a b': 'x' }, workload: http } } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/tag names are/);
  });

  it('exec is refused with what to write instead', () => {
    let err: unknown;
    try {
      plan({ service: 'svc', scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: 'searchFlow', workload: http } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GauntletError);
    const g = err as GauntletError;
    expect(g.facts).toMatchObject({ file: 'inline.yaml', path: 'scenarios.s.exec' });
    expect(g.message).toMatch(/"searchFlow"\) names a k6 JavaScript function/);
    expect(g.facts.hint).toMatch(/workload/);
    expect(g.facts.hint).toMatch(/gauntlet ingest k6/);
  });

  it('shared-iterations and per-vu-iterations: closed model bounded by the iterations (per-vu: vus × iterations)', () => {
    const p = plan({
      service: 'svc',
      scenarios: {
        shared: { executor: 'shared-iterations', vus: 3, iterations: 40, workload: http },
        pervu: { executor: 'per-vu-iterations', vus: 4, iterations: 5, maxDuration: '20s', workload: http },
      },
    });
    const [shared, pervu] = p.scenarios;
    expect(shared).toMatchObject({ executor: 'shared-iterations', iterationBased: true, maxIterations: 40, durationMs: 600_000, plan: { model: 'closed', vus: { start: 3 } } });
    expect(pervu).toMatchObject({ executor: 'per-vu-iterations', iterationBased: true, maxIterations: 20, durationMs: 20_000, plan: { model: 'closed', vus: { start: 4 } } });
  });

  it('global thresholds: {scenario:NAME} narrows to that scenario, no selector means every scenario', () => {
    const p = plan({
      service: 'svc',
      thresholds: { 'http_req_duration{scenario:a,route:/x}': ['p(95)<200'], http_req_failed: ['rate<0.01'] },
      scenarios: {
        a: { executor: 'constant-vus', duration: '1s', workload: http, thresholds: { http_req_duration: ['max<900'] } },
        b: { executor: 'constant-vus', duration: '1s', workload: http },
      },
    });
    const keys = (i: number) => p.scenarios[i]!.thresholds.map((t) => `${t.key.source} ${t.threshold.source}`);
    expect(keys(0)).toEqual(['http_req_duration max<900', 'http_req_duration{route:/x} p(95)<200', 'http_req_failed rate<0.01']);
    expect(keys(1)).toEqual(['http_req_failed rate<0.01']);
    const unknown = ScenarioFileSchema.safeParse({ service: 'svc', thresholds: { 'http_req_duration{scenario:nope}': ['p(95)<1'] }, scenarios: { a: { executor: 'constant-vus', duration: '1s', workload: http } } });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]).toMatchObject({ path: ['thresholds', 'http_req_duration{scenario:nope}'], message: 'no scenario "nope" (have: a)' });
  });
});

describe('iteration-based executors on the engine (loopback)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => req.resume().on('end', () => res.end('{}')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.close();
  });

  it('each runtime runs exactly the iterations, the run ends when both have, and tags reach the points', async () => {
    const engine = await runEngine(
      {
        service: 'svc',
        ab: { block: '500ms', warmup: '0s' },
        scenarios: {
          shared: { executor: 'shared-iterations', vus: 2, iterations: 30, maxDuration: '60s', tags: { team: 'search' }, workload: http, gracefulStop: '1s' },
          pervu: { executor: 'per-vu-iterations', vus: 3, iterations: 4, maxDuration: '60s', workload: http, gracefulStop: '1s' },
        },
      },
      [target('a', url), target('b', url)],
    );
    try {
      const by = (name: string) => engine.report.scenarios.find((s) => s.name === name)!;
      expect(by('shared').executor).toBe('shared-iterations');
      expect(by('shared').runtimes.map((r) => r.iterations)).toEqual([30, 30]);
      expect(by('pervu').runtimes.map((r) => r.iterations)).toEqual([12, 12]);
      const points = await engine.store.metricsForRun(engine.runId);
      const tagged = points.filter((pt) => pt.attributes['gauntlet.load.tag.team'] === 'search');
      expect(tagged.length).toBeGreaterThan(0);
      expect(tagged.every((pt) => pt.attributes[M.ATTR_SCENARIO] === 'shared')).toBe(true);
      expect(points.filter((pt) => pt.attributes[M.ATTR_SCENARIO] === 'pervu').some((pt) => 'gauntlet.load.tag.team' in pt.attributes)).toBe(false);
      // Ended on the iterations, not on maxDuration: 60 s in 500 ms blocks would be 120 blocks per runtime.
      const blocks = points.filter((pt) => pt.name === M.METRIC_ITERATIONS);
      expect(blocks.length).toBeLessThan(20);
    } finally {
      await engine.close();
    }
  });
});
