/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and must not be forwarded, nor
 * recorded: replaying `connection: close` or `transfer-encoding` would change how the replayed
 * request travels, not what it asks. `expect` is answered by our own server (100-continue).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

export type RawHeaders = Record<string, string | string[] | undefined>;

/** Names the `Connection` header lists are hop-by-hop too. */
function connectionTokens(headers: RawHeaders): Set<string> {
  const value = headers.connection;
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(list.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/** Copy end-to-end headers only (lower-cased); arrays are kept for forwarding (set-cookie). */
export function endToEndHeaders(headers: RawHeaders): Record<string, string | string[]> {
  const extra = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(name) || extra.has(name)) continue;
    out[name] = v;
  }
  return out;
}

export { flattenHeaders } from '../util/headers.ts';

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** Keeps the first `cap` bytes of a stream and counts the rest: a recording never holds a huge body. */
export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly cap: number) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept >= this.cap) return;
    const take = Math.min(chunk.length, this.cap - this.kept);
    this.chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    this.kept += take;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
