import { Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { bodyHash, parseBody, shapeHash, shapeSignature } from '../shape/index.ts';
import type { ExchangeResult } from './types.ts';
import { boundedMemo } from '../util/memo.ts';

/** Bodies are compared decoded: a decoder for the response's `content-encoding`, if it has one we know. */
export function decoderFor(contentEncoding: string | undefined): Transform | undefined {
  const encoding = String(contentEncoding ?? '').toLowerCase().trim();
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  return undefined;
}

/**
 * Decode an already captured body (the mirror keeps the primary's bytes as they went to the
 * client), in zlib's thread pool rather than on the event loop. A body cut short by the capture cap
 * decodes as far as it goes and is marked truncated; so is decoded output beyond `cap`.
 */
export async function decodeCaptured(raw: Buffer, contentEncoding: string | undefined, cap: number, rawTruncated: boolean): Promise<{ text: string; truncated: boolean }> {
  const decoder = decoderFor(contentEncoding);
  if (!decoder) return { text: raw.subarray(0, cap).toString('utf8'), truncated: rawTruncated || raw.length > cap };
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = rawTruncated;
  try {
    for await (const chunk of Readable.from([raw]).pipe(decoder) as AsyncIterable<Buffer>) {
      const take = Math.min(chunk.length, cap - kept);
      chunks.push(chunk.subarray(0, take));
      kept += take;
      if (take < chunk.length) {
        truncated = true;
        decoder.destroy();
        break;
      }
    }
  } catch {
    // A body cut by the capture cap ends mid-stream (or was never valid): keep what decoded.
    truncated = true;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

type BodyDescription = Pick<ExchangeResult, 'shape' | 'shapeHash' | 'bodyHash'>;

/**
 * Replays and repeats see the same bodies over and over (health checks, error envelopes, a
 * recording looped for load): describing one costs a parse, a signature walk and two hashes, so
 * the last few hundred descriptions are kept, keyed by the exact text. Bounded in entries and size.
 */
const described = { json: boundedMemo((t) => describeUncached(t, true), 512), other: boundedMemo((t) => describeUncached(t, false), 512) };
const DESCRIBED_MAX_TEXT = 16 * 1024;

export function describeBody(text: string, contentType: string | undefined): BodyDescription {
  const json = (contentType ?? '').includes('json');
  if (text.length > DESCRIBED_MAX_TEXT) return describeUncached(text, json);
  return (json ? described.json : described.other)(text);
}

function describeUncached(text: string, declaredJson: boolean): BodyDescription {
  const looksJson = declaredJson || /^\s*[[{]/.test(text);
  if (looksJson && text.length > 0) {
    const parsed = parseBody(text);
    if (parsed.ok) return { shape: shapeSignature(parsed.value), shapeHash: shapeHash(parsed.value), bodyHash: bodyHash(text, parsed) };
  }
  return { shape: undefined, shapeHash: undefined, bodyHash: bodyHash(text) };
}
