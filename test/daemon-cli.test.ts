import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DAEMONS } from '../src/cli/table.ts';
import { DAEMON_SERVICES } from '../src/daemons/index.ts';
import { BIN, REPO_ROOT, runCli } from './support/cli.ts';

/**
 * Issue 16: `gauntlet daemon vectord` was refused though the README lists vectord as a reference
 * daemon (and k6 needs both twins on fixed ports). Every reference twin runs in the foreground,
 * answers, and stops on SIGINT.
 */
describe('gauntlet daemon: every reference twin', () => {
  it('the CLI offers exactly the twins src/daemons has', () => {
    expect([...REFERENCE_DAEMONS].sort()).toEqual([...DAEMON_SERVICES].sort());
  });

  it.each([...REFERENCE_DAEMONS])('gauntlet daemon %s --flavour go listens, answers /healthz and stops on SIGINT with exit 0', async (service) => {
    const child = spawn(process.execPath, [BIN, 'daemon', service, '--flavour', 'go', '--port', '0'], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 30 s:\n${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = new RegExp(`^${service} \\(go\\) listening on (http://127\\.0\\.0\\.1:\\d+) — Ctrl-C to stop$`, 'm').exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before listening:\n${out}`)));
    });
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('an unknown twin is a usage error naming the ones there are', async () => {
    const r = await runCli(['daemon', 'storaged', '--flavour', 'go']);
    expect(r.stderr).toContain('GAUNTLET_USAGE: daemon needs one service: validatord or vectord');
    expect(r.code).toBe(2);
  });
});
