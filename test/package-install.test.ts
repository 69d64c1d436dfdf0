/**
 * Packaging: a team installs gauntlet into its own repository. `npm pack` → install the tarball into
 * an empty project → `npx gauntlet run --config …` from that project's directory.
 *
 * No network: the tarball's dependencies are the ones this repository already installed. The
 * production dependency closure (walked from package.json, nothing else) is hard-linked into the
 * empty project's node_modules, then `npm install --offline TARBALL` resolves the tarball against
 * that tree — npm checks every range itself and would fail with ENOTCACHED if one were missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

/** Directories (relative to ROOT) of the production dependency closure, resolved as Node would. */
function prodClosure(): string[] {
  const seen = new Set<string>();
  const find = (from: string, name: string): string | undefined => {
    for (let d = from; ; d = dirname(d)) {
      const c = join(d, 'node_modules', name);
      if (existsSync(join(c, 'package.json'))) return c;
      if (dirname(d) === d || d === dirname(ROOT)) return undefined;
    }
  };
  const walk = (dir: string) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object };
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const c = find(dir, name);
      if (!c || seen.has(c)) continue;
      seen.add(c);
      walk(c);
    }
  };
  walk(ROOT);
  return [...seen].map((p) => p.slice(ROOT.length + 1));
}

let work: string;
let project: string;
let tarball: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gauntlet-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 << 20 });
  tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  project = join(work, 'team-repo');
  await mkdir(join(project, '.git'), { recursive: true }); // a repository root: config discovery stops here
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'team-repo', version: '1.0.0', private: true }));
  const modules = await realpath(join(ROOT, 'node_modules'));
  for (const rel of prodClosure()) {
    const inner = rel.slice('node_modules/'.length);
    await mkdir(dirname(join(project, 'node_modules', inner)), { recursive: true });
    // Hard links: no copy of 300 MB, and npm can only unlink them, never touch the repository's files.
    await run('cp', ['-al', join(modules, inner), join(project, 'node_modules', inner)]);
  }
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack → install into an empty project → npx gauntlet', () => {
  it('ships what a run needs, and no tests or benchmarks', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 64 << 20 });
    const files = stdout.split('\n').filter(Boolean);
    for (const needed of ['package/bin/gauntlet.mjs', 'package/src/cli/main.ts', 'package/schemas/config.json', 'package/harness/parity/validatord.cases.yaml', 'package/src/daemons/index.ts']) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => /^package\/(test|bench|scripts|\.ci)\//.test(f))).toEqual([]);
  });

  it('installs offline and `npx gauntlet run --config …` runs and judges from the project directory', async () => {
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, timeout: 120_000, maxBuffer: 64 << 20 });
    const installed = join(project, 'node_modules', 'gauntlet');
    expect(JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')).name).toBe('gauntlet');
    // The team's own config and cases, in its own repository; the runtimes are the shipped reference twins.
    await cp(join(installed, 'harness/parity/validatord.cases.yaml'), join(project, 'ci/validatord.cases.yaml'), { recursive: true });
    await writeFile(
      join(project, 'ci/gauntlet.yaml'),
      [
        'stack:',
        '  services:',
        '    validatord:',
        '      primary: rust',
        '      candidate: go',
        '      runtimes:',
        '        rust: { reference: { flavour: rust } }',
        '        go: { reference: { flavour: go } }',
        'parity:',
        '  cases: [validatord.cases.yaml]',
        'store:',
        '  path: ../.gauntlet/store.duckdb',
        '',
      ].join('\n'),
    );
    const result = await run('npx', ['--offline', 'gauntlet', 'run', '--config', 'ci/gauntlet.yaml', '--phase', 'parity', '--repeat', '3'], { cwd: project, timeout: 180_000, maxBuffer: 64 << 20 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    // 0 ship / 1 gate failed are both verdicts; 2 or 70 would be the install failing.
    expect([0, 1], `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toContain(result.code);
    expect(result.stderr).not.toMatch(/embedded default/);
    const runId = /gauntlet gate --run (\S+)/.exec(result.stdout)?.[1];
    expect(runId, result.stdout).toBeTruthy();
    expect(result.stdout).toMatch(/6\/6 status codes match/);
    expect(existsSync(join(project, '.gauntlet/store.duckdb'))).toBe(true);
    const report = /reports: (\S+report\.json)/.exec(result.stdout)?.[1];
    expect(report?.startsWith(project), result.stdout).toBe(true);
    expect(JSON.parse(await readFile(report!, 'utf8'))).toBeTruthy();
    // The same installed binary re-judges the stored run in a fresh process, with the same verdict.
    const verdict = /gate: (\w+)/.exec(result.stdout)?.[1];
    const gate = await run('npx', ['--offline', 'gauntlet', 'gate', '--config', 'ci/gauntlet.yaml', '--run', runId!], { cwd: project, timeout: 120_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(gate.code).toBe(result.code);
    expect(/gate: (\w+)/.exec(gate.stdout)?.[1]).toBe(verdict);
  }, 300_000);
});
