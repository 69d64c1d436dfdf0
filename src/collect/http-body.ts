/**
 * Request bodies with hard size limits, before and after decompression: the receiver must survive
 * whatever is POSTed to it (a 100 MB gzip of zeros is ~100 KB on the wire).
 */
import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';

/** Why a body could not be read; the receiver maps each to an HTTP status. */
export class BodyError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'BodyError';
    this.status = status;
  }
}

export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

/**
 * OTLP/HTTP senders use gzip (the SDK exporters and the Collector's default) or nothing.
 * deflate costs nothing to accept; zstd/snappy (Collector options) are refused with a 415.
 */
export function contentEncodingOf(header: string | undefined): ContentEncoding | null {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  return null;
}

/** Buffers the raw body, refusing (413) as soon as it exceeds maxBytes — or up front from Content-Length. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new BodyError(413, `body of ${declared} bytes exceeds the ${maxBytes}-byte limit`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(new BodyError(413, `body exceeds the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new BodyError(400, `request body could not be read: ${err.message}`));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

type Inflater = (buf: InputType, options: ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;

/**
 * Decompresses with zlib's maxOutputLength, which aborts inflation once the output passes the
 * limit, so a bomb costs at most maxBytes of memory rather than its full expansion.
 */
export function decodeContent(body: Buffer, encoding: ContentEncoding, maxBytes: number): Promise<Buffer> {
  if (encoding === 'identity') {
    return body.length > maxBytes
      ? Promise.reject(new BodyError(413, `body exceeds the ${maxBytes}-byte limit`))
      : Promise.resolve(body);
  }
  const inflater: Inflater = encoding === 'gzip' ? gunzip : inflate;
  // zlib's default 16 KiB output chunks mean one event-loop callback (and a Buffer) per 16 KiB:
  // ~1 ms of loop time per MB. Chunks sized to the expected output (OTLP gzips ~5-15x) make that
  // a handful of callbacks while the inflating itself stays on the thread pool.
  const chunkSize = Math.min(Math.max(body.length * 16, 64 * 1024), 8 * 1024 * 1024, Math.max(maxBytes, 64));
  return new Promise((resolve, reject) => {
    inflater(body, { maxOutputLength: maxBytes, chunkSize }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject(new BodyError(413, `${encoding} body inflates past the ${maxBytes}-byte limit`));
      }
      reject(new BodyError(400, `malformed ${encoding} body: ${err.message}`));
    });
  });
}
