import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tracer } from '@opentelemetry/api';
import type { Flavour } from '../common/args.ts';
import { FRAMEWORKS } from '../common/frameworks.ts';
import { createDaemonServer } from '../common/http-server.ts';
import { createDaemonMetrics } from '../common/metrics.ts';
import { createStoragedRoutes, STORAGED_SERVICE, STORAGED_VERSION } from './routes.ts';

export interface EmbeddedStoraged {
  url: string;
  server: Server;
}

/**
 * Starts storaged inside the calling process, on 127.0.0.1 and an ephemeral port, with its own
 * OTel resource (`service.name=storaged`, from the caller's `tracerFor`). validatord does this by
 * default so the reference stack needs no third process per runtime; the calls still go over
 * HTTP with trace context, so the trace looks exactly like a separate storaged's
 * (`--storaged-url` points validatord at one).
 */
export async function startEmbeddedStoraged(tracer: Tracer, flavour: Flavour): Promise<EmbeddedStoraged> {
  const metrics = createDaemonMetrics({ service: STORAGED_SERVICE, runtime: flavour, version: STORAGED_VERSION });
  const server = createDaemonServer({
    routes: createStoragedRoutes(),
    framework: FRAMEWORKS[flavour],
    tracer,
    metrics,
    internalError: () => ({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal error"}' }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
