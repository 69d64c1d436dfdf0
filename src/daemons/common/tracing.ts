import { randomUUID } from 'node:crypto';
import { trace, type Tracer } from '@opentelemetry/api';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { RESOURCE_GAUNTLET_RUNTIME } from '../../contract/attributes.ts';

// Incubating semantic conventions are copied rather than imported from `/incubating`, as the
// OpenTelemetry JS docs advise: they may be renamed in a minor release.
const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
const ATTR_PROCESS_PID = 'process.pid';
const ATTR_PROCESS_RUNTIME_NAME = 'process.runtime.name';
const ATTR_PROCESS_RUNTIME_VERSION = 'process.runtime.version';
const ATTR_PROCESS_RUNTIME_DESCRIPTION = 'process.runtime.description';

/** How long spans wait in the batch before export: short, so a test or a run sees them quickly. */
export const SPAN_EXPORT_DELAY_MS = 100;

export interface TracingOptions {
  service: string;
  version: string;
  /** The emulated runtime (rust, go) — `gauntlet.runtime` on the resource. */
  runtime: string;
  /** Full OTLP/HTTP traces URL; undefined = tracing off. */
  tracesUrl: string | undefined;
}

export interface Tracing {
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /**
   * A tracer for another service hosted in this process (an embedded downstream such as
   * validatord's storaged): its own resource (`service.name`), the same export pipeline — so its
   * spans are never exported after the spans of the request that caused them.
   */
  tracerFor(service: string, version: string): Tracer;
  /** Flushes pending spans and stops exporting. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OTel SDK for one daemon process: OTLP/proto exporter behind a BatchSpanProcessor,
 * W3C trace-context propagation, no auto-instrumentation (the server makes its SERVER spans by
 * hand), no OTel metrics or logs (Prometheus covers metrics). Without a traces URL nothing is
 * registered and the API's no-op tracer is returned, so callers never branch on "tracing off".
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.tracesUrl) {
    return {
      enabled: false,
      tracer: trace.getTracer(options.service, options.version),
      tracerFor: (service, version) => trace.getTracer(service, version),
      shutdown: async () => {},
    };
  }
  // Loaded lazily: sdk-node pulls in every exporter, which costs startup time when tracing is off.
  const [{ NodeSDK }, { OTLPTraceExporter }, { BasicTracerProvider, BatchSpanProcessor }, { defaultResource, resourceFromAttributes }, { W3CTraceContextPropagator }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-proto'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
    ]);

  const resourceOf = (service: string, version: string) => defaultResource().merge(
    resourceFromAttributes({
      [ATTR_SERVICE_NAME]: service,
      [ATTR_SERVICE_VERSION]: version,
      [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
      [RESOURCE_GAUNTLET_RUNTIME]: options.runtime,
      [ATTR_PROCESS_PID]: process.pid,
      // Honest about what actually runs: the flavour is in gauntlet.runtime, the process is Node.
      [ATTR_PROCESS_RUNTIME_NAME]: 'nodejs',
      [ATTR_PROCESS_RUNTIME_VERSION]: process.versions.node,
      [ATTR_PROCESS_RUNTIME_DESCRIPTION]: `gauntlet reference twin speaking the ${options.runtime} wire format`,
    }),
  );
  const resource = resourceOf(options.service, options.version);
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesUrl }), { scheduledDelayMillis: SPAN_EXPORT_DELAY_MS });

  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    instrumentations: [],
    // Empty lists (not undefined) stop NodeSDK from creating OTLP metric/log exporters from env.
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors: [processor],
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: trace.getTracer(options.service, options.version),
    // Spans carry their provider's resource; the OTLP exporter groups a batch by resource, so one
    // shared processor exports both services correctly. Its shutdown is the SDK's.
    tracerFor: (service, version) => new BasicTracerProvider({ resource: resourceOf(service, version), spanProcessors: [processor] }).getTracer(service, version),
    shutdown: () => (stopping ??= sdk.shutdown()),
  };
}
