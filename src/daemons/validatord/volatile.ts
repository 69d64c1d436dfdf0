import { randomBytes, randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import type { Flavour } from '../common/args.ts';

/**
 * `--volatile-fields`: validatord answers carry what most real services put in theirs — a request
 * id, an event id, the span id, when and how long — so two correct instances of the *same* build
 * never answer byte for byte alike. It is the test bed for the noise model (A/A replays): every
 * one of these must be recognised by format, never reported as a divergence.
 *
 * Both flavours use the same keys (the Go struct has json tags), so the Rust-vs-Go comparison is
 * not changed by turning this on; only the values move:
 *
 * ```rust
 * #[derive(Serialize)]
 * struct ResponseMeta { request_id: Uuid, event_id: Ulid, span_id: String,
 *                      validated_at: DateTime<Utc>, validated_at_ms: i64, took: String } // took: format!("{:?}", elapsed)
 * ```
 */
export interface VolatileMeta {
  request_id: string;
  event_id: string;
  span_id: string;
  validated_at: string;
  validated_at_ms: number;
  took: string;
}

export function volatileMeta(flavour: Flavour, startedMs: number): VolatileMeta {
  const nowNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const ms = Number(nowNs / 1_000_000n);
  const span = trace.getActiveSpan()?.spanContext();
  return {
    request_id: randomUUID(),
    event_id: ulid(ms),
    // The SERVER span's own id when tracing is on (what a service would log), else a random one.
    span_id: span && span.spanId !== '0000000000000000' ? span.spanId : randomBytes(8).toString('hex'),
    validated_at: rfc3339Nanos(nowNs, flavour),
    validated_at_ms: ms,
    took: formatDuration(performance.now() - startedMs),
  };
}

/** `{"valid":…,"errors":[…]}` + meta → `{"valid":…,"errors":[…],"meta":{…}}` (struct field order). */
export function withMeta(body: string, meta: VolatileMeta): string {
  return `${body.slice(0, body.lastIndexOf('}'))},"meta":${JSON.stringify(meta)}}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 48-bit millisecond time + 80 random bits, Crockford base32 (26 characters). */
export function ulid(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  for (let i = 0; i < 16; i++) out += CROCKFORD[rnd[i]! % 32]!;
  return out;
}

/**
 * chrono's `to_rfc3339_opts(SecondsFormat::Nanos, true)` always writes nine digits; Go's
 * `time.RFC3339Nano` trims trailing zeros (and the dot when nothing is left).
 */
export function rfc3339Nanos(epochNs: bigint, flavour: Flavour): string {
  const seconds = new Date(Number(epochNs / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  let fraction = String(epochNs % 1_000_000_000n).padStart(9, '0');
  if (flavour === 'go') fraction = fraction.replace(/0+$/, '');
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`;
}

/** Rust's `{:?}` of a Duration and Go's `Duration.String()` agree at these scales: `153.2µs`, `1.234567ms`, `1.5s`. */
export function formatDuration(ms: number): string {
  const ns = Math.max(1, Math.round(ms * 1e6));
  const trim = (n: number, unit: number, decimals: number) => (n / unit).toFixed(decimals).replace(/\.?0+$/, '');
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${trim(ns, 1_000, 3)}µs`;
  if (ns < 1_000_000_000) return `${trim(ns, 1_000_000, 6)}ms`;
  return `${trim(ns, 1_000_000_000, 9)}s`;
}
