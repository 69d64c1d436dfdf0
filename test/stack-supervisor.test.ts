import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackTelemetry as T } from '../src/contract/index.ts';
import { runCli } from './support/cli.ts';

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
    const server = "require('http').createServer((q,s)=>s.end('ok')).listen(Number(process.argv[1]),'127.0.0.1')";
    await writeFile(
      stackFile,
      [
        `otlpEndpoint = "http://127.0.0.1:${port}"`,
        '[daemons.web]',
        `command = [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(server)}, "{port}"]`,
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
