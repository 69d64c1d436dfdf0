import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';

/**
 * `npm start` is `gauntlet run` on the embedded default: the whole gauntlet against the reference
 * twins, in one command. This runs exactly that (with the store and reports in a temp directory).
 */
describe('gauntlet run on the embedded default (npm start)', () => {
  it('prints smoke lines and totals, parity summary, replay, gate and assessment; writes every report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-run-'));
    try {
      const r = await runCli(['run', '--store', join(dir, 'store.duckdb'), '--reports-dir', join(dir, 'reports')], { timeoutMs: 150_000 });
      // On a shared machine the twins' latency can honestly differ for a while (both flavours share
      // two cores with everything else): a failing latency rule alone is the machine, not a bug, and
      // then the run must say do-not-ship and exit 1. Every other rule must pass.
      const latencyFailed = /^ {2}- \[critical\] latency /m.test(r.stdout);
      expect(r.code, r.stderr + r.stdout.slice(-3000)).toBe(latencyFailed ? 1 : 0);
      expect(r.stdout).not.toMatch(/^ {2}- \[critical\] (?!latency )/m);
      expect(r.stdout).toMatch(/^PASS validatord\/healthz rust /m);
      expect(r.stdout).toMatch(/^PASS vectord\/search go /m);
      expect(r.stdout).toMatch(/^--- (\d+) PASS \/ 0 FAIL ---$/m);
      expect(r.stdout).toContain('6/6 status codes match · 5/6 body shapes diverge');
      expect(r.stdout).toMatch(/validatord: 200 recorded requests replayed/);
      if (!latencyFailed) expect(r.stdout).toMatch(/validatord POST \/v1\/validate: (pass|faster) /);
      // the load phase: both twins under the same short load, thresholds and the latency verdict
      expect(r.stdout).toContain('Load vectord: rust (A) vs go (B), interleaved ABBA blocks');
      expect(r.stdout).toMatch(/^ {4}rust [\d.]+\/s \(target 75\.0\/s\) · \d+ requests · 0\.00% errors · p50 [\d.]+ · p95 [\d.]+ · p99 [\d.]+ ms · thresholds 3\/3 ✓$/m);
      expect(r.stdout).toMatch(/^ {4}POST \/v1\/collections\/\{name\}\/search: (pass|faster|slower|inconclusive) /m);
      expect(r.stdout).toMatch(/^ {2}verdict: .* · thresholds: all passed$/m);
      if (!latencyFailed) {
        expect(r.stdout).toMatch(/gate: pass \(score 100\) · assessment: ship-with-known-gap/);
        expect(r.stdout).toMatch(/production assessment: ship-with-known-gap — known gaps VAL-001, VAL-002, VAL-003 did not get worse/);
      } else expect(r.stdout).toMatch(/production assessment: do-not-ship — 1 failing rule \(latency\);.* known gaps VAL-001, VAL-002, VAL-003 did not get worse/);
      expect(r.stdout).toMatch(/phases: start-up [\d.]+ s · smoke [\d.]+ s · parity [\d.]+ s · replay [\d.]+ s · load [\d.]+ s/);
      const runs = await readdir(join(dir, 'reports'));
      expect(runs).toHaveLength(1);
      const files = (await readdir(join(dir, 'reports', runs[0]!))).sort();
      expect(files).toEqual(['gate.json', 'junit.xml', 'report.html', 'report.json', 'smoke-junit.xml', 'smoke.json', 'summary.md']);
      expect(r.stdout).toContain(`html report: ${join(dir, 'reports', runs[0]!, 'report.html')}`);
      const gate = JSON.parse(await readFile(join(dir, 'reports', runs[0]!, 'gate.json'), 'utf8')) as { verdict: string; rules: Array<{ rule: string }> };
      expect(gate.verdict).toBe(latencyFailed ? 'fail' : 'pass');
      expect(new Set(gate.rules.map((x) => x.rule))).toEqual(new Set(['divergence', 'latency', 'error-rate', 'trace', 'smoke', 'load']));
      const report = JSON.parse(await readFile(join(dir, 'reports', runs[0]!, 'report.json'), 'utf8')) as { load: { service: string; thresholdsFailed: number; scenarios: Array<{ name: string }> } };
      expect(report.load).toMatchObject({ service: 'vectord', thresholdsFailed: 0, scenarios: [{ name: 'search-32' }] });
      // re-judging the stored run in a fresh process gives the same gate verdict
      // (smoke and load rules included: the same rules, the same messages)
      const regate = join(dir, 'regate.json');
      const again = await runCli(['gate', '--run', runs[0]!, '--store', join(dir, 'store.duckdb'), '--quiet', '--gate-json', regate]);
      expect(again.code, again.stderr).toBe(latencyFailed ? 1 : 0);
      expect(again.stdout).toMatch(latencyFailed ? /gate: fail/ : /gate: pass/);
      expect((JSON.parse(await readFile(regate, 'utf8')) as typeof gate).rules).toEqual(gate.rules);
      // analyze --run reproduces the run's parity section line for line: no smoke check shows up as a
      // parity case, and the load engine's samples add no finding the run never reported.
      const section = (out: string, title: string) => {
        const from = out.indexOf(`${title}\n`);
        return out.slice(from, out.indexOf('\n\n', from));
      };
      const analyzed = await runCli(['analyze', '--run', runs[0]!, '--store', join(dir, 'store.duckdb')]);
      expect(analyzed.code, analyzed.stderr).toBe(0);
      expect(section(r.stdout, 'Parity').length).toBeGreaterThan(100);
      expect(section(analyzed.stdout, 'Parity')).toBe(section(r.stdout, 'Parity'));
      expect(analyzed.stdout).not.toMatch(/200 ≠ missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
