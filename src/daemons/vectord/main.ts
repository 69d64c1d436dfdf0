/**
 * Process entry of the vectord reference twin:
 *   node --import tsx src/daemons/vectord/main.ts --flavour rust|go [--host H] [--port P]
 *     [--otlp-endpoint URL] [--fault-latency-ms N] [--fault-latency-ratio R]
 *     [--fault-route /v1/collections/{name}/search]
 * Prints one `{"event":"listening",…}` JSON line on stdout once it accepts requests.
 */
import { trace } from '@opentelemetry/api';
import { parseDaemonArgs } from '../common/args.ts';
import { FRAMEWORKS } from '../common/frameworks.ts';
import { createDaemonServer } from '../common/http-server.ts';
import { reportStartupFailure, runDaemon } from '../common/lifecycle.ts';
import { createDaemonMetrics } from '../common/metrics.ts';
import { startTracing } from '../common/tracing.ts';
import { createVectordRoutes } from './handler.ts';
import { VECTORD_FLAVOURS } from './wire.ts';

const VECTORD_SERVICE = 'vectord';
/** Version of the emulated wire contract, reported as service.version and in build_info. */
const VECTORD_VERSION = '1.0.0';

async function main(): Promise<void> {
  const args = parseDaemonArgs(process.argv.slice(2), process.env);
  const flavour = VECTORD_FLAVOURS[args.flavour];
  const identity = { service: VECTORD_SERVICE, version: VECTORD_VERSION, runtime: args.flavour };

  const metrics = createDaemonMetrics(identity);
  // Built before tracing starts so a bad --fault-route fails fast, with nothing to shut down; the
  // API's proxy tracer starts delegating to the SDK once it is registered.
  const inner = { tracer: trace.getTracer(VECTORD_SERVICE, VECTORD_VERSION), opLatency: args.opLatency };
  const routes = createVectordRoutes({ flavour, metrics, fault: args.fault, inner });
  const tracing = await startTracing({ ...identity, tracesUrl: args.tracesUrl });
  const server = createDaemonServer({
    routes,
    framework: FRAMEWORKS[args.flavour],
    tracer: tracing.tracer,
    metrics,
    internalError: () => ({ status: 500, headers: { 'content-type': 'application/json' }, body: flavour.wire.encodeError('internal error') }),
  });
  await runDaemon({ server, host: args.host, port: args.port, service: VECTORD_SERVICE, runtime: args.flavour, flush: tracing.shutdown });
}

main().catch((error: unknown) => {
  process.exitCode = reportStartupFailure(error);
  process.exit();
});
