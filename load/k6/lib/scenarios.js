// @ts-check
/**
 * The scenarios of load/vectord.scenarios.yaml as k6 sees them (k6 cannot read YAML without an
 * extension). test/load-k6.test.ts checks this object against the YAML file, so the two never drift.
 */

/**
 * @typedef {object} GauntletScenario
 * @property {'constant-arrival-rate' | 'ramping-arrival-rate' | 'constant-vus' | 'ramping-vus'} executor
 * @property {number} [rate]
 * @property {number} [startRate]
 * @property {string} [timeUnit]
 * @property {string} [duration]
 * @property {number} [preAllocatedVUs]
 * @property {number} [maxVUs]
 * @property {number} [vus]
 * @property {number} [startVUs]
 * @property {Array<{ target: number, duration: string }>} [stages]
 * @property {{ kind: 'vectord', seed: number } & Partial<import('./workload.js').Workload>} workload
 * @property {Record<string, Array<string | { threshold: string, abortOnFail?: boolean, delayAbortEval?: string }>>} [thresholds]
 */

export const SERVICE = 'vectord';

/** A/B blocks: runtimes alternate ABBA… in blocks this long, after an unmeasured warm-up each. */
export const AB = { block: '2s', warmup: '1s' };

/** @type {Record<string, GauntletScenario>} */
export const SCENARIOS = {
  'search-128': {
    executor: 'constant-arrival-rate',
    rate: 100,
    timeUnit: '1s',
    duration: '10s',
    preAllocatedVUs: 10,
    maxVUs: 100,
    workload: { kind: 'vectord', seed: 128, dimension: 128, metric: 'cosine', points: 2000, batchSize: 64, upsertRatio: 0.02, filterRatio: 0.2, k: 10 },
    thresholds: {
      http_req_failed: ['rate<0.01'],
      http_req_duration: ['p(95)<50', { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '2s' }],
      'http_req_duration{route:/v1/collections/{name}/search}': ['p(99)<100'],
      dropped_iterations: ['count<20'],
    },
  },
  'mixed-768': {
    executor: 'ramping-arrival-rate',
    startRate: 10,
    timeUnit: '1s',
    preAllocatedVUs: 10,
    maxVUs: 60,
    stages: [
      { target: 40, duration: '4s' },
      { target: 40, duration: '4s' },
    ],
    workload: { kind: 'vectord', seed: 768, dimension: 768, metric: 'dot', points: 1000, batchSize: 8, upsertRatio: 0.3, filterRatio: 0.5, k: 10, withPayload: true },
    thresholds: {
      http_req_failed: ['rate<0.01'],
      http_req_duration: ['p(95)<100', 'med<30'],
    },
  },
};
