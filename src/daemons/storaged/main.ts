/**
 * Process entry of storaged, the reference schema store validatord calls (validatord embeds one by
 * default; run this and pass `--storaged-url` to validatord for a separate process):
 *   node --import tsx src/daemons/storaged/main.ts --flavour rust|go [--host H] [--port P] [--otlp-endpoint URL]
 */
import { parseDaemonArgs } from '../common/args.ts';
import { FRAMEWORKS } from '../common/frameworks.ts';
import { createDaemonServer } from '../common/http-server.ts';
import { reportStartupFailure, runDaemon } from '../common/lifecycle.ts';
import { createDaemonMetrics } from '../common/metrics.ts';
import { startTracing } from '../common/tracing.ts';
import { createStoragedRoutes, STORAGED_SERVICE, STORAGED_VERSION } from './routes.ts';

async function main(): Promise<void> {
  const args = parseDaemonArgs(process.argv.slice(2), process.env);
  const identity = { service: STORAGED_SERVICE, version: STORAGED_VERSION, runtime: args.flavour };
  const tracing = await startTracing({ ...identity, tracesUrl: args.tracesUrl });
  const server = createDaemonServer({
    routes: createStoragedRoutes(),
    framework: FRAMEWORKS[args.flavour],
    tracer: tracing.tracer,
    metrics: createDaemonMetrics(identity),
    internalError: () => ({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"internal error"}' }),
  });
  await runDaemon({ server, host: args.host, port: args.port, service: STORAGED_SERVICE, runtime: args.flavour, flush: tracing.shutdown });
}

main().catch((error: unknown) => {
  process.exitCode = reportStartupFailure(error);
  process.exit();
});
