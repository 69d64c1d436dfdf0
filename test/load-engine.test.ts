import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_INTENDED_LATENCY, METRIC_SENT_DURATION } from '../src/contract/load-metrics.ts';
import { runEngine, startTargetProcess, target, type TargetProcess } from './load-support.ts';

/**
 * The engine against real HTTP servers on 127.0.0.1 (each in a process of its own): rates, dropped
 * iterations, coordinated omission — every number read back from the store, as `gauntlet load` does.
 */
const http = (path = '/') => ({ kind: 'http', requests: [{ path }, { method: 'POST', path: '/p', json: { x: 1 } }] });

describe('constant-arrival-rate', () => {
  let fast: TargetProcess;
  let slow: TargetProcess;
  beforeAll(async () => {
    [fast, slow] = await Promise.all([startTargetProcess(), startTargetProcess({ DELAY_MS: 100 })]);
  });
  afterAll(async () => {
    await Promise.all([fast?.stop(), slow?.stop()]);
  });

  it('achieves its target rate within 1% when the target keeps up (2 workers, merged histograms)', async () => {
    const run = await runEngine(
      {
        service: 'svc',
        ab: { block: '1s', warmup: '200ms' },
        scenarios: { steady: { executor: 'constant-arrival-rate', rate: 400, timeUnit: '1s', duration: '2s', preAllocatedVUs: 20, maxVUs: 200, workload: http(), thresholds: { http_req_failed: ['rate<0.01'], iterations: ['count>=800'] } } },
      },
      [target('a', fast.url), target('b', fast.url)],
      { workers: 2, sampleRatio: 0.05 },
    );
    try {
      const [a, b] = run.report.scenarios[0]!.runtimes;
      for (const r of [a!, b!]) {
        expect(r.targetRate, r.runtime).toBeCloseTo(400, 3);
        expect(Math.abs(r.achievedRate! / 400 - 1), `${r.runtime} achieved ${r.achievedRate}/s`).toBeLessThan(0.01);
        expect(r.iterations, r.runtime).toBe(800);
        expect(r.requests, r.runtime).toBe(800);
        expect(r.droppedIterations, r.runtime).toBe(0);
        expect(r.errors).toBe(0);
        expect(r.latency.count).toBe(800);
        expect(r.thresholds.every((t) => t.ok), JSON.stringify(r.thresholds)).toBe(true);
      }
      // The server saw exactly that many requests (plus the warm-up's), sent by two worker threads.
      const seen = await fast.stats();
      expect(seen.count).toBeGreaterThanOrEqual(1600);
      // Both the corrected and the uncorrected histogram are in the store, per route and status class.
      const points = await run.store.metricsForRun(run.runId);
      const routes = new Set(points.filter((p) => p.name === METRIC_INTENDED_LATENCY).map((p) => `${p.attributes['http.route']} ${p.attributes['gauntlet.status_class']}`));
      expect(routes).toEqual(new Set(['/ 2xx', '/p 2xx']));
      expect(points.some((p) => p.name === METRIC_SENT_DURATION && p.kind === 'exponential_histogram' && p.scale === 8)).toBe(true);
      // Sampled CLIENT spans, by iteration index: the same requests on both runtimes, paired by id.
      const spans = (await run.store.spansForRun(run.runId)).filter((x) => x.kind === 'CLIENT');
      expect(spans.length).toBeGreaterThan(40);
      expect(spans.length).toBeLessThan(160);
      for (const x of spans) expect(x.attributes).toMatchObject({ 'gauntlet.driver': 'load', 'gauntlet.case': 'steady', 'http.response.status_code': 200 });
      const pairs = (rt: string) => new Set(spans.filter((x) => x.attributes['gauntlet.runtime'] === rt).map((x) => x.attributes['gauntlet.pair.id']));
      expect(pairs('a')).toEqual(pairs('b'));
    } finally {
      await run.close();
    }
  });

  it('reports dropped_iterations when maxVUs cannot keep up with a slow target', async () => {
    // 2 VUs × (1 / 100 ms) = at most ~20 iterations/s against a schedule of 100/s.
    const run = await runEngine(
      {
        service: 'svc',
        ab: { block: '1s', warmup: '0s' },
        scenarios: { starved: { executor: 'constant-arrival-rate', rate: 100, duration: '1s', preAllocatedVUs: 1, maxVUs: 2, workload: http(), thresholds: { dropped_iterations: ['count<10'] } } },
      },
      [target('a', slow.url), target('b', slow.url)],
    );
    try {
      for (const r of run.report.scenarios[0]!.runtimes) {
        expect(r.droppedIterations, r.runtime).toBeGreaterThan(60);
        expect(r.iterations + r.droppedIterations, r.runtime).toBe(100);
        expect(r.achievedRate!, r.runtime).toBeLessThan(25);
        expect(r.vusMax).toBe(2);
        expect(r.thresholds[0]).toMatchObject({ metric: 'dropped_iterations', threshold: 'count<10', ok: false });
      }
      expect(run.report.thresholdsFailed).toBe(2);
    } finally {
      await run.close();
    }
  });
});

