import { decodeCaptured, describeBody, type ExchangeResult } from '../../probe/index.ts';
import { redactBody, type RedactionRules } from '../../record/index.ts';
import type { CapturedAnswer } from './types.ts';

/**
 * The primary's exchange as a probe result, so the span and metrics subscribers describe it exactly
 * like a probed one. Decoding (gzip, br, deflate — capped) and parsing happen here, off the client's path.
 */
export async function describeAnswer(a: CapturedAnswer, maxBodyBytes: number): Promise<ExchangeResult> {
  const contentType = a.headers['content-type'];
  const raw = Buffer.from(a.raw.buffer, a.raw.byteOffset, a.raw.byteLength);
  const { text, truncated } = await decodeCaptured(raw, a.headers['content-encoding'], maxBodyBytes, a.rawTruncated);
  return {
    status: a.status,
    headers: a.headers,
    contentType,
    bodyText: text,
    bodyBytes: a.received,
    bodyTruncated: truncated,
    requestBodyBytes: a.requestBodyBytes,
    timing: { connectMs: undefined, ttfbMs: a.ttfbMs, totalMs: a.totalMs },
    errorType: undefined,
    errorMessage: undefined,
    ...describeBody(text, contentType),
    endedAt: a.endTime,
  };
}

/**
 * Redaction that fails closed (a failing rule must not leak what it was meant to hide) and
 * remembers its last answers: the span event and the live verdict redact the same body, and
 * parsing it once instead of twice is a measurable share of a copy's cost.
 */
export function memoRedactor(rules: RedactionRules, size = 256, maxChars = 4 * 1024 * 1024): (text: string, contentType: string | undefined) => string {
  const memo = new Map<string, Map<string, string>>();
  let entries = 0;
  let chars = 0;
  return (text, contentType) => {
    const ct = contentType ?? '';
    const hit = memo.get(ct)?.get(text);
    if (hit !== undefined) return hit;
    let out: string;
    try {
      out = redactBody(text, contentType, rules);
    } catch {
      out = '[REDACTED: redaction failed]';
    }
    // Bounded in entries and in characters held: bodies can be large.
    chars += text.length + out.length;
    if (++entries > size || chars > maxChars) {
      memo.clear();
      entries = 1;
      chars = text.length + out.length;
    }
    let byType = memo.get(ct);
    if (!byType) memo.set(ct, (byType = new Map()));
    byType.set(text, out);
    return out;
  };
}
