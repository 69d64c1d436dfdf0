/**
 * Process entry of the validatord reference twin:
 *   node --import tsx src/daemons/validatord/main.ts --flavour rust|go [--host H] [--port P]
 *     [--otlp-endpoint URL] [--fault-latency-ms N] [--fault-latency-ratio R] [--volatile-fields]
 *     [--fault n-plus-one|extra-call|hidden-error|retry|broken-propagation]... [--fault-op NAME --fault-op-latency-ms N]
 *     [--storaged-url URL]   (default: a storaged embedded in this process)
 * Prints one `{"event":"listening",…}` JSON line on stdout once it accepts requests.
 */
import { parseDaemonArgs } from '../common/args.ts';
import { FRAMEWORKS } from '../common/frameworks.ts';
import { createDaemonServer } from '../common/http-server.ts';
import { reportStartupFailure, runDaemon } from '../common/lifecycle.ts';
import { createDaemonMetrics } from '../common/metrics.ts';
import { startTracing } from '../common/tracing.ts';
import { createDownstreamClient } from '../common/downstream.ts';
import { startEmbeddedStoraged } from '../storaged/embedded.ts';
import { STORAGED_SERVICE, STORAGED_VERSION } from '../storaged/routes.ts';
import { createValidatordRoutes } from './handler.ts';
import { createSchemaResolver } from './resolve.ts';
import { WIRES } from './wire.ts';

const VALIDATORD_SERVICE = 'validatord';
/** Version of the emulated wire contract, reported as service.version and in build_info. */
const VALIDATORD_VERSION = '1.0.0';

async function main(): Promise<void> {
  const args = parseDaemonArgs(process.argv.slice(2), process.env);
  const wire = WIRES[args.flavour];
  const identity = { service: VALIDATORD_SERVICE, version: VALIDATORD_VERSION, runtime: args.flavour };

  const tracing = await startTracing({ ...identity, tracesUrl: args.tracesUrl });
  const metrics = createDaemonMetrics(identity);
  // storaged: the one given, or one embedded in this process with a resource of its own.
  const storagedUrl = args.storagedUrl ?? (await startEmbeddedStoraged(tracing.tracerFor(STORAGED_SERVICE, STORAGED_VERSION), args.flavour)).url;
  const resolver = createSchemaResolver({ tracer: tracing.tracer, storaged: createDownstreamClient(tracing.tracer, storagedUrl), faults: args.traceFaults ?? [], opLatency: args.opLatency });
  const inner = { tracer: tracing.tracer, resolver, opLatency: args.opLatency };
  const server = createDaemonServer({
    routes: createValidatordRoutes({ wire, metrics, fault: args.fault, volatileFields: args.volatileFields, inner }),
    framework: FRAMEWORKS[args.flavour],
    tracer: tracing.tracer,
    metrics,
    internalError: () => ({ status: 500, headers: { 'content-type': 'application/json' }, body: wire.encodeError('internal error') }),
  });
  await runDaemon({ server, host: args.host, port: args.port, service: VALIDATORD_SERVICE, runtime: args.flavour, flush: tracing.shutdown });
}

main().catch((error: unknown) => {
  process.exitCode = reportStartupFailure(error);
  process.exit();
});
