import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { OperationLatencyFault } from './args.ts';

export interface InnerSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The inner-operation latency fault: when its `op` is this span's name, the work waits `ms` first. */
  opLatency?: OperationLatencyFault | undefined;
}

/**
 * Runs `work` inside a child span of the active one — the inner structure a real daemon's trace
 * has (a cache lookup, a validation pass, a shard scan). A thrown error marks the span and is
 * rethrown; a slowed operation (the `--fault-op` switch) spends its delay *inside* its own span, so
 * the delay is that operation's self time and nothing else's.
 */
export async function inSpan<T>(tracer: Tracer, name: string, options: InnerSpanOptions, work: (span: Span) => Promise<T> | T): Promise<T> {
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) });
  try {
    return await context.with(trace.setSpan(context.active(), span), async () => {
      if (options.opLatency && options.opLatency.op === name && options.opLatency.ms > 0) await sleep(options.opLatency.ms);
      return work(span);
    });
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** The synchronous twin of `inSpan`, for CPU-bound inner work (a shard scan); a latency fault spins. */
export function inSpanSync<T>(tracer: Tracer, name: string, options: InnerSpanOptions, work: (span: Span) => T): T {
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) });
  try {
    return context.with(trace.setSpan(context.active(), span), () => {
      if (options.opLatency && options.opLatency.op === name && options.opLatency.ms > 0) {
        const until = performance.now() + options.opLatency.ms;
        while (performance.now() < until) {
          /* spin: a synchronous operation cannot yield */
        }
      }
      return work(span);
    });
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
