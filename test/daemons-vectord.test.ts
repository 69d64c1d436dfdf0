import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTraces, type StoredSpan } from '../src/collect/index.ts';
import { serdeF32 } from '../src/daemons/common/json-serde.ts';
import { defineVectordWorkload, generatePoint, generateSearch, setupRequests, spawnDaemon, VECTORD_ROUTES, type RunningDaemon } from '../src/daemons/index.ts';
import { expectSameTopK, referenceScore, referenceSearch, type RefMetric } from './support/vectord-reference.ts';
import { findSample } from './support/prometheus.ts';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

async function send(daemon: RunningDaemon, method: Method, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await request(`${daemon.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: text });
  return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
}

interface Hit {
  id: number | string;
  score: number;
  payload?: Record<string, unknown>;
}
const hitsOf = (answer: Answer): Hit[] => (JSON.parse(answer.body) as { result: Hit[] | null }).result ?? [];

describe('vectord twins (rust vs go)', () => {
  let rust: RunningDaemon;
  let go: RunningDaemon;
  const flavours = () => [['rust', rust, 1e-4], ['go', go, 1e-9]] as const;

  beforeAll(async () => {
    [rust, go] = await Promise.all([spawnDaemon({ service: 'vectord', flavour: 'rust' }), spawnDaemon({ service: 'vectord', flavour: 'go' })]);
  });
  afterAll(async () => {
    await Promise.all([rust?.stop(), go?.stop()]);
  });

  it('reports who it is', () => {
    expect(rust).toMatchObject({ service: 'vectord', runtime: 'rust' });
    expect(go).toMatchObject({ service: 'vectord', runtime: 'go' });
  });

  // rust: f32 arithmetic, so scores agree with the float64 reference to ~1e-5; go: float64, ~exact.
  it.each([
    [128, 'cosine'],
    [128, 'dot'],
    [128, 'l2'],
    [768, 'cosine'],
    [768, 'dot'],
    [768, 'l2'],
  ] as Array<[number, RefMetric]>)('%i dims, %s: both flavours return the brute-force top-k, with and without filters', async (dimension, metric) => {
    const count = dimension === 128 ? 600 : 200;
    const w = defineVectordWorkload({ seed: 1000 + dimension, dimension, metric, points: count, batchSize: 100, collection: `c${dimension}-${metric}` });
    for (const [, daemon] of flavours()) {
      for (const step of setupRequests(w)) expect((await send(daemon, step.method, step.path, step.body)).status, step.kind).toBe(step.expectStatus);
    }
    const points = Array.from({ length: count }, (_, id) => generatePoint(w, id, 0));
    for (let q = 0; q < 6; q++) {
      const search = generateSearch({ ...w, filterRatio: q % 2, withPayload: q === 1, k: q === 0 ? 1 : 20 }, q);
      const want = referenceSearch(points, metric, search.vector, search.k, search.filter);
      for (const [flavour, daemon, tolerance] of flavours()) {
        const answer = await send(daemon, 'POST', `/v1/collections/${w.collection}/search`, search);
        expect(answer.status).toBe(200);
        const hits = hitsOf(answer);
        expectSameTopK(`${flavour} q${q} ${JSON.stringify(search.filter ?? {})}`, hits, want, tolerance);
        for (const hit of hits) expect(hit.payload).toEqual(search.with_payload ? points[hit.id as number]!.payload : undefined);
      }
    }
  });

  it('differs on the wire as designed: stats key case, f32 vs f64 scores, [] vs null, string escaping', async () => {
    const payload = { category: 'books', price: 12.5, tags: ['new', '<b>'] };
    const answers = await Promise.all(
      [rust, go].map(async (daemon) => {
        const created = await send(daemon, 'PUT', '/v1/collections/wire', { dimension: 3, metric: 'cosine' });
        const upserted = await send(daemon, 'POST', '/v1/collections/wire/points', {
          points: [{ id: 'p1', vector: [1, 2, 3], payload }, { id: 2, vector: [0.3, 0.1, -1] }, { id: 1, vector: [1, 2, 3] }],
        });
        const found = await send(daemon, 'POST', '/v1/collections/wire/search', { vector: [0.9, 2.1, 3.3], k: 5, with_payload: true });
        const none = await send(daemon, 'POST', '/v1/collections/wire/search', { vector: [1, 1, 1], filter: { must: [{ key: 'category', match: 'toys' }] } });
        return { created, upserted, found, none };
      }),
    );
    const [r, g] = answers as [(typeof answers)[0], (typeof answers)[0]];
    expect([r.created.status, g.created.status, r.found.status, g.found.status, r.none.status, g.none.status]).toEqual([201, 201, 200, 200, 200, 200]);

    // key-case: Go returns its untagged stats struct as-is.
    expect(r.created.body).toBe('{"name":"wire","dimension":3,"metric":"cosine","points_count":0}');
    expect(g.created.body).toBe('{"Name":"wire","Dimension":3,"Metric":"cosine","PointsCount":0}');
    // Tagged on both sides: byte-identical.
    expect(r.upserted.body).toBe('{"inserted":3,"updated":0,"points_count":3}');
    expect(g.upserted.body).toBe(r.upserted.body);
    // null-vs-empty: Go's nil slice.
    expect(r.none.body).toBe('{"result":[]}');
    expect(g.none.body).toBe('{"result":null}');

    // number-repr at /result/*/score: ryu's shortest f32 digits vs float64's; ties broken by id (integers first).
    const cosine = referenceScore('cosine', [1, 2, 3], [0.9, 2.1, 3.3]);
    const far = referenceScore('cosine', [0.3, 0.1, -1], [0.9, 2.1, 3.3]);
    expect(g.found.body).toBe(
      `{"result":[{"id":1,"score":${cosine}},{"id":"p1","score":${cosine},"payload":{"category":"books","price":12.5,"tags":["new","\\u003cb\\u003e"]}},{"id":2,"score":${far}}]}`,
    );
    expect(r.found.body).toBe(
      '{"result":[{"id":1,"score":0.9988022},{"id":"p1","score":0.9988022,"payload":{"category":"books","price":12.5,"tags":["new","<b>"]}},{"id":2,"score":-0.6698924}]}',
    );
    // Same hits, scores equal up to f32 arithmetic (an ulp or so); rust prints each with the fewest
    // digits that identify its f32 — what reading it back and re-encoding gives.
    const goHits = hitsOf(g.found);
    hitsOf(r.found).forEach((hit, i) => {
      expect(hit.id).toBe(goHits[i]!.id);
      expect(Math.abs(hit.score - goHits[i]!.score)).toBeLessThan(2e-7);
      expect(serdeF32(hit.score)).toBe(String(hit.score));
    });
  });

  it('answers the same status codes in both flavours for the same request sequence', async () => {
    const steps: Array<[Method, string, unknown, number]> = [
      ['PUT', '/v1/collections/seq', { dimension: 4, metric: 'l2' }, 201],
      ['PUT', '/v1/collections/seq', { dimension: 4, metric: 'l2' }, 409],
      ['PUT', '/v1/collections/other', { dimension: 4, metric: 'hamming' }, 400],
      ['PUT', '/v1/collections/other', { dimension: 0, metric: 'dot' }, 400],
      ['PUT', '/v1/collections/bad%20name', { dimension: 4, metric: 'dot' }, 400],
      ['PUT', '/v1/collections/other', '{"dimension": ', 400],
      ['GET', '/v1/collections/missing', undefined, 404],
      ['POST', '/v1/collections/missing/search', { vector: [1, 2, 3, 4] }, 404],
      ['POST', '/v1/collections/missing/points', '{not json', 400],
      ['POST', '/v1/collections/seq/points', { points: [{ id: 1, vector: [1, 0, 0, 0] }, { id: 'x', vector: [0, 1, 0, 0], payload: { n: 3 } }] }, 200],
      ['POST', '/v1/collections/seq/points', { points: [{ id: 2, vector: [1, 0, 0] }] }, 400],
      ['POST', '/v1/collections/seq/points', { points: [{ id: '12', vector: [1, 0, 0, 0] }] }, 400],
      ['POST', '/v1/collections/seq/search', { vector: [1, 0, 0] }, 400],
      ['POST', '/v1/collections/seq/search', { vector: [1, 0, 0, 0], k: 0 }, 400],
      ['POST', '/v1/collections/seq/search', { vector: [1, 0, 0, 0], filter: { must: [{ key: 'n' }] } }, 400],
      ['POST', '/v1/collections/seq/search', { vector: [1, 0, 0, 0], filter: { must: [{ key: 'n', range: { gte: 3 } }] } }, 200],
      ['GET', '/v1/collections/seq', undefined, 200],
      ['DELETE', '/v1/collections/seq/points/7', undefined, 404],
      ['DELETE', '/v1/collections/seq/points/1', undefined, 200],
      ['DELETE', '/v1/collections/seq/points/x', undefined, 200],
      ['GET', '/v1/collections/seq/search', undefined, 405],
      ['DELETE', '/v1/collections/seq', undefined, 200],
      ['DELETE', '/v1/collections/seq', undefined, 404],
      ['GET', '/healthz', undefined, 200],
    ];
    const run = async (daemon: RunningDaemon) => {
      const out: Answer[] = [];
      for (const [method, path, body] of steps) out.push(await send(daemon, method, path, body));
      return out;
    };
    const [r, g] = await Promise.all([run(rust), run(go)]);
    expect(r.map((a) => a.status)).toEqual(steps.map((s) => s[3]));
    expect(g.map((a) => a.status)).toEqual(r.map((a) => a.status));
    // Error bodies are the same `{"error": …}` in both: the divergences are in the success bodies.
    r.forEach((answer, i) => {
      if (answer.status >= 400 && answer.status !== 405) expect(JSON.parse(g[i]!.body), `${steps[i]![0]} ${steps[i]![1]}`).toEqual(JSON.parse(answer.body));
    });
    expect(JSON.parse(r[12]!.body).error).toBe("vector: dimension 3 does not match the collection's dimension 4");
  });

  it.each(['rust', 'go'] as const)('%s: /metrics labels requests by route template, never by collection name', async (flavour) => {
    const daemon = flavour === 'rust' ? rust : go;
    await send(daemon, 'PUT', '/v1/collections/metered', { dimension: 2, metric: 'dot' });
    await send(daemon, 'POST', '/v1/collections/metered/search', { vector: [1, 1] });
    const metrics = await send(daemon, 'GET', '/metrics');
    const want = { service: 'vectord', runtime: flavour, http_request_method: 'POST', http_route: VECTORD_ROUTES.search, http_response_status_code: '200' };
    expect(findSample(metrics.body, 'http_server_requests_total', want)).toBeGreaterThanOrEqual(1);
    expect(findSample(metrics.body, 'http_server_request_duration_seconds_count', want)).toBeGreaterThanOrEqual(1);
    expect(findSample(metrics.body, 'http_server_requests_total', { http_route: VECTORD_ROUTES.collection, http_response_status_code: '201' })).toBeGreaterThanOrEqual(1);
    expect(metrics.body).not.toContain('metered');
  });
});

describe('vectord tracing, fault injection and startup errors', () => {
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
  const CLIENT_SPAN_ID = '00f067aa0ba902b7';
  let otlp: { server: Server; url: string };
  const spans: StoredSpan[] = [];

  beforeAll(async () => {
    // A fake collector decoding with the real receiver's decoder. Not test/support's startServer:
    // that hands bodies over as UTF-8 text, which would corrupt protobuf.
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') spans.push(...decodeTraces(Buffer.concat(chunks), String(req.headers['content-type'])));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    otlp = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  });
  afterAll(() => new Promise<void>((resolve) => otlp.server.close(() => resolve())));

  it('joins the caller trace with a SERVER span named by the route template, and flushes on SIGTERM', async () => {
    const daemon = await spawnDaemon({ service: 'vectord', flavour: 'rust', otlpEndpoint: otlp.url });
    await send(daemon, 'PUT', '/v1/collections/traced', { dimension: 2, metric: 'cosine' });
    const answer = await send(daemon, 'POST', '/v1/collections/traced/search', { vector: [1, 0] }, { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01` });
    expect(answer.status).toBe(200);
    await daemon.stop();
    expect(await daemon.exited).toEqual({ code: 0, signal: null });

    const span = spans.find((s) => s.traceId === TRACE_ID && s.parentSpanId === CLIENT_SPAN_ID);
    // The search's inner structure: one INTERNAL span per shard scan, under the SERVER span.
    expect(spans.filter((s) => s.traceId === TRACE_ID && s.name === 'search shard' && s.kind === 'INTERNAL' && s.parentSpanId === span?.spanId)).toHaveLength(4);
    expect(span).toMatchObject({ name: 'POST /v1/collections/{name}/search', kind: 'SERVER', parentSpanId: CLIENT_SPAN_ID, serviceName: 'vectord' });
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': VECTORD_ROUTES.search,
      'url.path': '/v1/collections/traced/search',
      'http.response.status_code': 200,
    });
    expect(span!.resource).toMatchObject({ 'gauntlet.runtime': 'rust' });
  });

  it('delays the search route by default, leaving other routes alone', async () => {
    const daemon = await spawnDaemon({ service: 'vectord', flavour: 'go', env: { GAUNTLET_FAULT_LATENCY_MS: '150' } });
    try {
      const timed = async (method: Method, path: string, body: unknown) => {
        const started = performance.now();
        expect((await send(daemon, method, path, body)).status).toBeLessThan(300);
        return performance.now() - started;
      };
      expect(await timed('PUT', '/v1/collections/slow', { dimension: 2, metric: 'dot' })).toBeLessThan(150);
      expect(await timed('POST', '/v1/collections/slow/search', { vector: [1, 0] })).toBeGreaterThanOrEqual(150);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses a --fault-route it does not serve, naming its routes', async () => {
    await expect(spawnDaemon({ service: 'vectord', flavour: 'rust', extraArgs: ['--fault-route', '/v1/search'] })).rejects.toMatchObject({
      code: 'GAUNTLET_DAEMON_START',
      message: expect.stringContaining('--fault-route /v1/search is not a route of this daemon'),
    });
  });
});

