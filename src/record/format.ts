import { z } from 'zod';

/**
 * The recording format: versioned NDJSON. Line 1 is a header naming the format and version; every
 * further line is one exchange. NDJSON rather than one JSON document so a recording can be
 * appended to while traffic flows, read as a stream, and a damaged line costs one exchange, not
 * the file.
 */
export const RECORDING_FORMAT = 'gauntlet-recording';
export const RECORDING_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [1];

export const RECORDING_SOURCES = ['record', 'har', 'generated'] as const;

export const RecordingHeaderSchema = z
  .object({
    format: z.literal(RECORDING_FORMAT),
    version: z.literal(RECORDING_VERSION),
    service: z.string().min(1).describe('Service of the stack the traffic belongs to, e.g. validatord'),
    createdAt: z.iso.datetime({ offset: true }),
    source: z.enum(RECORDING_SOURCES),
    /** Where the traffic came from (upstream URL of the proxy, the HAR file name). Informational. */
    origin: z.string().optional(),
    /** Which segment of a rotated recording this file is (0 = the first). */
    segment: z.number().int().min(0).optional(),
  })
  .strict();

/** RFC 3339 with milliseconds, as `Date#toISOString` writes it (an offset is accepted too). */
const Timestamp = z.iso.datetime({ offset: true, precision: 3 });

const Headers = z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9a-z-]+$/, 'header names are lower-case HTTP tokens'), z.string());

const BodyFields = {
  body: z.string().optional().describe('Absent when the body was empty or not captured'),
  bodyEncoding: z.enum(['utf8', 'base64']).default('utf8'),
  /** The body was longer than the recorder's cap; `body` holds its first bytes. */
  bodyTruncated: z.boolean().optional(),
};

export const RecordedRequestSchema = z
  .object({
    method: z.string().regex(/^[A-Z][A-Z0-9-]*$/, 'methods are upper-case tokens, e.g. GET'),
    path: z.string().startsWith('/', 'path must start with /'),
    /** The raw query string without `?`, exactly as sent: order, repeats and escaping survive. */
    query: z.string().default(''),
    headers: Headers,
    ...BodyFields,
  })
  .strict();

export const RecordedResponseSchema = z
  .object({
    status: z.number().int().min(100).max(599),
    headers: Headers,
    ...BodyFields,
    latencyMs: z.number().min(0),
  })
  .strict();

export const RecordedExchangeSchema = z
  .object({
    seq: z.number().int().min(1),
    ts: Timestamp.describe('When the request arrived (RFC 3339, milliseconds)'),
    request: RecordedRequestSchema,
    response: RecordedResponseSchema,
  })
  .strict();

export type RecordingHeader = z.infer<typeof RecordingHeaderSchema>;
export type RecordedExchange = z.infer<typeof RecordedExchangeSchema>;
export type RecordedExchangeInput = z.input<typeof RecordedExchangeSchema>;
export type RecordedRequest = z.infer<typeof RecordedRequestSchema>;
export type RecordedResponse = z.infer<typeof RecordedResponseSchema>;

export function makeHeader(service: string, source: RecordingHeader['source'], extra: { origin?: string; segment?: number } = {}): RecordingHeader {
  return { format: RECORDING_FORMAT, version: RECORDING_VERSION, service, createdAt: new Date().toISOString(), source, ...extra };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes → recorded body. UTF-8 text is stored as text (readable, and redaction can see it);
 * anything else as base64. A body cut at the cap may end inside a multi-byte character, so up to
 * three trailing bytes are dropped before deciding that it is not text.
 */
export function encodeBody(bytes: Uint8Array, truncated = false): { body?: string; bodyEncoding: 'utf8' | 'base64' } {
  if (bytes.byteLength === 0) return { bodyEncoding: 'utf8' };
  if (!bytes.includes(0)) {
    for (let cut = 0; cut <= (truncated ? 3 : 0) && cut < bytes.byteLength; cut++) {
      try {
        return { body: utf8.decode(bytes.subarray(0, bytes.byteLength - cut)), bodyEncoding: 'utf8' };
      } catch {
        // not valid UTF-8 at this length
      }
    }
  }
  return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), bodyEncoding: 'base64' };
}

/** Recorded body → what to send: a string for text, bytes for base64. */
export function decodeBody(part: { body?: string | undefined; bodyEncoding: 'utf8' | 'base64' }): string | Buffer | undefined {
  if (part.body === undefined || part.body === '') return undefined;
  return part.bodyEncoding === 'base64' ? Buffer.from(part.body, 'base64') : part.body;
}
