import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildParityReport, waitForRunToSettle } from '../src/analyze/index.ts';
import { SpanStore, startReceiver, type Receiver } from '../src/collect/index.ts';
import { ConfigSchema, NoiseSchema, type LoadedConfig, type NoiseRules } from '../src/config/index.ts';
import { LiveRunJudgement, type LiveJudgementStats } from '../src/app/mirror-judgement.ts';
import { CopyEngine, startMirror, type CopyEngineOptions, type Mirror, type MirrorOptions } from '../src/drive/mirror/index.ts';
import { makeRedactionRules } from '../src/record/index.ts';
import { createGauntletMetrics, type GauntletMetrics } from '../src/telemetry/metrics.ts';
import { serveMetrics } from '../src/telemetry/metrics-server.ts';
import { startTelemetry, type HarnessTelemetry } from '../src/telemetry/tracing.ts';
import { GauntletError } from '../src/util/errors.ts';
import { startServer, unusedPort, type TestServer } from './support/servers.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082', 'hex');

type Mode = 'same' | 'diverge' | 'hang' | 'fail' | 'slow';

/** What each test runtime has been sent (the copies the mirror made, or did not). */
const received = new Map<string, Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>>();

/**
 * A small JSON service. `same` answers like the primary (its own timestamps and UUIDs: volatile
 * values); `diverge` renames a key and sends null for an empty list, the two classic Go/Rust
 * differences; `hang` never answers; `fail` is a 500; `slow` answers after 300 ms. `noisy` adds a
 * random float, which differs between any two instances (what an A/A secondary is for).
 */
function startRuntime(name: string, mode: Mode, opts: { noisy?: boolean } = {}): Promise<TestServer> {
  received.set(name, []);
  return startServer((req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = req.url ?? '/';
    received.get(name)!.push({ method: req.method ?? 'GET', url, headers: req.headers, body });
    if (mode === 'hang') return;
    if (mode === 'fail') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const answer = () => {
      if (url === '/static/json') return void res.writeHead(200, { 'content-type': 'application/json', 'x-custom': 'kept' }).end('{"ok":true,"qty":1.0}');
      if (url === '/static/png') return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
      if (url === '/static/gzip') return void res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync('{"zipped":[1,2,3]}'));
      if (url === '/static/cookies') {
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
        return void res.writeHead(204).end();
      }
      if (url === '/static/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one;');
        setTimeout(() => res.end('two'), 20);
        return;
      }
      if (url.startsWith('/v1/items/')) {
        const item: Record<string, unknown> = { id: url.split('/')[3], tags: mode === 'diverge' ? null : [], at: new Date().toISOString(), requestId: randomUUID() };
        item[mode === 'diverge' ? 'Name' : 'name'] = 'widget';
        if (opts.noisy) item.load = Math.random();
        return json(200, item);
      }
      if (url.startsWith('/v1/echo')) {
        let parsed: unknown = body;
        try {
          parsed = JSON.parse(body);
        } catch {
          // text body
        }
        return json(200, { method: req.method, url, [mode === 'diverge' ? 'Headers' : 'headers']: req.headers, body: parsed, at: new Date().toISOString() });
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing\n');
    };
    if (mode === 'slow') setTimeout(answer, 300);
    else answer();
  });
}

let dir: string;
let store: SpanStore;
let receiver: Receiver;
let primary: TestServer;
const extra: TestServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-mirror-'));
  store = await SpanStore.open(':memory:');
  receiver = await startReceiver({ store });
  primary = await startRuntime('primary', 'same');
});

