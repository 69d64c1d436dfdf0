import type { Transform } from 'node:stream';
import { util as undiciUtil, type Dispatcher } from 'undici';
import { decoderFor } from './decode.ts';
import { flattenHeaders } from '../util/headers.ts';

/** A response as the probe keeps it: status, flattened headers, the body up to the cap. */
export interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  bytes: Buffer;
  /** Body bytes seen (decoded bytes when the body was compressed), also past the cap. */
  received: number;
  truncated: boolean;
  decoded: boolean;
  /** Request start to response headers. */
  ttfbMs: number;
}

/** A transport failure, and how far the exchange got (`ttfbMs` when the headers had arrived). */
export class CaptureError extends Error {
  constructor(
    readonly failure: unknown,
    readonly ttfbMs: number | undefined,
  ) {
    super((failure as Error)?.message ?? String(failure));
  }
}


/** The reason a capture aborts its own request once it has what it needs (the cap, or an undecodable body). */
class CapReached extends Error {}

/**
 * undici's dispatch handler (the legacy interface, which undici 7 dispatches natively) for one
 * exchange. Measured against `request()` + reading its body stream: `request()` wraps every
 * response in a Readable and its async iterator (several promises, listeners and an end-of-stream
 * watcher per response), the bulk of the probe's own cost per exchange in a replay. This handler
 * collects the chunks it is handed and nothing else.
 */
class CaptureHandler {
  private abortRequest: ((err: Error) => void) | undefined;
  private abortReason: Error | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private ttfbMs = 0;
  private decoder: Transform | undefined;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private received = 0;
  private truncated = false;
  private done = false;

  constructor(
    private readonly cap: number,
    private readonly started: number,
    private readonly resolve: (r: CapturedResponse) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  /** Abort the request (the deadline): now if it is on a connection, else as soon as it is. */
  abort(err: Error): void {
    if (this.abortRequest) this.abortRequest(err);
    else this.abortReason ??= err;
  }

  onConnect(abort: (err: Error) => void): void {
    if (this.abortReason) abort(this.abortReason);
    else this.abortRequest = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    // 1xx interim answers are not the response.
    if (status < 200) return true;
    this.status = status;
    this.headers = flattenHeaders(undiciUtil.parseHeaders(rawHeaders) as Record<string, string | string[]>);
    this.ttfbMs = performance.now() - this.started;
    // Bodies are compared decoded; the decoder's output is capped like any body, so a gzip bomb
    // costs at most `cap` bytes of memory and is marked truncated.
    const decoder = decoderFor(this.headers['content-encoding']);
    if (decoder) {
      this.decoder = decoder;
      decoder.on('data', (chunk: Buffer) => this.keep(chunk));
      decoder.on('error', (err: Error) => {
        this.fail(err);
        // Undecodable: the rest of the body is of no use, don't keep reading it.
        this.abort(new CapReached('body not decodable'));
      });
      decoder.on('end', () => this.finish());
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    if (this.decoder) this.decoder.write(chunk);
    else this.keep(chunk);
    return true;
  }

  onComplete(): void {
    if (this.decoder) this.decoder.end();
    else this.finish();
  }

  onError(err: Error): void {
    if (err instanceof CapReached) this.finish();
    else this.fail(err);
  }

  private keep(chunk: Buffer): void {
    if (this.done) return;
    this.received += chunk.length;
    if (this.kept < this.cap) {
      const take = Math.min(chunk.length, this.cap - this.kept);
      this.chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      this.kept += take;
    }
    if (this.received > this.cap) {
      // Stop reading: a huge body must not cost memory or time beyond the cap.
      this.truncated = true;
      this.finish();
      this.abort(new CapReached('body cap reached'));
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.decoder?.destroy();
    this.resolve({
      status: this.status,
      headers: this.headers,
      bytes: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks),
      received: this.received,
      truncated: this.truncated,
      decoded: this.decoder !== undefined,
      ttfbMs: this.ttfbMs,
    });
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.decoder?.destroy();
    this.reject(new CaptureError(err, this.status ? this.ttfbMs : undefined));
  }
}

/**
 * Send one request and capture its response (body capped at `cap`), or reject with a CaptureError
 * carrying undici's error. `deadlineMs` bounds the whole
 * exchange, headers and body: undici's own headers/body timeouts alone let a trickling body run on.
 * `dispatch` must be called synchronously (connect timing attributes undici's request by that).
 */
export function captureExchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  opts: { cap: number; deadlineMs: number; started: number },
): Promise<CapturedResponse> {
  return new Promise((resolve, reject) => {
    let deadline: NodeJS.Timeout | undefined;
    const handler = new CaptureHandler(
      opts.cap,
      opts.started,
      (r) => (clearTimeout(deadline), resolve(r)),
      (err) => (clearTimeout(deadline), reject(err)),
    );
    deadline = setTimeout(() => handler.abort(new DOMException(`exchange took longer than ${opts.deadlineMs} ms`, 'TimeoutError')), opts.deadlineMs);
    try {
      dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
    } catch (err) {
      clearTimeout(deadline);
      reject(new CaptureError(err, undefined));
    }
  });
}
