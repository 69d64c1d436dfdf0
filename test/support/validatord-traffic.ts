/**
 * Seeded validatord traffic as a recording: the mix of harness/recordings/make-validatord.ts
 * (valid and broken orders, malformed bodies, health checks, unknown routes, a wrong method), with
 * the answers the Rust twin gives under `--volatile-fields` computed in-process — so a recording
 * of any size is written in a second instead of being captured through the proxy for minutes.
 */
import { randomUUID } from 'node:crypto';
import { FRAMEWORKS } from '../../src/daemons/common/frameworks.ts';
import { parseValidateRequest } from '../../src/daemons/validatord/schema.ts';
import { validateRecord } from '../../src/daemons/validatord/validate.ts';
import { formatDuration, rfc3339Nanos, ulid } from '../../src/daemons/validatord/volatile.ts';
import { rustWire } from '../../src/daemons/validatord/encode-rust.ts';
import { makeHeader, type RecordedExchange } from '../../src/record/format.ts';
import { RecordingWriter } from '../../src/record/writer.ts';
import { nextValidatordRequest, rng } from '../../harness/recordings/validatord-mix.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The Rust twin's answer, as the recorder would have captured it. */
function answer(method: string, path: string, body: string | undefined, atNs: bigint): RecordedExchange['response'] {
  const respond = (status: number, headers: Record<string, string>, text: string) => ({ status, headers, ...(text ? { body: text } : {}), bodyEncoding: 'utf8' as const, latencyMs: 0.4 });
  if (path === '/healthz' && method === 'GET') return respond(200, JSON_HEADERS, rustWire.encodeHealth());
  if (path !== '/v1/validate') return respond(404, {}, FRAMEWORKS.rust.notFound().body ?? '');
  if (method !== 'POST') return respond(405, { allow: 'POST' }, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return respond(400, JSON_HEADERS, rustWire.encodeError('request body is not valid JSON'));
  }
  const request = parseValidateRequest(parsed);
  if (!request.ok) return respond(400, JSON_HEADERS, rustWire.encodeError(request.message));
  const issues = validateRecord(request.request.schema, request.request.record);
  const ms = Number(atNs / 1_000_000n);
  const meta = { request_id: randomUUID(), event_id: ulid(ms), span_id: randomUUID().replace(/-/g, '').slice(0, 16), validated_at: rfc3339Nanos(atNs, 'rust'), validated_at_ms: ms, took: formatDuration(0.05 + (ms % 7) / 10) };
  const text = rustWire.encodeResult(issues);
  return respond(issues.length ? 422 : 200, JSON_HEADERS, `${text.slice(0, -1)},"meta":${JSON.stringify(meta)}}`);
}

/** `count` exchanges of an ingest client, a few milliseconds apart, starting at `startMs`. */
export function generateValidatordTraffic(opts: { count: number; seed?: number; startMs?: number }): Array<Omit<RecordedExchange, 'seq'>> {
  const rand = rng(opts.seed ?? 20261127);
  let t = opts.startMs ?? Date.parse('2026-11-27T12:00:00.000Z');
  const out: Array<Omit<RecordedExchange, 'seq'>> = [];
  for (let n = 0; n < opts.count; n++) {
    // Bursty like a real client: mostly short gaps, now and then a pause.
    t += rand() < 0.1 ? 40 + Math.floor(rand() * 40) : 1 + Math.floor(rand() * 6);
    const req = nextValidatordRequest(rand, n, new Date(t).toISOString());
    out.push({
      ts: new Date(t).toISOString(),
      request: {
        method: req.method,
        path: req.path,
        query: req.query,
        headers: {
          'user-agent': 'lakehouse-ingest/2.3.1',
          'x-request-id': randomUUID(),
          authorization: '[REDACTED]',
          accept: 'application/json',
          ...(req.contentType ? { 'content-type': req.contentType } : {}),
        },
        ...(req.body !== undefined ? { body: req.body } : {}),
        bodyEncoding: 'utf8',
      },
      response: answer(req.method, req.path, req.body, BigInt(t) * 1_000_000n + BigInt(Math.floor(rand() * 1e6))),
    });
  }
  return out;
}

/** Write exchanges as a `generated` recording through the real writer (each line schema-checked). */
export async function writeRecording(file: string, service: string, exchanges: ReadonlyArray<Omit<RecordedExchange, 'seq'>>, origin = 'test/support/validatord-traffic.ts'): Promise<void> {
  const writer = await RecordingWriter.open(file, makeHeader(service, 'generated', { origin }));
  for (const x of exchanges) await writer.append(x);
  await writer.close();
}
