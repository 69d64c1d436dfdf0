import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { OperationLatencyFault } from './args.ts';

export interface InnerSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The inner-operation latency fault: when its `op` is this span's name, the work waits `ms` first. */
  opLatency?: OperationLatencyFault | undefined;
}

const startInner = (tracer: Tracer, name: string, options: InnerSpanOptions): Span =>
  tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) });

/** The `--fault-op` delay for this operation, in ms (0 when it is not the slowed one). */
const delayOf = (name: string, options: InnerSpanOptions): number => (options.opLatency && options.opLatency.op === name ? Math.max(0, options.opLatency.ms) : 0);

function fail(span: Span, error: unknown): never {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  throw error;
}

/**
 * Runs `work` inside a child span of the active one — the inner structure a real daemon's trace
 * has (a cache lookup, a validation pass, a shard scan). A thrown error marks the span and is
 * rethrown; a slowed operation (the `--fault-op` switch) spends its delay *inside* its own span, so
 * the delay is that operation's self time and nothing else's.
 */
export async function inSpan<T>(tracer: Tracer, name: string, options: InnerSpanOptions, work: (span: Span) => Promise<T> | T): Promise<T> {
  const span = startInner(tracer, name, options);
  try {
    return await context.with(trace.setSpan(context.active(), span), async () => {
      const delay = delayOf(name, options);
      if (delay > 0) await sleep(delay);
      return work(span);
    });
  } catch (error) {
    fail(span, error);
  } finally {
    span.end();
  }
}

/** The synchronous twin of `inSpan`, for CPU-bound inner work (a shard scan); a latency fault spins. */
export function inSpanSync<T>(tracer: Tracer, name: string, options: InnerSpanOptions, work: (span: Span) => T): T {
  const span = startInner(tracer, name, options);
  try {
    return context.with(trace.setSpan(context.active(), span), () => {
      const until = performance.now() + delayOf(name, options);
      while (performance.now() < until) {
        /* spin: a synchronous operation cannot yield */
      }
      return work(span);
    });
  } catch (error) {
    fail(span, error);
  } finally {
    span.end();
  }
}
