import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackTelemetry as T } from '../src/contract/index.ts';
import { BIN, runCli } from './support/cli.ts';
import { okServerCommand } from './support/servers.ts';

/**
 * The supervisor with your own commands: TCP health by default, restart policies (a crasher gives
 * up after maxRestarts), and its own spans for starts and stops, exported over OTLP/HTTP JSON to a
 * stub collector on a free port.
 */
describe('stack supervisor: commands, restart policy, spans', () => {
  let dir = '';
  let stackFile = '';
  let collector: Server | undefined;
  const spanNames: Array<{ name: string; daemon: string }> = [];
  const pids: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-stack-sup-'));
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const data = JSON.parse(body) as {
            resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }> }> }>;
          };
          for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) spanNames.push({ name: s.name, daemon: s.attributes.find((a) => a.key === T.ATTR_STACK_DAEMON)?.value.stringValue ?? '' });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', () => r()));
    const port = (collector.address() as AddressInfo).port;
    stackFile = join(dir, 'mine.toml');
    await writeFile(
      stackFile,
      [
        `otlpEndpoint = "http://127.0.0.1:${port}"`,
        '[daemons.web]',
        okServerCommand(),
        'stopGraceMs = 2000',
        '[daemons.crasher]',
        `command = [${JSON.stringify(process.execPath)}, "-e", "process.exit(3)"]`,
        'restart = { policy = "on-failure", backoffMs = 50, maxRestarts = 2 }',
        'health = { startTimeoutMs = 5000 }',
        '[daemons.oneshot]',
        `command = [${JSON.stringify(process.execPath)}, "-e", "process.exit(0)"]`,
        'restart = { policy = "on-failure" }',
        'health = { startTimeoutMs = 5000 }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    if (stackFile) await runCli(['stack', 'down', '--file', stackFile]).catch(() => undefined);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise<void>((r) => (collector ? collector.close(() => r()) : r()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('up: the command serves on its port; a crasher is restarted twice then failed; a clean exit under on-failure stays stopped (exit 1: not all healthy)', async () => {
    const r = await runCli(['stack', 'up', '--file', stackFile, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const up = JSON.parse(r.stdout) as { unhealthy: string[]; supervisor: { pid: number }; daemons: Array<{ name: string; pid: number | null; url: string; status: string; health: string; restarts: number; lastError: string | null }> };
    pids.push(up.supervisor.pid);
    for (const d of up.daemons) if (d.pid) pids.push(d.pid);
    const byName = Object.fromEntries(up.daemons.map((d) => [d.name, d]));
    expect(byName.web).toMatchObject({ status: 'running', health: 'ok', restarts: 0 });
    expect(await (await fetch(byName.web!.url)).text()).toBe('ok');
    expect(byName.crasher).toMatchObject({ status: 'failed', restarts: 2, lastError: 'exited with code 3' });
    expect(byName.oneshot).toMatchObject({ status: 'stopped', restarts: 0, lastError: 'exited with code 0' });
    expect(up.unhealthy.sort()).toEqual(['crasher', 'oneshot']);
  });

  it('down: the command gets SIGTERM and exits; start and stop spans reach the collector', async () => {
    const r = await runCli(['stack', 'down', '--file', stackFile]);
    expect(r.code, r.stderr).toBe(0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    // The supervisor flushes its spans before it exits; down waited for that exit.
    expect(spanNames.filter((s) => s.name === T.SPAN_STACK_DAEMON_START).map((s) => s.daemon).sort()).toEqual(['crasher', 'crasher', 'crasher', 'oneshot', 'web']);
    expect(spanNames.filter((s) => s.name === T.SPAN_STACK_DAEMON_STOP).map((s) => s.daemon)).toEqual(['web']);
  });
});

/**
 * One `stack up`/`down` at a time per state directory: two `up`s at once used to both find no
 * supervisor and both start one. Now they queue on `stack.lock` (O_EXCL, holder's pid and start
 * time): a lock left by a dead process is taken over, a live holder is waited for, named on stderr.
 */
describe('stack up/down: one at a time per stack', () => {
  let dir = '';
  let stackFile = '';
  let stateDir = '';
  const supervisorsOf = (state: string) =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          return cmd.some((a) => a.endsWith('supervisor-main.ts')) && cmd.includes(state) && !/^\d+ \(.*\) Z/.test(stat);
        } catch {
          return false;
        }
      })
      .map(Number);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-stack-lock-'));
    stackFile = join(dir, 'pair.toml');
    stateDir = join(dir, '.gauntlet/stack/pair');
    await writeFile(stackFile, ['[daemons.web]', okServerCommand(), 'stopGraceMs = 2000', ''].join('\n'));
  });

  afterAll(async () => {
    if (stackFile) await runCli(['stack', 'down', '--file', stackFile]).catch(() => undefined);
    for (const pid of stateDir ? supervisorsOf(stateDir) : []) process.kill(-pid, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('two ups at once, over a lock left by a dead process: one supervisor, both applied in turn, no lock left', async () => {
    // A `stack up` that was SIGKILLed while it held the lock: its pid is gone.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'stack.lock'), JSON.stringify({ pid: dead, what: 'up', since: '2026-01-01T00:00:00.000Z' }) + '\n');

    const [a, b] = await Promise.all([runCli(['stack', 'up', '--file', stackFile, '--json']), runCli(['stack', 'up', '--file', stackFile, '--json'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const [ua, ub] = [a, b].map((r) => JSON.parse(r.stdout) as { supervisor: { pid: number }; daemons: Array<{ name: string; health: string }> });
    expect(ua!.supervisor.pid).toBe(ub!.supervisor.pid);
    expect(supervisorsOf(stateDir)).toEqual([ua!.supervisor.pid]);
    expect(ub!.daemons.map((d) => `${d.name} ${d.health}`)).toEqual(['web ok']);
    // Each up wrote its own generation; the supervisor applied the second after the first.
    expect((JSON.parse(readFileSync(join(stateDir, 'desired.json'), 'utf8')) as { generation: number }).generation).toBe(2);
    expect((JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { lastApply: { generation: number } }).lastApply.generation).toBe(2);
    expect(existsSync(join(stateDir, 'stack.lock'))).toBe(false);
    // One of the two waited for the other and said so, naming the holder.
    const waited = [a, b].filter((r) => /^waiting for another `gauntlet stack up` \(pid \d+, since [^)]+\) to finish: it holds .*stack\.lock$/m.test(r.stderr));
    expect(waited).toHaveLength(1);
  });

  it('down while a live process holds the lock waits for it (and says whom), then stops the stack', async () => {
    const [supervisor] = supervisorsOf(stateDir);
    expect(supervisor).toBeDefined();
    const lock = join(stateDir, 'stack.lock');
    // This test process plays another `stack up` still at work.
    await writeFile(lock, JSON.stringify({ pid: process.pid, startTicks: Number(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]), what: 'up', since: new Date().toISOString() }) + '\n');
    const child = spawn(process.execPath, [BIN, 'stack', 'down', '--file', stackFile], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // It says it waits, naming this process, and does nothing while it waits.
    const deadline = Date.now() + 30_000;
    while (!stderr.includes('waiting for') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain(`waiting for another \`gauntlet stack up\` (pid ${process.pid}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(supervisorsOf(stateDir), 'down must not act while the lock is held').toEqual([supervisor]);
    await rm(lock);
    const code = await exited;
    const r = { code, stdout, stderr };
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stopped web/);
    expect(supervisorsOf(stateDir)).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  });
});
