/**
 * A minimal protobuf wire-format reader over a Buffer. The OTLP decoder reads straight into
 * StoredSpan with it instead of materialising protobufjs message objects first: that
 * intermediate tree (one object per KeyValue/AnyValue, long.js values for every timestamp, the
 * oneof getter's Object.keys) cost ~3x the decode time at a receiver's volumes.
 *
 * Every read is bounds-checked against `limit`, the end of the enclosing message; any violation
 * throws WireError, which the decoder reports as a malformed body.
 */
export class WireError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;

/**
 * Buffer's undocumented-but-ancient slice decoders (what buf.toString() calls after argument
 * checks): ~35% cheaper per call, and a span has dozens of short strings.
 */
interface FastSlices {
  utf8Slice?(start: number, end: number): string;
}

const CACHED_STRING_MAX_BYTES = 64;
const STRING_CACHE_ENTRIES = 4096;
const stringCache = new Map<number, { bytes: Buffer; str: string }>();

export class WireReader {
  readonly buf: Buffer;
  pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** A varint truncated to 32 bits, as protobuf does for tags, lengths, enums and uint32. */
  uint32(limit: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    let v = b & 0x7f;
    for (let shift = 7; b >= 0x80 && shift < 35; shift += 7) {
      b = buf[pos++]!;
      v |= (b & 0x7f) << shift;
    }
    // Bytes 6-10 of a 64-bit varint (negative enums) carry only high bits: skip them.
    for (let extra = 0; b >= 0x80 && extra < 5; extra++) b = buf[pos++]!;
    if (b >= 0x80 || pos > limit) throw new WireError('truncated or overlong varint');
    this.pos = pos;
    return v >>> 0;
  }

  /** A signed int64 varint: a number when exactly representable, else its decimal string. */
  int64(limit: number): number | string {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0x80;
    for (let i = 0; i < 10 && b >= 0x80; i++) {
      b = buf[pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
    }
    if (b >= 0x80 || pos > limit) throw new WireError('truncated or overlong varint');
    this.pos = pos;
    const n = (hi | 0) * TWO_32 + (lo >>> 0);
    if (Number.isSafeInteger(n)) return n;
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
  }

  fixed64(limit: number): bigint {
    this.need(8, limit);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  double(limit: number): number {
    this.need(8, limit);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(limit: number): boolean {
    return this.uint32(limit) !== 0;
  }

  /** Reads a length prefix and returns where that field's bytes end (checked against `limit`). */
  end(limit: number): number {
    const len = this.uint32(limit);
    const end = this.pos + len;
    if (end > limit) throw new WireError(`length ${len} runs past the enclosing message`);
    return end;
  }

  string(limit: number): string {
    const end = this.end(limit);
    const s = this.utf8(this.pos, end);
    this.pos = end;
    return s;
  }

  /**
   * A string that repeats across messages (attribute keys): served from a cache keyed by its
   * bytes, so each distinct key is decoded once and reaches V8 as the same, already-internalised
   * property key instead of a fresh string to hash and intern on every span.
   */
  repeatedString(limit: number): string {
    const end = this.end(limit);
    const start = this.pos;
    const len = end - start;
    this.pos = end;
    if (len > CACHED_STRING_MAX_BYTES) return this.utf8(start, end);
    const buf = this.buf;
    let h = 0x811c9dc5 ^ len; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const hit = stringCache.get(h);
    if (hit && hit.bytes.length === len) {
      let same = true;
      for (let i = 0; i < len && same; i++) same = hit.bytes[i] === buf[start + i];
      if (same) return hit.str;
    }
    if (stringCache.size >= STRING_CACHE_ENTRIES) stringCache.clear();
    // A copy, not a view: a view would keep the whole request body alive in the cache.
    const bytes = Buffer.from(buf.subarray(start, end));
    const str = this.utf8(start, end);
    stringCache.set(h, { bytes, str });
    return str;
  }

  /** A length-delimited bytes field as [start, end) without copying. */
  bytes(limit: number): [number, number] {
    const end = this.end(limit);
    const start = this.pos;
    this.pos = end;
    return [start, end];
  }

  /** Steps over one field of an unknown or unwanted number, by its wire type. */
  skipField(tag: number, limit: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.int64(limit);
        return;
      case WIRE_I64:
        this.need(8, limit);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.end(limit);
        return;
      case WIRE_I32:
        this.need(4, limit);
        this.pos += 4;
        return;
      default:
        // Groups (3/4) are proto2-only and absent from OTLP; 6/7 don't exist.
        throw new WireError(`unsupported wire type ${tag & 7} (field ${tag >>> 3})`);
    }
  }

  private utf8(start: number, end: number): string {
    const buf = this.buf as Buffer & FastSlices;
    return buf.utf8Slice ? buf.utf8Slice(start, end) : buf.toString('utf8', start, end);
  }

  private need(n: number, limit: number): void {
    if (this.pos + n > limit) throw new WireError('field runs past the enclosing message');
  }
}
