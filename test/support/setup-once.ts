import { beforeAll, beforeEach, it } from 'vitest';

/**
 * A describe's expensive setup (Prometheus, twins, a run) as ONE test: a slow or failed start is one
 * failure — the test named `name`, declared here first — and every later test of the describe fails
 * with a pointer to it (never a skip that could hide it), instead of each repeating the setup's error.
 * Call inside `describe`, before its other tests.
 */
export function setupOnce(name: string, setUp: () => Promise<void>, timeoutMs: number): void {
  let setupError: unknown;
  beforeAll(async () => {
    try {
      await setUp();
    } catch (err) {
      setupError = err;
    }
  }, timeoutMs);
  beforeEach((ctx) => {
    if (setupError !== undefined && ctx.task.name !== name) throw new Error('the setup failed: see the first test');
  });
  it(name, () => {
    if (setupError !== undefined) throw setupError;
  });
}
