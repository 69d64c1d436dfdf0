import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli.ts';
import { extractReadmeCommands } from './support/readme-commands.ts';

/**
 * A fresh machine, as far as a test can make one: `git clone` of this repository's HEAD into an
 * empty folder — only committed files, no `.gauntlet/`, no store, no reports, no config but the
 * committed ones — and there the README's start command, exactly as the README shows it.
 *
 * What this does not do, said plainly: it does not download the npm dependencies. Tests run without
 * network, and the npm cache on this machine does not hold every locked package (an offline
 * `npm ci` fails with ENOTCACHED), so the clone gets a `node_modules` folder of its own whose
 * entries are symlinks to the repository's installed packages, and the install marker
 * (`node_modules/.package-lock.json`) is dated after the lockfile, so `scripts/ensure-deps.mjs`
 * sees an up-to-date install and `npm start` does not run `npm ci` (asserted below). The links are
 * per entry inside a real folder, so even an `npm ci` would only remove links, never the
 * repository's packages. The install itself is exercised where the network is: `.ci/run` runs
 * `npm ci` and the README's test command on a fresh clone in CI.
 */

const START = extractReadmeCommands(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))
  .flatMap((b) => b.commands)
  .filter((c) => c.program === 'npm-start');

const root = mkdtempSync(join(tmpdir(), 'gauntlet-fresh-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('fresh clone: the README start command runs the main job', () => {
  it('the README shows exactly one start command', () => {
    expect(START.map((c) => `README.md:${c.line}: ${c.text}`)).toHaveLength(1);
  });

  it('npm start in a fresh clone of HEAD runs `gauntlet run` to the production assessment (exit 0; 1 only on a latency verdict of a saturated machine)', async () => {
    const start = START[0]!;
    expect(readdirSync(root)).toEqual([]);
    const clone = join(root, 'gauntlet');
    git(['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone], root);
    expect(git(['rev-parse', 'HEAD'], clone)).toBe(git(['rev-parse', 'HEAD'], REPO_ROOT));
    expect(existsSync(join(clone, '.gauntlet'))).toBe(false);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);

    const modules = join(clone, 'node_modules');
    mkdirSync(modules);
    const installed = join(REPO_ROOT, 'node_modules');
    for (const name of readdirSync(installed)) {
      if (name === '.package-lock.json') continue;
      symlinkSync(join(installed, name), join(modules, name));
    }
    copyFileSync(join(installed, '.package-lock.json'), join(modules, '.package-lock.json'));
    const lock = statSync(join(clone, 'package-lock.json'));
    const later = new Date(lock.mtimeMs + 60_000);
    utimesSync(join(modules, '.package-lock.json'), later, later);

    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    delete env.GAUNTLET_CONFIG;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['-c', start.text], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 280_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    const shown = `README.md:${start.line}: \`${start.text}\` in ${clone}\nstdout:\n${r.stdout.slice(-5000)}\nstderr:\n${r.stderr.slice(-3000)}`;
    expect(r.stderr, shown).not.toContain('installing dependencies');
    // The main job's outputs are in the clone, nowhere else.
    const runs = readdirSync(join(clone, '.gauntlet/reports'));
    expect(runs).toHaveLength(1);
    // The twins share this machine's two cores with the rest of the suite (and, in the reliability
    // run, a replay bench): on a saturated machine a latency verdict can honestly fail. That, and
    // only that, may turn the assessment: every other rule must pass, and the exit code must say so.
    const gate = JSON.parse(readFileSync(join(clone, '.gauntlet/reports', runs[0]!, 'gate.json'), 'utf8')) as { rules: Array<{ rule: string; status: string }> };
    const failing = [...new Set(gate.rules.filter((x) => x.status === 'fail').map((x) => x.rule))];
    if (failing.length === 0) {
      expect(r.stdout, shown).toMatch(/^production assessment: (ship|ship-with-known-gap) /m);
      expect(r.code, shown).toBe(0);
    } else {
      expect(failing, shown).toEqual(['latency']);
      expect(r.stdout, shown).toMatch(/^production assessment: do-not-ship /m);
      expect(r.code, shown).toBe(1);
    }
    for (const f of ['report.json', 'gate.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(clone, '.gauntlet/reports', runs[0]!, f)), f).toBe(true);
    expect(existsSync(join(clone, '.gauntlet/store.duckdb'))).toBe(true);
    // `gauntlet runs` there: a header, and the one run labelled with the command that made it.
    const runsList = spawnSync(process.execPath, [join(clone, 'bin/gauntlet.mjs'), 'runs'], { cwd: clone, env, encoding: 'utf8' });
    expect(runsList.status, runsList.stderr).toBe(0);
    const [header, ...rows] = runsList.stdout.trim().split('\n');
    expect(header).toMatch(/^RUN\s+COMMAND\s+STATUS\s+STARTED\s+SPANS\s+STORE$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${runs[0]}\\s+run\\s+complete\\s+`));
  }, 300_000);
});
