import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { GauntletError, diskFullError, isDiskFull } from '../util/errors.ts';

export interface SpoolStats {
  /** Spans the inner exporter delivered directly. */
  exported: number;
  /** Spans written to the spool because the collector could not take them. */
  spooled: number;
  /** Spooled spans delivered later. */
  recovered: number;
  /** Spans still on disk (collector still unreachable). */
  pending: number;
  /** Spans the collector refused permanently (4xx): lost, and counted so the run can say so. */
  rejected: number;
  /** Spans neither delivered nor spooled because the spool could not be written (e.g. disk full). */
  lost: number;
}

/**
 * Wraps the real OTLP exporter: when the collector is down or overloaded, the batch is serialised
 * (the OTel SDK's own protobuf serializer) to a spool file instead of being dropped, and delivered
 * in order when the collector returns. A run therefore ends with spans emitted == spans stored, or
 * with an exact count of what is still pending or was refused.
 */
export class SpoolingExporter implements SpanExporter {
  private seq = 0;
  private readonly counts = new Map<string, number>();
  private readonly stats: SpoolStats = { exported: 0, spooled: 0, recovered: 0, pending: 0, rejected: 0, lost: 0 };
  private firstError: GauntletError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private ready: Promise<void>;

  constructor(
    private readonly inner: SpanExporter,
    private readonly opts: { dir: string; tracesUrl: string; retryMs?: number; writeFile?: typeof writeFile },
  ) {
    this.ready = mkdir(opts.dir, { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        throw spoolError(opts.dir, 'cannot create the span spool directory', err);
      },
    );
    this.ready.catch(() => undefined); // reported by the first spool() that needs it
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.stats.exported += spans.length;
        done(result);
        return;
      }
      this.spool(spans).then(
        () => done({ code: ExportResultCode.SUCCESS }),
        (err: unknown) => {
          // The SDK's batch processor swallows export errors: keep the first for the run to report.
          this.stats.lost += spans.length;
          this.firstError ??= err as GauntletError;
          done({ code: ExportResultCode.FAILED, error: err as Error });
        },
      );
    });
  }

  private async spool(spans: ReadableSpan[]): Promise<void> {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    if (!bytes) throw new Error('could not serialise spans for the spool');
    await this.ready;
    const name = `${String(++this.seq).padStart(8, '0')}.pb`;
    const tmp = join(this.opts.dir, `.${name}.tmp`);
    try {
      await (this.opts.writeFile ?? writeFile)(tmp, bytes);
      await rename(tmp, join(this.opts.dir, name));
    } catch (err) {
      // Never leave half a batch behind: a partial .tmp is neither deliverable nor counted.
      await rm(tmp, { force: true }).catch(() => undefined);
      throw spoolError(this.opts.dir, `cannot spool ${spans.length} spans`, err);
    }
    this.counts.set(name, spans.length);
    this.stats.spooled += spans.length;
    this.stats.pending += spans.length;
    this.timer ??= setInterval(() => void this.drain(), this.opts.retryMs ?? 500).unref();
  }

  /** Deliver spooled batches in order; stop at the first one the collector still cannot take. */
  drain(): Promise<void> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    const files = (await readdir(this.opts.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.pb')).sort();
    for (const name of files) {
      const path = join(this.opts.dir, name);
      const spans = this.counts.get(name) ?? 0;
      let status: number;
      try {
        const res = await request(this.opts.tracesUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body: await readFile(path),
          headersTimeout: 5_000,
          bodyTimeout: 5_000,
        });
        await res.body.dump();
        status = res.statusCode;
      } catch {
        return; // still down: keep the file, try again later
      }
      if (status === 429 || status >= 500) return;
      if (status >= 200 && status < 300) this.stats.recovered += spans;
      else this.stats.rejected += spans;
      this.stats.pending -= spans;
      this.counts.delete(name);
      await rm(path, { force: true });
    }
    if (this.stats.pending === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Flush the inner exporter, then try the spool until it is empty or `deadlineMs` passes. */
  async forceFlush(deadlineMs = 10_000): Promise<void> {
    await this.inner.forceFlush?.();
    const until = Date.now() + deadlineMs;
    while (this.stats.pending > 0 && Date.now() < until) {
      await this.drain();
      if (this.stats.pending > 0) await new Promise((r) => setTimeout(r, 200));
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    if (this.timer) clearInterval(this.timer);
    await this.inner.shutdown();
  }

  /** The first spool write failure (GAUNTLET_DISK_FULL on a full disk), if spans were lost to one. */
  getError(): GauntletError | undefined {
    return this.firstError;
  }

  getStats(): SpoolStats {
    return { ...this.stats };
  }
}

/**
 * A spool write failure as a GauntletError naming the directory: GAUNTLET_DISK_FULL when the disk
 * is full. Only the message of the cause is kept — never a response body or the serialised batch.
 */
function spoolError(dir: string, what: string, err: unknown): GauntletError {
  if (isDiskFull(err)) return diskFullError(dir, what, err);
  return new GauntletError('GAUNTLET_STORE', `${what} in ${dir}: ${(err as Error)?.message ?? String(err)}`, {
    file: dir,
    hint: 'check that the spool directory (beside the store) is writable',
  }, { cause: err });
}
