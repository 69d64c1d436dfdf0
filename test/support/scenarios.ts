/**
 * The tests' tiny vectord load scenario: 40 searches a second for `duration`, ABBA blocks of 500 ms,
 * and two thresholds — no failed requests, and a p95 bound (`p(95)<0.001`, 1 µs, by default: no
 * runtime meets it, so a run's gate fails on the load).
 */
export function tinyVectordScenario(opts: { duration: string; p95Below?: string }): string {
  return [
    'service: vectord',
    'ab: { block: 500ms, warmup: 200ms }',
    'scenarios:',
    '  tiny:',
    '    executor: constant-arrival-rate',
    '    rate: 40',
    `    duration: ${opts.duration}`,
    '    preAllocatedVUs: 4',
    '    maxVUs: 20',
    '    workload: { kind: vectord, seed: 7, dimension: 16, points: 100, upsertRatio: 0 }',
    '    thresholds:',
    "      http_req_failed: ['rate<0.01']",
    `      http_req_duration: ['p(95)<${opts.p95Below ?? '0.001'}']`,
  ].join('\n') + '\n';
}
