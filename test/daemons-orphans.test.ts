import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveTsxLoader } from '../src/daemons/spawn.ts';
import { BIN, REPO_ROOT } from './support/cli.ts';

/** Pids of the reference daemons `parentPid` spawned (children running a daemons/…/main.ts). */
function daemonChildren(parentPid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      if (/src\/daemons\/\w+\/main\.ts/.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Alive = exists and is not a zombie (a dead child whose new parent has not reaped it yet). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * `kill -9` of the process that spawned the reference twins (as `gauntlet run` does through
 * drive/stack.ts → spawnDaemon): no `exit` handler runs in the parent, yet every twin must be
 * gone within a few seconds and its port free.
 */
describe('reference daemons die with their parent', () => {
  it('SIGKILL of the spawning process leaves no twin running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-orphans-'));
    const parentScript = join(dir, 'parent.mts');
    const spawnModule = pathToFileURL(join(REPO_ROOT, 'src/daemons/spawn.ts')).href;
    await writeFile(
      parentScript,
      [
        `import { spawnDaemon } from ${JSON.stringify(spawnModule)};`,
        `const twins = await Promise.all([`,
        `  spawnDaemon({ service: 'validatord', flavour: 'rust' }),`,
        `  spawnDaemon({ service: 'validatord', flavour: 'go' }),`,
        `  spawnDaemon({ service: 'vectord', flavour: 'rust' }),`,
        `]);`,
        `console.log(JSON.stringify(twins.map((t) => ({ pid: t.pid, url: t.url }))));`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const parent = spawn(process.execPath, ['--import', resolveTsxLoader(), parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let twins: Array<{ pid: number; url: string }> = [];
    try {
      twins = await new Promise((resolve, reject) => {
        createInterface({ input: parent.stdout! }).once('line', (line) => resolve(JSON.parse(line) as typeof twins));
        parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
      });
      expect(twins).toHaveLength(3);
      for (const t of twins) expect(alive(t.pid), `twin ${t.pid} running before the kill`).toBe(true);

      parent.kill('SIGKILL');
      const allGone = await waitUntil(() => twins.every((t) => !alive(t.pid)), 5_000);
      const survivors = twins.filter((t) => alive(t.pid)).map((t) => t.pid);
      expect(survivors, 'twins still running 5 s after their parent was SIGKILLed').toEqual([]);
      expect(allGone).toBe(true);
      for (const t of twins) expect(await refused(t.url), `${t.url} still accepts connections`).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      for (const t of twins) if (alive(t.pid)) process.kill(t.pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a daemon whose parent is alive keeps running (no false alarm from the watch)', async () => {
    const { spawnDaemon } = await import('../src/daemons/spawn.ts');
    const daemon = await spawnDaemon({ service: 'validatord', flavour: 'go' });
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      expect(alive(daemon.pid)).toBe(true);
    } finally {
      await daemon.stop();
    }
  });

  it('SIGKILL of `gauntlet run` once its twins are up leaves none running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-orphans-run-'));
    // The embedded default config: reference twins for both services, started by the run itself.
    const run = spawn(process.execPath, [BIN, 'run'], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
    let twins: number[] = [];
    try {
      const up = await waitUntil(() => (twins = daemonChildren(run.pid!)).length >= 2, 40_000);
      expect(up, 'gauntlet run started its reference twins').toBe(true);
      await new Promise((r) => setTimeout(r, 1_000)); // let them get to listening and serving
      twins = daemonChildren(run.pid!);
      run.kill('SIGKILL');
      await waitUntil(() => twins.every((pid) => !alive(pid)), 5_000);
      expect(twins.filter(alive), 'twins still running 5 s after `gauntlet run` was SIGKILLed').toEqual([]);
    } finally {
      run.kill('SIGKILL');
      for (const pid of twins) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
