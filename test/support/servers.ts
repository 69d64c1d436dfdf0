import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { connect, type AddressInfo } from 'node:net';
import { freePortFor } from '../../src/util/ports.ts';

export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<TestServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A port nothing listens on, for a server that binds it later (a collector port handed to daemons
 * before the run that listens on it starts): below the ephemeral range (src/util/ports.ts) — a
 * port-0 port was taken by another test's connection between `stack up` and the run (EADDRINUSE).
 */
export function unusedPort(): Promise<number> {
  return freePortFor('127.0.0.1');
}

/** Wait until a spawned server accepts connections on 127.0.0.1:port; fail with its stderr if it exits. */
export async function waitForPort(port: number, child: ChildProcess, stderr: () => string, name = 'server'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A stack-file `command` line for a daemon of your own: a Node HTTP server answering `ok` on the
 * `{port}` the supervisor hands it (the persistent stack's tests).
 */
export const okServerCommand = (): string =>
  `command = [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify("require('http').createServer((q,s)=>s.end('ok')).listen(Number(process.argv[1]),'127.0.0.1')")}, "{port}"]`;
