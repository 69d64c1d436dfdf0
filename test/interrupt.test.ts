import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from './support/cli.ts';
import { startServer } from './support/servers.ts';

/** SIGINT mid-run: telemetry flushed, a valid partial report marked incomplete, exit 130, nothing half-written. */
describe('interrupting a run', () => {
  it('SIGINT yields an incomplete-marked report and exit code 130', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-sigint-'));
    // Two runtimes of our own, so the test can see traffic flowing before it interrupts.
    let served = 0;
    const answer = (flavour: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
      served++;
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(flavour === 'rust' ? '{"valid":false,"errors":[{"Required":{"field":"id"}}]}' : '{"valid":false,"errors":[{"Kind":"required","Field":"id"}]}');
    };
    const a = await startServer(answer('rust'));
    const b = await startServer(answer('go'));
    try {
      const cfg = join(dir, 'cfg.yaml');
      await writeFile(
        cfg,
        [
          'stack:',
          '  services:',
          '    validatord:',
          '      primary: rust',
          '      candidate: go',
          '      runtimes:',
          `        rust: { url: "${a.url}" }`,
          `        go: { url: "${b.url}" }`,
          `parity: { cases: ["${join(REPO_ROOT, 'harness/parity/validatord.cases.yaml')}"], repeat: 100000 }`,
          'store: { path: store.duckdb }',
          'reports: { dir: reports }',
          `gate: { ledger: "${join(REPO_ROOT, 'harness/ledger.yaml')}" }`,
        ].join('\n'),
      );
      const child = spawn(process.execPath, [BIN, 'run', '--config', cfg, '--quiet'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Interrupt once the run is well under way.
      const started = Date.now();
      while (served < 200 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(130);
      expect(stdout).toMatch(/INCOMPLETE: the run was interrupted after \d+ of 600000 pairs/);
      const runs = await readdir(join(dir, 'reports'));
      expect(runs).toHaveLength(1);
      const files = await readdir(join(dir, 'reports', runs[0]!));
      expect(files.sort()).toEqual(['gate.json', 'junit.xml', 'report.html', 'report.json', 'summary.md']);
      const report = JSON.parse(await readFile(join(dir, 'reports', runs[0]!, 'report.json'), 'utf8')) as { incomplete: { pairs: number; planned: number }; services: Array<{ cases: number }> };
      expect(report.incomplete.planned).toBe(600000);
      expect(report.incomplete.pairs).toBeGreaterThan(0);
      expect(report.services[0]!.cases).toBe(6);
      const gate = JSON.parse(await readFile(join(dir, 'reports', runs[0]!, 'gate.json'), 'utf8')) as { assessment: string; incomplete: unknown };
      expect(gate.assessment).toBe('do-not-ship');
      expect(gate.incomplete).toEqual(report.incomplete);
      expect(await readFile(join(dir, 'reports', runs[0]!, 'summary.md'), 'utf8')).toContain('**INCOMPLETE**');
    } finally {
      await a.close();
      await b.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
