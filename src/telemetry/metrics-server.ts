import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { GauntletError } from '../util/errors.ts';

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

/** `host:port` → parts; `[::1]:9464` for IPv6. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new GauntletError('GAUNTLET_USAGE', `--listen must be host:port, got "${listen}"`, { hint: 'e.g. --listen 127.0.0.1:9464 (port 0 picks a free one)' });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * `/metrics` (Prometheus text format) and `/healthz` (JSON from `health()`; 503 when it says
 * unhealthy), nothing else. Scrapes are cheap reads of the registry, so no caching.
 */
export async function serveMetrics(opts: { listen: string; registry: Registry; health: () => { ok: boolean; [k: string]: unknown } }): Promise<MetricsServer> {
  const { host, port } = parseListen(opts.listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
      );
    } else if (path === '/healthz') {
      const health = opts.health();
      res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health) + '\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('gauntlet watch serves /metrics and /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new GauntletError('GAUNTLET_USAGE', `cannot listen on ${opts.listen}: ${err.code ?? err.message}`, { hint: 'pick another --listen host:port' }, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
