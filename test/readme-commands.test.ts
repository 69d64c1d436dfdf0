import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from './support/cli.ts';
import { extractReadmeCommands, type ReadmeCommand } from './support/readme-commands.ts';

/**
 * Every command line the README shows is run here, so the README cannot drift from what works.
 * Commands come from the README's sh/bash/shell code blocks (test/support/readme-commands.ts says
 * how they are read); each must exit as documented (0, or `# exits N: why`). A command whose
 * program this test does not know, or a synopsis with placeholders in a sh block, fails the test.
 *
 * Where they run: a fresh temporary directory holding symlinks to the repository's files (so the
 * README's relative paths work) and nothing else — reports, stores and the files the commands
 * write land there, and no gauntlet.config.* is found, so the embedded default is used, as on a
 * fresh clone. `gauntlet` alone is on PATH through a shim to bin/gauntlet.mjs.
 *
 * Policy for the commands that cannot simply run to completion here:
 * - `npm test` is the suite itself: it cannot run inside the suite. It is covered by CI — `.ci/run`
 *   calls exactly this command on a fresh clone — and this test asserts that it does.
 * - `npm start` is run by test/fresh-clone.test.ts, which clones the repository into an empty
 *   folder and runs the README's start command there; this test asserts the command is the one
 *   package.json defines.
 * - a command ending in `&` (a daemon, a proxy, `watch`) is started, must become ready — its
 *   loopback port accepts connections — and is stopped with SIGINT when its code block ends; it
 *   must then exit (0 or 130, or by the SIGINT when npx relays it) within 30 s.
 */

const README = join(REPO_ROOT, 'README.md');
const blocks = extractReadmeCommands(readFileSync(README, 'utf8'));
const where = (c: ReadmeCommand) => `README.md:${c.line}: \`${c.text}\``;

const FOREGROUND_TIMEOUT_MS = 240_000;
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-readme-'));
  for (const name of readdirSync(REPO_ROOT)) {
    if (name === '.git' || name === '.gauntlet') continue;
    symlinkSync(join(REPO_ROOT, name), join(dir, name));
  }
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'gauntlet'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'gauntlet'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
  delete env.GAUNTLET_CONFIG;
  return { dir, env };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

function output(child: ChildProcess): { text: () => string } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { text: () => (out.length > 6000 ? `…${out.slice(-6000)}` : out) };
}