afterAll(async () => {
  await Promise.all([primary, ...extra].map((s) => s?.close()));
  await receiver?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Harness {
  mirror: Mirror;
  metrics: GauntletMetrics;
  telemetry: HarnessTelemetry;
  runId: string;
  logs: string[];
  /** The latest judgement from the store (after finish). */
  judged(): LiveJudgementStats;
  /** Drain, flush spans to the store, judge the run from it, return the run's spans. */
  finish(drainMs?: number): Promise<Awaited<ReturnType<SpanStore['spansForRun']>>>;
}

let runs = 0;
type HarnessOptions = Partial<Pick<CopyEngineOptions, 'secondaries' | 'rules' | 'queue' | 'maxQueueBytes' | 'concurrency' | 'timeoutMs'>> & { noise?: NoiseRules } &
  Partial<Pick<MirrorOptions, 'routes' | 'safeRoutes' | 'unsafe' | 'maxRequestBytes' | 'primary' | 'sample'>>;

/** A mirror with its copy engine in this thread (the daemon puts it in a worker), exporting to the shared store. */
async function harness(candidate: TestServer | string, opts: HarnessOptions = {}): Promise<Harness> {
  const runId = `r-mirror-${++runs}-${randomUUID().slice(0, 6)}`;
  const telemetry = startTelemetry({ endpoint: receiver.url, runId, spoolDir: join(dir, 'spool', runId) });
  const metrics = createGauntletMetrics();
  const logs: string[] = [];
  const { routes, safeRoutes, unsafe, maxRequestBytes, sample, primary: primaryRuntime, noise, ...engine } = opts;
  const primarySide = primaryRuntime ?? { name: 'rust', url: primary.url };
  const copies = new CopyEngine({
    runId,
    service: 'demo',
    primary: primarySide,
    candidate: { name: 'go', url: typeof candidate === 'string' ? candidate : candidate.url },
    telemetry,
    metrics,
    log: (l) => logs.push(l),
    ...engine,
  });
  const mirror = await startMirror({
    primary: primarySide,
    copies,
    routes: routes ?? ['/v1/items/{id}'],
    ...(safeRoutes ? { safeRoutes } : {}),
    ...(unsafe ? { unsafe } : {}),
    ...(maxRequestBytes ? { maxRequestBytes } : {}),
    ...(sample ? { sample } : {}),
    log: (l) => logs.push(l),
  });
  // The mirror's verdicts come from the store, judged as `gate --run` judges (no ledger here).
  const loaded: LoadedConfig = { config: ConfigSchema.parse({ stack: { services: {} }, gate: { ledger: join(dir, 'no-ledger.yaml') } }), file: undefined, baseDir: dir };
  const judgement = new LiveRunJudgement({ store, runId, loaded, metrics, ...(noise ? { noise } : {}), log: (l) => logs.push(l) });
  return {
    mirror,
    metrics,
    telemetry,
    runId,
    logs,
    judged: () => judgement.stats(),
    async finish(drainMs = 5_000) {
      await mirror.close(drainMs);
      await telemetry.flush();
      await telemetry.shutdown();
      await waitForRunToSettle(store, runId, { maxMs: 3_000 });
      await judgement.judge();
      return store.spansForRun(runId);
    },
  };
}

async function send(url: string, opts: Parameters<typeof request>[1] = {}): Promise<{ ms: number; status: number; headers: Record<string, unknown>; body: Buffer }> {
  const started = performance.now();
  const r = await request(url, opts);
  const body = Buffer.from(await r.body.arrayBuffer());
  return { ms: performance.now() - started, status: r.statusCode, headers: r.headers, body };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wait (bounded) until the mirror has dealt with `n` requests' copies. */
async function settled(m: Mirror, n: number, maxMs = 10_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const o = (await m.stats()).outcomes;
    if (o.mirrored + o.dropped + o.unsafe + o.too_large + o.primary_failed >= n || performance.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('gauntlet mirror: the client path', () => {
  it('answers with the primary response, byte for byte and header for header, streamed', async () => {
    const candidate = await startRuntime('cand-identical', 'same');
    extra.push(candidate);
    // The echo shows each runtime its own Host and trace context: differences by design, ignored by rule.
    const noise = NoiseSchema.parse({
      ignore: [
        { path: '/headers/host', reason: 'each runtime has its own address' },
        { path: '/headers/traceparent', reason: 'one span per exchange' },
      ],
    });
    const h = await harness(candidate, { noise });
    const HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
    const e2e = (hs: Record<string, unknown>) => Object.fromEntries(Object.entries(hs).filter(([k]) => !HOP.has(k)));
    for (const [path, init] of [
      ['/static/json', {}],
      ['/static/png', {}],
      ['/static/gzip', { headers: { 'accept-encoding': 'gzip' } }],
      ['/static/cookies', {}],
      ['/static/stream', {}],
      ['/missing?x=1&x=2', {}],
      ['/v1/echo/raw', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'not json, 1.0' }],
      ['/v1/echo/get?q=1', { headers: { 'x-keep': 'yes' } }],
    ] as const) {
      const direct = await send(primary.url + path, init);
      const mirrored = await send(h.mirror.url + path, init);
      expect(mirrored.status, path).toBe(direct.status);
      if (path.startsWith('/v1/echo')) {
        // The echo shows what reached the primary: the same request, plus the proxy's x-forwarded-* and trace context.
        const a = JSON.parse(direct.body.toString()) as { headers: Record<string, string>; body: string; method: string; url: string };
        const b = JSON.parse(mirrored.body.toString()) as typeof a;
        expect([b.method, b.url, b.body]).toEqual([a.method, a.url, a.body]);
        expect(b.headers['x-forwarded-for']).toBe('127.0.0.1');
        expect(b.headers['x-keep']).toBe(a.headers['x-keep']);
        // A mirrored request carries the mirror's trace context, so the primary's SERVER span joins its exchange.
        if (path.includes('get')) expect(b.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      } else {
        expect(mirrored.body.equals(direct.body), `${path}: body bytes`).toBe(true);
        expect(e2e(mirrored.headers), path).toEqual(e2e(direct.headers));
      }
    }
    expect((await send(h.mirror.url + '/static/png')).body.equals(PNG)).toBe(true);
    const spans = await h.finish();
    // Every GET was mirrored; the PUT is an unsafe method and was not copied. The echoes differ
    // only in their volatile timestamps, and the candidate saw the request the primary saw.
    expect((await h.mirror.stats()).outcomes).toMatchObject({ mirrored: 8, unsafe: 1, dropped: 0 });
    expect(h.judged().pairs, h.logs.join('\n')).toMatchObject({ match: 8, diverge: 0 });
    expect(metricValue(await h.metrics.registry.metrics(), 'gauntlet_mirror_noise_total{service="demo",reason="ignore"}')).toBe(2);
    const copy = received.get('cand-identical')!.find((r) => r.url === '/v1/echo/get?q=1')!;
    expect(copy.headers['x-keep']).toBe('yes');
    expect(copy.headers['x-forwarded-for']).toBe('127.0.0.1');
    const report = buildParityReport(h.runId, spans, { noise });
    expect(report.findings).toEqual([]);
    expect(report.cases).toHaveLength(8);
    expect(report.telemetry.clientSpans).toBe(16);
  });

  it('refuses request bodies over the limit with 413, before the primary sees them', async () => {
    const h = await harness(await unusedPort().then((p) => `http://127.0.0.1:${p}`), { maxRequestBytes: 1000 });
    const before = received.get('primary')!.length;
    const r = await send(h.mirror.url + '/v1/echo/big', { method: 'POST', body: 'x'.repeat(5000) });
    expect(r.status).toBe(413);
    expect(received.get('primary')!.length).toBe(before);
    await h.finish();
    expect(await h.mirror.stats()).toMatchObject({ rejected: 1 });
  });

  it('refuses a non-loopback listen address unless forced', async () => {
    const telemetry = startTelemetry({ endpoint: undefined, runId: 'r-x' });
    const copies = new CopyEngine({ runId: 'r-x', service: 'demo', primary: { name: 'a', url: primary.url }, candidate: { name: 'b', url: primary.url }, telemetry, metrics: createGauntletMetrics() });
    const err = await startMirror({ host: '0.0.0.0', primary: { name: 'a', url: primary.url }, copies }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    expect(err).toMatchObject({ code: 'GAUNTLET_USAGE', message: expect.stringMatching(/refusing to listen on 0\.0\.0\.0: the mirror sees credentials in flight/) });
    expect((err as GauntletError).describe()).toMatch(/--allow-remote/);
    await copies.close(0);
  });
});

describe('gauntlet mirror: a bad candidate never touches the client', () => {
  // Each case: the candidate misbehaves; 20 requests alternate direct/through the mirror.
  for (const [label, make] of [
    ['hangs', async () => startRuntime('cand-hang', 'hang')],
    ['answers 500', async () => startRuntime('cand-fail', 'fail')],
    ['is down', async () => `http://127.0.0.1:${await unusedPort()}`],
  ] as const) {
    it(`candidate ${label}: every client gets the primary's answer, as fast as direct`, async () => {
      const cand = await make();
      if (typeof cand !== 'string') extra.push(cand);
      const h = await harness(cand, { timeoutMs: 1_000, concurrency: 2, queue: 4 });
      const direct: number[] = [];
      const mirrored: number[] = [];
      for (let i = 0; i < 20; i++) {
        const a = await send(`${primary.url}/v1/items/${i}`);
        const b = await send(`${h.mirror.url}/v1/items/${i}`);
        direct.push(a.ms);
        mirrored.push(b.ms);
        expect(b.status).toBe(200);
        expect(JSON.parse(b.body.toString())).toMatchObject({ id: String(i), name: 'widget', tags: [] });
      }
      // Generous bounds for a shared 2-core machine; a copy waiting on the candidate would cost ≥ 1 s.
      expect(median(mirrored)).toBeLessThan(median(direct) + 25);
      expect(Math.max(...mirrored)).toBeLessThan(500);
      await h.finish(0);
      const s = await h.mirror.stats();
      expect(s.outcomes.mirrored + s.outcomes.dropped).toBe(20);
      expect(s.jobErrors).toBe(0);
      if (label === 'hangs') expect(s.outcomes.dropped).toBeGreaterThan(0);
      if (label !== 'hangs') expect(h.judged().pairs.status_mismatch).toBe(s.outcomes.mirrored);
    }, 20_000);
  }

  it('a full queue drops copies and counts them in gauntlet_mirror_queue_dropped_total (scraped)', async () => {
    const slow = await startRuntime('cand-slow', 'slow');
    extra.push(slow);
    const h = await harness(slow, { concurrency: 1, queue: 2 });
    const server = await serveMetrics({ listen: '127.0.0.1:0', registry: h.metrics.registry, health: () => ({ ok: true }) });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`${h.mirror.url}/v1/items/${i}`)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      await settled(h.mirror, 20);
      const scrape = await (await request(`${server.url}/metrics`)).body.text();
      const dropped = metricValue(scrape, 'gauntlet_mirror_queue_dropped_total{service="demo"}');
      expect(dropped).toBeGreaterThanOrEqual(10);
      expect(metricValue(scrape, 'gauntlet_mirror_requests_total{service="demo",outcome="dropped"}')).toBe(dropped);
      expect(scrape).toMatch(/^gauntlet_mirror_queue_depth\{service="demo"\} \d+$/m);
      await h.finish();
      const s = await h.mirror.stats();
      expect(s.outcomes.dropped).toBe(dropped);
      expect(s.outcomes.mirrored).toBe(20 - dropped!);
      // Exactly the copies that were not dropped reached the candidate.
      expect(received.get('cand-slow')!.length).toBe(s.outcomes.mirrored);
    } finally {
      await server.close();
    }
  }, 20_000);
});

describe('gauntlet mirror: what is copied', () => {
  it('does not copy unsafe methods unless the route is marked safe or --unsafe is given', async () => {
    const cand = await startRuntime('cand-unsafe', 'same');
    extra.push(cand);
    const copies = () => received.get('cand-unsafe')!.map((r) => `${r.method} ${r.url}`);
    const json = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: '{"qty":1}' };

    const plain = await harness(cand);
    for (const init of [json, { method: 'DELETE' as const }, { method: 'GET' as const }]) expect((await send(`${plain.mirror.url}/v1/echo/a`, init)).status).toBe(200);
    await plain.finish();
    expect(copies()).toEqual(['GET /v1/echo/a']);
    expect((await plain.mirror.stats()).outcomes).toMatchObject({ unsafe: 2, mirrored: 1 });

    received.set('cand-unsafe', []);
    const safe = await harness(cand, { safeRoutes: [{ method: 'POST', route: '/v1/echo/*' }] });
    for (const init of [json, { method: 'DELETE' as const }]) await send(`${safe.mirror.url}/v1/echo/b`, init);
    await safe.finish();
    expect(copies()).toEqual(['POST /v1/echo/b']);
    expect(received.get('cand-unsafe')![0]!.body).toBe('{"qty":1}');

    received.set('cand-unsafe', []);
    const all = await harness(cand, { unsafe: true });
    for (const init of [json, { method: 'DELETE' as const }]) await send(`${all.mirror.url}/v1/echo/c`, init);
    await all.finish();
    expect(copies().sort()).toEqual(['DELETE /v1/echo/c', 'POST /v1/echo/c']);
  });

  it('--sample copies a random fraction and counts the rest as sampled_out', async () => {
    const cand = await startRuntime('cand-sample', 'same');
    extra.push(cand);
    const h = await harness(cand, { sample: 0.5 });
    for (let i = 0; i < 40; i++) expect((await send(`${h.mirror.url}/v1/items/${i}`)).status).toBe(200);
    await h.finish();
    const { outcomes } = await h.mirror.stats();
    expect(outcomes.mirrored + outcomes.sampled_out).toBe(40);
    // Binomial(40, ½): outside [5, 35] with probability ~1e-7.
    expect(outcomes.sampled_out).toBeGreaterThanOrEqual(5);
    expect(outcomes.sampled_out).toBeLessThanOrEqual(35);
    expect(received.get('cand-sample')).toHaveLength(outcomes.mirrored);
    expect(await h.metrics.registry.metrics()).toMatch(new RegExp(`^gauntlet_mirror_requests_total\\{service="demo",outcome="sampled_out"\\} ${outcomes.sampled_out}$`, 'm'));
  });
});

describe('gauntlet mirror: judgement', () => {
  it('classifies divergences (key-case, null-vs-empty) and never flags timestamps or UUIDs; the store agrees', async () => {
    const same = await startRuntime('cand-same', 'same');
    const diverge = await startRuntime('cand-diverge', 'diverge');
    extra.push(same, diverge);

    const quiet = await harness(same);
    for (let i = 0; i < 10; i++) await send(`${quiet.mirror.url}/v1/items/${i}`);
    const quietSpans = await quiet.finish();
    expect(quiet.judged().pairs).toMatchObject({ match: 10, diverge: 0 });
    const quietScrape = await quiet.metrics.registry.metrics();
    expect(quietScrape).not.toMatch(/^gauntlet_divergences_total\{/m);
    // Timestamps and request ids differ in every pair: suppressed as volatile, counted as noise.
    const quietReport = buildParityReport(quiet.runId, quietSpans);
    expect(quietReport.findings).toEqual([]);
    const volatile = quietReport.noise.filter((n) => n.reason.startsWith('volatile')).reduce((k, n) => k + n.count, 0);
    expect(volatile).toBeGreaterThanOrEqual(10);
    expect(metricValue(quietScrape, 'gauntlet_mirror_noise_total{service="demo",reason="volatile"}')).toBe(volatile);

    const loud = await harness(diverge);
    for (let i = 0; i < 10; i++) await send(`${loud.mirror.url}/v1/items/${i}`);
    const loudSpans = await loud.finish();
    expect(loud.judged().pairs).toMatchObject({ match: 0, diverge: 10 });
    const scrape = await loud.metrics.registry.metrics();
    const series = (cls: string) => `gauntlet_divergences_total{service="demo",method="GET",route="/v1/items/{id}",kind="shape",class="${cls}",label="new"}`;
    expect(metricValue(scrape, series('key-case'))).toBe(10);
    expect(metricValue(scrape, series('null-vs-empty'))).toBe(10);
    expect(scrape).not.toMatch(/class="value-change"/);
    expect(metricValue(scrape, 'gauntlet_pairs_total{service="demo",method="GET",route="/v1/items/{id}",result="diverge"}')).toBe(10);
    // Announced once per divergence, not once per pair.
    expect(loud.logs.filter((l) => l.includes('divergence'))).toHaveLength(2);
    expect(loud.logs.join('\n')).toMatch(/new divergence \[shape\/key-case\] GET \/v1\/items\/\{id\}/);

    // Judged again from the store alone, as `gauntlet analyze --run` does: the same verdict.
    const report = buildParityReport(loud.runId, loudSpans);
    expect(report.findings.map((f) => f.class).sort()).toEqual(['key-case', 'null-vs-empty']);
    expect(report.findings.every((f) => f.count === 10 && f.route === '/v1/items/{id}')).toBe(true);
    expect(report.services[0]).toMatchObject({ service: 'demo', primary: 'rust', candidate: 'go', pairs: 10 });
    expect(report.noise.some((n) => /volatile/.test(n.reason))).toBe(true);
  });

  it('with an A/A secondary, a difference the secondary shows too is noise (Diffy)', async () => {
    const noisyPrimary = await startRuntime('noisy-primary', 'same', { noisy: true });
    const noisyCandidate = await startRuntime('noisy-candidate', 'same', { noisy: true });
    const noisySecondary = await startRuntime('noisy-secondary', 'same', { noisy: true });
    extra.push(noisyPrimary, noisyCandidate, noisySecondary);
    const base = { primary: { name: 'rust', url: noisyPrimary.url } };

    const alone = await harness(noisyCandidate, base);
    for (let i = 0; i < 8; i++) await send(`${alone.mirror.url}/v1/items/${i}`);
    await alone.finish();
    expect(alone.judged().pairs.diverge).toBe(8);

    const aa = await harness(noisyCandidate, { ...base, secondaries: [{ name: 'rust-2', url: noisySecondary.url }] });
    for (let i = 0; i < 8; i++) await send(`${aa.mirror.url}/v1/items/${i}`);
    const spans = await aa.finish();
    expect(aa.judged().pairs).toMatchObject({ match: 8, diverge: 0 });
    expect(metricValue(await aa.metrics.registry.metrics(), 'gauntlet_mirror_noise_total{service="demo",reason="aa"}')).toBe(8);
    expect(received.get('noisy-secondary')).toHaveLength(8);
    const report = buildParityReport(aa.runId, spans, { noise: NoiseSchema.parse({}) });
    expect(report.findings).toEqual([]);
    expect(report.noise.some((n) => n.reason.startsWith('A/A'))).toBe(true);
  });
});

describe('gauntlet mirror: redaction canary', () => {
  it('a secret in Authorization, a cookie, a query parameter or a configured JSON key never reaches spans, metrics or logs', async () => {
    const cand = await startRuntime('cand-canary', 'diverge');
    extra.push(cand);
    const h = await harness(cand, { rules: makeRedactionRules({ bodyPointers: ['/**/customerRef'] }), safeRoutes: [{ method: 'POST', route: '/v1/echo' }] });
    const CANARY = 'CANARY7f3a9';
    const answer = await send(`${h.mirror.url}/v1/echo?api_key=${CANARY}-q&page=2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CANARY}-auth`, cookie: `session=${CANARY}-cookie`, 'content-type': 'application/json' },
      body: JSON.stringify({ customerRef: `${CANARY}-ref`, password: `${CANARY}-pw`, note: 'visible' }),
    });
    // The client gets the primary's answer untouched (secrets included: it is the client's own)…
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toContain(`${CANARY}-ref`);
    const spans = await h.finish();
    // …and the candidate got the real request, credentials and all.
    const copy = received.get('cand-canary')!.at(-1)!;
    expect(copy.headers.authorization).toBe(`Bearer ${CANARY}-auth`);
    expect(copy.body).toContain(`${CANARY}-pw`);

    expect(spans.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(CANARY);
    expect(await h.metrics.registry.metrics()).not.toContain(CANARY);
    // The divergence (headers → Headers) is announced with both sides' snippets: redacted ones.
    expect(h.logs.some((l) => l.includes('key-case'))).toBe(true);
    expect(h.logs.join('\n')).not.toContain(CANARY);
    const body = spans.flatMap((s) => s.events).find((e) => e.name === 'gauntlet.response.body');
    expect(String(body?.attributes['gauntlet.body.text'])).toContain('[REDACTED]');
  });
});