describe('thresholds', () => {
  let slow: TargetProcess;
  beforeAll(async () => {
    slow = await startTargetProcess({ DELAY_MS: 60 });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('abortOnFail stops the run after the first block that crosses it (once delayAbortEval has passed)', async () => {
    const run = await runEngine(
      {
        service: 'svc',
        ab: { block: '500ms', warmup: '0s' },
        scenarios: {
          guarded: {
            executor: 'constant-arrival-rate',
            rate: 20,
            duration: '4s',
            preAllocatedVUs: 4,
            workload: http(),
            thresholds: { 'http_req_duration{expected_response:true}': [{ threshold: 'p(95)<20', abortOnFail: true, delayAbortEval: '1s' }], http_reqs: ['count>0'] },
          },
        },
      },
      [target('a', slow.url), target('b', slow.url)],
    );
    try {
      // ABBA blocks a[0,0.5) b[0,0.5) b[0.5,1) a[0.5,1)…: b's second block is the first to reach 1 s
      // of scenario time, and fails p(95)<20 against 60 ms answers — nothing runs after it.
      expect(run.report.aborted).toBe('guarded b http_req_duration{expected_response:true} p(95)<20');
      const [a, b] = run.report.scenarios[0]!.runtimes;
      expect(a!.iterations).toBe(10);
      expect(b!.iterations).toBe(20);
      expect(b!.thresholds.map((t) => t.ok)).toEqual([false, true]);
      expect(b!.thresholds[0]!.observed!).toBeGreaterThan(55);
    } finally {
      await run.close();
    }
  });
});

describe('coordinated omission', () => {
  let stalling: TargetProcess;
  beforeAll(async () => {
    stalling = await startTargetProcess({ STALL_MS: 200 });
  });
  afterAll(async () => {
    await stalling?.stop();
  });

  it('at 500 req/s against a target that stalls 200 ms once a second, the corrected p99 shows the stall', async () => {
    const run = await runEngine(
      {
        service: 'svc',
        ab: { block: '2s', warmup: '0s' },
        scenarios: { co: { executor: 'constant-arrival-rate', rate: 500, duration: '2s', preAllocatedVUs: 50, maxVUs: 400, workload: http() } },
      },
      [target('a', stalling.url), target('b', stalling.url)],
    );
    try {
      for (const r of run.report.scenarios[0]!.runtimes) {
        // ~20% of requests arrive during a stall and wait up to 200 ms: wrk2's corrected histogram has p99 near 200 ms.
        expect(r.latency.p99!, `${r.runtime} corrected p99`).toBeGreaterThanOrEqual(150);
        expect(r.latency.p50!, `${r.runtime} p50`).toBeLessThan(50);
        expect(r.droppedIterations).toBe(0);
        expect(Math.abs(r.achievedRate! / 500 - 1)).toBeLessThan(0.02);
      }
    } finally {
      await run.close();
    }
  });
});
