import { describe, expect, it } from 'vitest';
import { progressReporter } from '../src/app/progress.ts';
import { pickStyle } from '../src/report/terminal.ts';

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stderr: { isTTY, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream };
};

/** Long work is never silent in CI logs, and colour follows NO_COLOR / FORCE_COLOR. */
describe('output conventions', () => {
  it('not a TTY: a plain progress line every few seconds, no carriage returns', () => {
    let t = 0;
    const s = sink(false);
    const p = progressReporter(s, { logEveryMs: 5_000, now: () => t });
    for (t = 0; t <= 20_000; t += 500) p.update(`replay: ${t / 500} pairs`);
    p.done();
    expect(s.chunks).toEqual(['replay: 10 pairs\n', 'replay: 20 pairs\n', 'replay: 30 pairs\n', 'replay: 40 pairs\n']);
  });

  it('a TTY: the line is rewritten in place and cleared at the end', () => {
    let t = 0;
    const s = sink(true);
    const p = progressReporter(s, { ttyEveryMs: 100, now: () => t });
    t = 150;
    p.update('parity: 1/2');
    p.done();
    expect(s.chunks).toEqual(['\r\u001b[Kparity: 1/2', '\r\u001b[K']);
  });

  it('NO_COLOR turns colour off on a terminal; FORCE_COLOR turns it on in a pipe', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(pickStyle(tty, {}).bold('x')).not.toBe('x');
    expect(pickStyle(tty, { NO_COLOR: '1' }).bold('x')).toBe('x');
    expect(pickStyle(pipe, {}).bold('x')).toBe('x');
    expect(pickStyle(pipe, { FORCE_COLOR: '1' }).bold('x')).not.toBe('x');
    expect(pickStyle(pipe, { FORCE_COLOR: '0' }).bold('x')).toBe('x');
    expect(pickStyle(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }).bold('x')).toBe('x');
  });
});

describe('`--json -` and `-q`', () => {
  it('gate --run --json - prints the report alone on stdout; gate -q prints the verdict line alone', async () => {
    const { runCli } = await import('./support/cli.ts');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-stdout-'));
    try {
      const store = join(dir, 's.duckdb');
      const parity = await runCli(['parity', '--store', store, '--json', '-'], { cwd: dir });
      expect(parity.code, parity.stderr).toBe(0);
      const report = JSON.parse(parity.stdout) as { runId: string; services: Array<{ summary: string }> };
      expect(report.services[0]!.summary).toBe('6/6 status codes match · 5/6 body shapes diverge');
      const gate = await runCli(['gate', '--run', report.runId, '--store', store, '--gate-json', '-'], { cwd: dir });
      expect((JSON.parse(gate.stdout) as { runId: string }).runId).toBe(report.runId);
      const quiet = await runCli(['gate', '--run', report.runId, '--store', store, '-q'], { cwd: dir });
      expect(quiet.stdout.trim().split('\n')).toHaveLength(1);
      expect(quiet.stdout).toMatch(/^gate: \w+ \(score [\d.]+\) · assessment: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
