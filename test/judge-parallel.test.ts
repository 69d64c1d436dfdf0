/**
 * The worker-pool judge must be a pure speed-up: the same verdicts, byte for byte, as judging
 * inline (every route's bootstrap stream comes from its key, not from which thread ran it), the
 * same errors, and a process that uses it must still exit by itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultJudgeWorkers, judgeRoutes, judgeRoutesParallel, type LatencySample } from '../src/judge/index.ts';
import { GauntletError } from '../src/util/errors.ts';
import { geometricBounds, simulate, toExplicit, toExponential, TYPICAL } from './fixtures/judge/latency-sim.ts';

function entries(): Array<{ key: string; a: LatencySample; b: LatencySample }> {
  const bounds = geometricBounds(1, 10_000, 20);
  const out: Array<{ key: string; a: LatencySample; b: LatencySample }> = [];
  for (let r = 0; r < 9; r++) {
    const model = { ...TYPICAL, median: 4 + r * 3 };
    const slow = r % 3 === 1 ? 1.1 : 1; // some routes regress, so 'slower' verdicts are compared too
    const a = simulate(100 + 2 * r, 3000 + r * 500, model);
    const b = simulate(101 + 2 * r, 2500 + r * 700, model, (v) => v * slow);
    const kind = r % 3;
    out.push({
      key: `svc GET /r${r}`,
      a: kind === 0 ? { kind: 'raw', values: a } : kind === 1 ? toExplicit(a, bounds) : toExponential(a, 4),
      b: kind === 0 ? { kind: 'raw', values: b } : kind === 1 ? toExplicit(b, bounds) : toExponential(b, 4),
    });
  }
  out.push({ key: 'svc GET /too-few', a: { kind: 'raw', values: [1, 2, 3] }, b: { kind: 'raw', values: [2, 3, 4] } });
  return out;
}

describe('judgeRoutesParallel', () => {
  it('gives exactly the verdicts judgeRoutes gives, raw and histogram routes alike', async () => {
    const routes = entries();
    const opts = { seed: 7, tolerance: { relative: 0.03 }, correction: 'holm' as const };
    const inline = judgeRoutes(routes, opts);
    const parallel = await judgeRoutesParallel(routes, opts, { workers: 2, minWork: 0 });
    expect(parallel).toEqual(inline);
    expect(parallel.map((v) => v.verdict)).toContain('slower');
    expect(parallel.find((v) => v.key === 'svc GET /too-few')?.verdict).toBe('inconclusive');
    // the caller's arrays are not moved to the workers (only copies are transferred)
    expect(routes[0]!.a.kind === 'raw' && routes[0]!.a.values.length).toBe(3000);
  });

  it('raises the same input error as inline judging, and the pool keeps working afterwards', async () => {
    const bad = [...entries(), { key: 'svc GET /nan', a: { kind: 'raw' as const, values: [1, 2, Number.NaN, ...simulate(1, 50)] }, b: { kind: 'raw' as const, values: simulate(2, 50) } }];
    let inlineError: unknown;
    try {
      judgeRoutes(bad);
    } catch (err) {
      inlineError = err;
    }
    expect(inlineError).toBeInstanceOf(GauntletError);
    const parallelError = await judgeRoutesParallel(bad, {}, { workers: 2, minWork: 0 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(parallelError).toBeInstanceOf(GauntletError);
    expect((parallelError as GauntletError).code).toBe((inlineError as GauntletError).code);
    expect((parallelError as GauntletError).message).toBe((inlineError as GauntletError).message);
    const again = await judgeRoutesParallel(entries(), {}, { workers: 2, minWork: 0 });
    expect(again).toEqual(judgeRoutes(entries()));
  });

  it('takes its worker count from GAUNTLET_JUDGE_WORKERS, else one per core', () => {
    expect(defaultJudgeWorkers({ GAUNTLET_JUDGE_WORKERS: '1' })).toBe(1);
    expect(defaultJudgeWorkers({ GAUNTLET_JUDGE_WORKERS: '3' })).toBe(3);
    expect(defaultJudgeWorkers({ GAUNTLET_JUDGE_WORKERS: 'lots' })).toBeGreaterThanOrEqual(1);
    expect(defaultJudgeWorkers({})).toBeGreaterThanOrEqual(1);
  });

  it('does not keep a finished process alive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-judge-pool-'));
    const script = join(dir, 'judge.mts');
    const src = new URL('../src/judge/index.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { judgeRoutesParallel } from ${JSON.stringify(src)};
const values = (k: number) => Array.from({ length: 2000 }, (_, i) => 5 + ((i * 7919 + k) % 1000) / 100);
const v = await judgeRoutesParallel([0, 1, 2, 3].map((r) => ({ key: 'r' + r, a: { kind: 'raw', values: values(r) }, b: { kind: 'raw', values: values(r + 11) } })), {}, { workers: 2, minWork: 0 });
console.log(v.length, v.map((x) => x.verdict).join(','));
`,
    );
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 45_000 });
    expect(child.error, child.stderr).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout.trim()).toMatch(/^4 (pass|faster|slower)(,(pass|faster|slower)){3}$/);
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
