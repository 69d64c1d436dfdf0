import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
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
    // Written for the run and removed after, so no skipped or todo test sits in the repository
    // (the modifiers are spelled out here, not as calls, for the same reason).
    const name = `skips-${process.pid}.check.ts`;
    const file = join(REPO_ROOT, 'test/fixtures/no-skip', name);
    const [skip, todo] = ['skip', 'todo'].map((m) => `it.${m}`);
    writeFileSync(file, `import { expect, it } from 'vitest';\nit('runs', () => expect(1 + 1).toBe(2));\n${skip}('is skipped', () => expect(1).toBe(1));\n${todo}('is todo');\n`);
    try {
      const r = await vitest(`test/fixtures/no-skip/${name}`);
      expect(r.out).toContain('2 test(s) did not run');
      expect(r.out).toContain(`${name} › is skipped (skipped)`);
      expect(r.out).toContain(`${name} › is todo (todo)`);
      expect(r.code).toBe(1);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('a run where every test runs passes', async () => {
    const r = await vitest('test/fixtures/no-skip/clean.check.ts');
    expect(r.out).not.toContain('did not run');
    expect(r.code).toBe(0);
  });
});