/** Each command runs in its own process group so that stopping it stops everything it started. */
function start(c: ReadmeCommand, ws: { dir: string; env: NodeJS.ProcessEnv }) {
  const child = spawn('bash', ['-c', `exec ${c.text}`], { cwd: ws.dir, env: ws.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = output(child);
  const exited = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out: out.text() }));
  });
  return { child, out, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

async function runForeground(c: ReadmeCommand, ws: { dir: string; env: NodeJS.ProcessEnv }): Promise<Finished> {
  const p = start(c, ws);
  const timer = setTimeout(() => killGroup(p.child, 'SIGKILL'), FOREGROUND_TIMEOUT_MS);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function checkKnown(c: ReadmeCommand): void {
  if (c.problem) throw new Error(`${where(c)}: ${c.problem}`);
  if (!c.program) {
    throw new Error(`${where(c)}: this test does not know how to run \`${c.programWord}\` — run it with a known program (npx gauntlet, gauntlet, node bin/gauntlet.mjs, npm start/test/run, curl, k6), teach test/support/readme-commands.ts, or show it outside a sh block`);
  }
}

describe('README command extraction', () => {
  it('reads continuation lines, comments, declared exit codes, background commands and placeholders', () => {
    const [block, ...rest] = extractReadmeCommands(
      [
        'text',
        '```sh',
        'npx gauntlet parity --fail-on-divergence   # exits 1: a divergence',
        'npx gauntlet mirror --listen 127.0.0.1:8480 \\',
        '   --primary http://127.0.0.1:3100 &   # until stopped',
        "curl -s http://x -d '{\"a\":\"#not a comment\"}'",
        'K6_X=1 k6 run load/k6/vectord.js',
        'gauntlet gate --run ID',
        'make all',
        '```',
        '```yaml',
        'not: a command',
        '```',
      ].join('\n'),
    );
    expect(rest).toEqual([]);
    expect(block!.line).toBe(2);
    const [parity, mirror, curl, k6, synopsis, make] = block!.commands;
    expect(parity).toMatchObject({ line: 3, text: 'npx gauntlet parity --fail-on-divergence', expectedExit: 1, background: false, program: 'gauntlet' });
    expect(mirror).toMatchObject({ line: 4, background: true, readyPort: 8480, expectedExit: 0, program: 'gauntlet', problem: undefined });
    expect(mirror!.text).toBe('npx gauntlet mirror --listen 127.0.0.1:8480  --primary http://127.0.0.1:3100');
    expect(curl).toMatchObject({ program: 'curl', comment: undefined });
    expect(curl!.text).toContain('#not a comment');
    expect(k6).toMatchObject({ program: 'k6', programWord: 'k6' });
    expect(synopsis!.problem).toMatch(/synopsis.*"ID"/);
    expect(make).toMatchObject({ program: undefined, programWord: 'make' });
    expect(() => checkKnown(make!)).toThrow(/README\.md:9: `make all`: this test does not know how to run `make`/);
  });

  it('the README shows commands (the extraction is not silently empty)', () => {
    const all = blocks.flatMap((b) => b.commands);
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.map((c) => c.text)).toEqual(expect.arrayContaining(['npm start', 'npm test']));
  });
});

describe.sequential('every command line in the README runs as documented', () => {
  // Made when the first command runs, not when the file is collected: a run filtered to other tests leaves nothing behind.
  let made: ReturnType<typeof workspace> | undefined;
  const ws = {
    get dir() {
      return (made ??= workspace()).dir;
    },
    get env() {
      return (made ??= workspace()).env;
    },
  };
  afterAll(() => {
    if (made) rmSync(made.dir, { recursive: true, force: true });
  });

  for (const block of blocks) {
    describe.sequential(`code block at README.md:${block.line}`, () => {
      const running: { c: ReadmeCommand; p: ReturnType<typeof start> }[] = [];
      afterAll(() => {
        for (const r of running) killGroup(r.p.child, 'SIGKILL');
      });

      for (const c of block.commands) {
        it(`README.md:${c.line}: ${c.text}${c.background ? ' &' : ''}`, async () => {
          checkKnown(c);
          if (c.program === 'npm-test') {
            const ci = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8').split('\n').map((l) => l.trim());
            expect(ci, `${where(c)}: .ci/run must call exactly the README's test command (it is the suite: CI runs it on a fresh clone)`).toContain(c.text);
            return;
          }
          if (c.program === 'npm-start') {
            const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
            expect(pkg.scripts.start, `${where(c)}: package.json has no start script`).toBeTruthy();
            expect(existsSync(join(REPO_ROOT, 'test/fresh-clone.test.ts')), `${where(c)}: run by test/fresh-clone.test.ts in a fresh clone`).toBe(true);
            return;
          }
          if (c.program === 'k6') {
            const onPath = (ws.env.PATH ?? '').split(delimiter).some((d) => existsSync(join(d, 'k6')));
            if (!onPath) throw new Error(`${where(c)}: k6 is not installed on this machine, so this README command cannot be checked — install k6 (see docs/k6.md) or show the command outside a sh block`);
          }
          if (c.background) {
            const port = c.readyPort!;
            if (await portOpen(port)) throw new Error(`${where(c)}: port ${port} is already in use before the command started (another process holds it)`);
            const p = start(c, ws);
            running.push({ c, p });
            let early: Finished | undefined;
            void p.exited.then((f) => (early = f));
            const deadline = Date.now() + READY_TIMEOUT_MS;
            for (let i = 0; i < 1000 && Date.now() < deadline && !early; i++) {
              if (await portOpen(port)) return;
              await new Promise((r) => setTimeout(r, 250));
            }
            if (early) throw new Error(`${where(c)}: exited (${early.code ?? early.signal}) before it was ready on port ${port}\n${early.out}`);
            throw new Error(`${where(c)}: not ready on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s\n${p.out.text()}`);
          }
          const r = await runForeground(c, ws);
          if (r.code !== c.expectedExit) {
            throw new Error(`${where(c)}: exited ${r.code ?? r.signal}, the README says ${c.expectedExit}${c.expectedExit ? '' : ' (declare another with `# exits N: why`)'}\n${r.out}`);
          }
        }, FOREGROUND_TIMEOUT_MS + 10_000);
      }

      if (block.commands.some((c) => c.background)) {
        it(`README.md:${block.line}: the commands run with & stop cleanly on SIGINT`, async () => {
          const problems: string[] = [];
          for (const { c, p } of [...running].reverse()) {
            killGroup(p.child, 'SIGINT');
            const timer = setTimeout(() => killGroup(p.child, 'SIGKILL'), STOP_TIMEOUT_MS);
            const f = await p.exited;
            clearTimeout(timer);
            const clean = f.code === 0 || f.code === 130 || (f.code === null && f.signal === 'SIGINT');
            if (!clean) problems.push(`${where(c)}: after SIGINT it ended with ${f.code ?? f.signal}\n${f.out}`);
          }
          running.length = 0;
          expect(problems).toEqual([]);
        }, STOP_TIMEOUT_MS * 4);
      }
    });
  }
});
