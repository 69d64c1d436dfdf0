import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { runCli } from './support/cli.ts';
import { startServer } from './support/servers.ts';

/** Two runs at once against one configured store: neither fails, neither corrupts the other. */
describe('two runs at once', () => {
  it('each run is stored whole and re-judged identically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-two-'));
    const slow = (body: string) => startServer((_req, res) => setTimeout(() => res.end(body), 2));
    const a = await slow('{"n":1}');
    const b = await slow('{"n":1.0}');
    try {
      await writeFile(join(dir, 'cases.yaml'), ['service: svc', 'cases:', ...Array.from({ length: 20 }, (_, i) => `  - id: c${i}\n    request: { path: /x/${i} }`)].join('\n'));
      await writeFile(
        join(dir, 'cfg.yaml'),
        ['stack:', '  services:', '    svc:', '      primary: rust', '      candidate: go', '      runtimes:', `        rust: { url: "${a.url}" }`, `        go: { url: "${b.url}" }`, 'parity: { cases: [cases.yaml], repeat: 10 }', 'store: { path: store.duckdb }'].join('\n'),
      );
      const [r1, r2] = await Promise.all([1, 2].map((n) => runCli(['parity', '--config', join(dir, 'cfg.yaml'), '--json', join(dir, `run${n}.json`)])));
      for (const r of [r1!, r2!]) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('20/20 status codes match · 0/20 body shapes diverge');
      }
      for (const n of [1, 2]) {
        const report = JSON.parse(await readFile(join(dir, `run${n}.json`), 'utf8')) as ParityReport;
        expect(report.telemetry.clientSpans).toBe(400);
        const again = await runCli(['analyze', '--config', join(dir, 'cfg.yaml'), '--run', report.runId, '--json', join(dir, `again${n}.json`)]);
        expect(again.code, again.stderr).toBe(0);
        expect(await readFile(join(dir, `again${n}.json`), 'utf8')).toBe(await readFile(join(dir, `run${n}.json`), 'utf8'));
      }
      const runs = await runCli(['runs', '--config', join(dir, 'cfg.yaml')]);
      const [header, ...rows] = runs.stdout.trim().split('\n');
      expect(header).toMatch(/^RUN\s+COMMAND\s+STATUS\s+STARTED\s+SPANS\s+STORE$/);
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row).toMatch(/^r-\S+\s+parity\s+complete\s+/);
    } finally {
      await a.close();
      await b.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
