import type { GauntletError } from '../util/errors.ts';
import { context as otelContext, trace, type Context, type Span, type Tracer, SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type IdGenerator, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTR_GAUNTLET_RUN_ID, TRACER_NAME } from '../contract/attributes.ts';
import { SpoolingExporter, type SpoolStats } from './spool.ts';

export interface HarnessTelemetry {
  readonly tracer: Tracer;
  /** Lets a driver choose the ids of the next span it starts (see PresetIdGenerator). */
  readonly ids: PresetIdGenerator;
  /** Spans ended in this process (what the receiver should end up storing). */
  spansEnded(): number;
  /** Spans not delivered: still spooled on disk, or refused by the collector. */
  spansFailed(): number;
  /** Delivery accounting, including what went through the disk spool. */
  spool(): SpoolStats | undefined;
  /** The first error the spool met (a full disk), if any: what was lost, and where. */
  spoolError(): GauntletError | undefined;
  /**
   * Export everything ended so far; resolves when the collector acknowledged it, or — when the
   * collector is down — after `spoolDeadlineMs` with the rest left in the disk spool.
   */
  flush(spoolDeadlineMs?: number): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Random ids, except for the next span when a driver presets them. The mirror sends a request's
 * trace context to the primary on the client's path and creates the CLIENT span for it later, off
 * that path (in another thread): the span must carry the ids the primary already saw, so that the
 * primary's SERVER span joins it. `preset` applies to the very next `startSpan` only.
 */
export class PresetIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private nextTraceId: string | undefined;
  private nextSpanId: string | undefined;

  preset(ids: { spanId: string; traceId?: string }): void {
    this.nextSpanId = ids.spanId;
    this.nextTraceId = ids.traceId;
  }

  generateTraceId(): string {
    const id = this.nextTraceId ?? this.random.generateTraceId();
    this.nextTraceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.nextSpanId ?? this.random.generateSpanId();
    this.nextSpanId = undefined;
    return id;
  }
}

/** Counts what leaves the process so "spans emitted == spans stored" can be checked, not assumed. */
class CountingProcessor implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(_span: ReadableSpan): void {
    this.ended++;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/**
 * The harness's own tracer provider. It is not registered globally: several runs (and tests) can
 * live in one process, each exporting to its own receiver.
 */
export function startTelemetry(opts: { endpoint: string | undefined; runId: string; version?: string; spoolDir?: string }): HarnessTelemetry {
  const counter = new CountingProcessor();
  const processors: SpanProcessor[] = [counter];
  let spooling: SpoolingExporter | undefined;
  if (opts.endpoint) {
    const tracesUrl = `${opts.endpoint.replace(/\/$/, '')}/v1/traces`;
    // A short timeout: when the collector is down the batch goes to the disk spool instead of
    // holding the exporter for the SDK's full retry budget.
    const inner = new OTLPTraceExporter({ url: tracesUrl, timeoutMillis: 3_000 });
    spooling = new SpoolingExporter(inner, { dir: opts.spoolDir ?? join(tmpdir(), 'gauntlet-spool', opts.runId), tracesUrl });
    const exporter = spooling;
    processors.push(
      new BatchSpanProcessor(exporter, {
        // A run ends with an explicit flush, so a short delay only matters for live views;
        // a deep queue means a burst of exchanges is never dropped on the floor.
        scheduledDelayMillis: 200,
        maxExportBatchSize: 1024,
        maxQueueSize: 1 << 17,
        exportTimeoutMillis: 15_000,
      }),
    );
  }
  const ids = new PresetIdGenerator();
  const provider = new BasicTracerProvider({
    idGenerator: ids,
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: 'gauntlet',
      [ATTR_SERVICE_VERSION]: opts.version ?? '0.1.0',
      [ATTR_GAUNTLET_RUN_ID]: opts.runId,
    }),
    spanProcessors: processors,
  });
  const tracer = provider.getTracer(TRACER_NAME, opts.version ?? '0.1.0');
  return {
    tracer,
    ids,
    spansEnded: () => counter.ended,
    spansFailed: () => {
      const s = spooling?.getStats();
      return s ? s.pending + s.rejected + (s.lost ?? 0) : 0;
    },
    spoolError: () => spooling?.getError(),
    spool: () => spooling?.getStats(),
    flush: async (spoolDeadlineMs?: number) => {
      await provider.forceFlush();
      await spooling?.forceFlush(spoolDeadlineMs);
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Start a span as the root of a new trace (one trace per pair keeps trace views readable). */
export function startRootSpan(tracer: Tracer, name: string, attributes: Record<string, string | number | boolean>): { span: Span; ctx: Context } {
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, root: true });
  return { span, ctx: trace.setSpan(otelContext.active(), span) };
}
