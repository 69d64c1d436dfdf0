import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStore, startReceiver, type Receiver } from '../src/collect/index.ts';
import { readCaseFile, readConfig } from '../src/config/index.ts';
import { GauntletError } from '../src/util/errors.ts';
import { importHar, readRecording } from '../src/record/index.ts';

/** Bounded in CI; `npm run fuzz` raises it (FUZZ_RUNS=5000). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

describe('fuzz: the OTLP receiver never crashes and always answers 2xx/4xx', () => {
  let dir: string;
  let store: SpanStore;
  let receiver: Receiver;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-fuzz-'));
    store = await SpanStore.open(join(dir, 'store.duckdb'));
    receiver = await startReceiver({ store, maxBodyBytes: 256 * 1024 });
  });
  afterAll(async () => {
    await receiver.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (body: Uint8Array, contentType: string, gzip: boolean) => {
    const res = await request(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
      body: gzip ? gzipSync(body) : body,
    });
    await res.body.dump();
    return res.statusCode;
  };

  // A realistic OTLP/JSON skeleton whose leaves fast-check mutates: decoders meet near-valid input.
  const anyValue = fc.oneof(
    fc.record({ stringValue: fc.string() }),
    fc.record({ intValue: fc.oneof(fc.integer(), fc.string()) }),
    fc.record({ doubleValue: fc.oneof(fc.double(), fc.string()) }),
    fc.record({ boolValue: fc.anything() }),
    fc.anything(),
  );
  const span = fc.record({
    traceId: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), fc.string()),
    spanId: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }), fc.string()),
    name: fc.oneof(fc.string(), fc.anything()),
    kind: fc.oneof(fc.integer({ min: -1, max: 9 }), fc.string()),
    startTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.anything()),
    endTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.anything()),
    attributes: fc.array(fc.record({ key: fc.string(), value: anyValue }), { maxLength: 5 }),
  });
  const otlpJson = fc.record({ resourceSpans: fc.array(fc.record({ scopeSpans: fc.array(fc.record({ spans: fc.array(span, { maxLength: 4 }) }), { maxLength: 2 }) }), { maxLength: 2 }) });

  it('OTLP/JSON: mutated requests', async () => {
    await fc.assert(
      fc.asyncProperty(otlpJson, fc.boolean(), async (body, gzip) => {
        const status = await post(Buffer.from(JSON.stringify(body)), 'application/json', gzip);
        expect([200, 400, 413]).toContain(status);
      }),
      { numRuns: RUNS },
    );
  });

  // Deeply nested AnyValues (arrays and kvlists mixed, any depth up to 5,000): a 200 within the
  // depth limit, a 400 past it — never a 500 from a stack overflow.
  const nestedValue = fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer()).map(([depth, mix]) => {
    let value = '{"intValue":"1"}';
    for (let i = 0; i < depth; i++) {
      value = (mix >> i % 31) & 1 ? `{"kvlistValue":{"values":[{"key":"k","value":${value}}]}}` : `{"arrayValue":{"values":[${value}]}}`;
    }
    return value;
  });
  it('OTLP/JSON: nested AnyValues of any depth', async () => {
    await fc.assert(
      fc.asyncProperty(nestedValue, fc.boolean(), async (value, gzip) => {
        const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'ab'.repeat(16)}","spanId":"${'cd'.repeat(8)}","attributes":[{"key":"v","value":${value}}]}]}]}]}`;
        const status = await post(Buffer.from(body), 'application/json', gzip);
        expect([200, 400, 413]).toContain(status);
      }),
      { numRuns: Math.min(RUNS, 60) },
    );
  });

  it('protobuf: random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, gzip) => {
        const status = await post(bytes, 'application/x-protobuf', gzip);
        expect([200, 400, 413]).toContain(status);
      }),
      { numRuns: RUNS },
    );
    // …and it still serves a well-formed request afterwards.
    expect(await post(Buffer.from(JSON.stringify({ resourceSpans: [] })), 'application/json', false)).toBe(200);
    const stats = receiver.stats();
    expect(stats.spansStored).toBe(stats.spansAccepted);
  });
});

describe('fuzz: the config and case loaders fail only with a coded, located error', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-fuzz-cfg-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const yamlish = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ stack: fc.record({ services: fc.dictionary(fc.string(), fc.jsonValue()) }), parity: fc.jsonValue() }).map((v) => JSON.stringify(v)),
    fc.array(fc.constantFrom('stack:', '  services:', '    svc:', '      primary: a', '      candidate: b', '      runtimes:', '        a: { url: "http://127.0.0.1:1" }', '        b: { url: x }', ' - ', ': :', '&a', '*a', '!!binary', '{', ']')).map((l) => l.join('\n')),
  );

  it('config files', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        const file = join(dir, `c${i++}.yaml`);
        await writeFile(file, text);
        try {
          await readConfig(file);
        } catch (err) {
          expect(err).toBeInstanceOf(GauntletError);
          expect((err as GauntletError).code).toBe('GAUNTLET_CONFIG_INVALID');
          expect((err as GauntletError).facts.file).toBe(file);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('case files', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        const file = join(dir, `k${i++}.yaml`);
        await writeFile(file, text);
        try {
          await readCaseFile(file);
        } catch (err) {
          expect(err).toBeInstanceOf(GauntletError);
          expect((err as GauntletError).code).toBe('GAUNTLET_CASES_INVALID');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('no config value is ever evaluated as code', async () => {
    const file = join(dir, 'evil.yaml');
    (globalThis as Record<string, unknown>).__gauntletPwned = false;
    await writeFile(file, 'stack: !!js/function "function () { globalThis.__gauntletPwned = true }"\n');
    await expect(readConfig(file)).rejects.toBeInstanceOf(GauntletError);
    await writeFile(file, 'stack:\n  services:\n    svc:\n      primary: "${process.exit(1)}"\n      candidate: b\n      runtimes: { b: { url: "http://127.0.0.1:1" } }\n');
    await expect(readConfig(file)).rejects.toMatchObject({ code: 'GAUNTLET_CONFIG_INVALID' });
    expect((globalThis as Record<string, unknown>).__gauntletPwned).toBe(false);
  });
});

describe('fuzz: the recording and HAR parsers fail only with a coded, located error', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-fuzz-rec-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const header = JSON.stringify({ format: 'gauntlet-recording', version: 1, service: 'svc', createdAt: '2026-11-27T10:00:00.000Z', source: 'record' });
  const exchange = fc.record({
    seq: fc.oneof(fc.nat(), fc.anything()),
    ts: fc.oneof(fc.constant('2026-11-27T10:00:00.000Z'), fc.string()),
    request: fc.record({ method: fc.oneof(fc.constantFrom('GET', 'POST'), fc.string()), path: fc.oneof(fc.constant('/x'), fc.string()), headers: fc.dictionary(fc.string(), fc.string()), bodyEncoding: fc.constantFrom('utf8', 'base64', 'gzip') }),
    response: fc.record({ status: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.anything()), headers: fc.dictionary(fc.string(), fc.string()), latencyMs: fc.double() }),
  });

  it('recordings (NDJSON)', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(exchange.map((x) => JSON.stringify(x)), fc.string()), { maxLength: 5 }), fc.boolean(), async (lines, withHeader) => {
        const file = join(dir, `r${i++}.ndjson`);
        await writeFile(file, [...(withHeader ? [header] : []), ...lines].join('\n'));
        try {
          await readRecording(file, { skipInvalid: i % 2 === 0 });
        } catch (err) {
          expect(err).toBeInstanceOf(GauntletError);
          expect(['GAUNTLET_RECORDING_LINE', 'GAUNTLET_RECORDING_VERSION', 'GAUNTLET_INPUT_INVALID']).toContain((err as GauntletError).code);
          expect((err as GauntletError).facts.file).toBe(file);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('HAR files', async () => {
    let i = 0;
    const har = fc.record({ log: fc.record({ version: fc.constant('1.2'), entries: fc.array(fc.record({ request: fc.record({ method: fc.string(), url: fc.oneof(fc.webUrl(), fc.string()), headers: fc.array(fc.record({ name: fc.string(), value: fc.string() })) }), response: fc.anything(), startedDateTime: fc.string(), time: fc.anything() }), { maxLength: 4 }) }) });
    await fc.assert(
      fc.asyncProperty(fc.oneof(har.map((h) => JSON.stringify(h)), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), async (text) => {
        const file = join(dir, `h${i}.har`);
        await writeFile(file, text);
        try {
          await importHar({ file, out: join(dir, `h${i++}.ndjson`), service: 'svc', skipInvalid: i % 2 === 0 });
        } catch (err) {
          expect(err).toBeInstanceOf(GauntletError);
          expect((err as GauntletError).facts.file).toBe(file);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
