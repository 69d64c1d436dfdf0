/**
 * Entry point for OTLP/HTTP trace bodies: picks the decoder from the Content-Type.
 */
import { invalidOtlp } from './otlp-common.ts';
import { decodeJsonTraces } from './otlp-json.ts';
import { decodeProtobufTraces } from './otlp-proto.ts';
import type { StoredSpan } from './types.ts';

export type OtlpEncoding = 'protobuf' | 'json';

/** The canonical Content-Type of each encoding (what responses carry). */
export const OTLP_CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/**
 * The OTLP encoding a Content-Type names, ignoring parameters (`; charset=utf-8`) and case;
 * null when it is neither. `application/protobuf` is accepted for senders that drop the `x-`.
 */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | null {
  const media = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return null;
}

/**
 * Decodes an OTLP ExportTraceServiceRequest. Throws GauntletError('GAUNTLET_OTLP_INVALID') with the
 * offending path for a malformed body or an unsupported Content-Type; never returns partial results.
 */
export function decodeTraces(body: Uint8Array, contentType: string): StoredSpan[] {
  const encoding = otlpEncodingOf(contentType);
  if (encoding === 'protobuf') return decodeProtobufTraces(body);
  if (encoding === 'json') return decodeJsonTraces(body);
  throw invalidOtlp(`unsupported Content-Type ${JSON.stringify(contentType)}; use application/x-protobuf or application/json`);
}
