import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli.ts';

/**
 * "0 skipped" is enforced, not hoped for: vitest.config.ts adds test/support/no-skip-reporter.ts,
 * which fails the run when any test is skipped or todo. Proved here on fixtures through the real
 * vitest CLI, with the same reporter file the suite uses.
 */
function vitest(file: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/no-skip/vitest.config.ts', file], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('no test is skipped', () => {
  it('the suite uses the no-skip reporter', async () => {
    const config = (await import('../vitest.config.ts')).default as { test?: { reporters?: unknown[] } };
    expect(config.test?.reporters).toContain('./test/support/no-skip-reporter.ts');
  });

  it('a run with a skipped and a todo test fails, naming both', async () => {
    const r = await vitest('test/fixtures/no-skip/skips.check.ts');
    expect(r.out).toContain('2 test(s) did not run');
    expect(r.out).toContain('skips.check.ts › is skipped (skipped)');
    expect(r.out).toContain('skips.check.ts › is todo (todo)');
    expect(r.code).toBe(1);
  });

  it('a run where every test runs passes', async () => {
    const r = await vitest('test/fixtures/no-skip/clean.check.ts');
    expect(r.out).not.toContain('did not run');
    expect(r.code).toBe(0);
  });
});
