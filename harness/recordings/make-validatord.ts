/**
 * Regenerates harness/recordings/validatord.ndjson by recording real traffic: the Rust reference
 * twin runs as a child, `gauntlet record` (the real CLI) proxies in front of it, and ~200 requests
 * of an ingest client go through the proxy with realistic gaps. Run:
 *   npx tsx harness/recordings/make-validatord.ts [OUT] [COUNT]
 * Request content is seeded (the mix is the same on every run); request ids and timestamps are real.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { spawnDaemon } from '../../src/daemons/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = process.argv[2] ?? fileURLToPath(new URL('./validatord.ndjson', import.meta.url));
const COUNT = Number(process.argv[3] ?? 200);

/** mulberry32: a tiny seeded PRNG, so the traffic mix is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261127);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const ORDER_SCHEMA = {
  fields: {
    order_id: { type: 'string', required: true },
    customer: { type: 'object', required: true, fields: { email: { type: 'string', required: true }, tier: { type: 'string', enum: ['free', 'pro', 'enterprise'] } } },
    qty: { type: 'integer', required: true, min: 1, max: 100 },
    amount: { type: 'number', min: 0 },
    currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
    tags: { type: 'array', items: { type: 'string' } },
    submitted_at: { type: 'string', required: true },
    request_id: { type: 'string' },
  },
};

function order(n: number): Record<string, unknown> {
  return {
    order_id: `ord-${String(100000 + n)}`,
    customer: { email: `buyer${n % 37}@example.com`, tier: pick(['free', 'pro', 'enterprise']) },
    qty: 1 + Math.floor(rand() * 20),
    amount: Math.round(rand() * 50000) / 100,
    currency: pick(['EUR', 'USD', 'GBP']),
    tags: rand() < 0.5 ? ['web'] : ['api', 'bulk'],
    submitted_at: new Date().toISOString(),
    request_id: randomUUID(),
  };
}

/** Ways a real client gets an order wrong; each yields a 422 listing issues. */
const BREAKAGES: Array<(o: Record<string, unknown>) => void> = [
  (o) => delete o.order_id,
  (o) => (o.qty = 0),
  (o) => (o.qty = 500),
  (o) => (o.qty = '3'),
  (o) => (o.currency = 'JPY'),
  (o) => (o.customer = { tier: 'gold' }),
  (o) => (o.amount = -5),
  (o) => (o.tags = ['ok', 7]),
];

type Req = { method: string; path: string; body?: string; contentType?: string };

function nextRequest(n: number): Req {
  const r = rand();
  const query = rand() < 0.3 ? `?tenant=${pick(['acme', 'globex', 'initech'])}&dry_run=${rand() < 0.5}` : '';
  if (r < 0.52) return { method: 'POST', path: `/v1/validate${query}`, body: JSON.stringify({ schema: ORDER_SCHEMA, record: order(n) }), contentType: 'application/json' };
  if (r < 0.82) {
    const o = order(n);
    pick(BREAKAGES)(o);
    if (rand() < 0.3) pick(BREAKAGES)(o);
    return { method: 'POST', path: `/v1/validate${query}`, body: JSON.stringify({ schema: ORDER_SCHEMA, record: o }), contentType: 'application/json' };
  }
  if (r < 0.87) return { method: 'POST', path: '/v1/validate', body: pick(['{"schema":', '{"record":{}}', '[]', 'order=1']), contentType: pick(['application/json', 'text/plain']) };
  if (r < 0.95) return { method: 'GET', path: '/healthz' };
  if (r < 0.98) return { method: 'GET', path: `/v1/orders/ord-${100000 + n}` };
  return { method: 'GET', path: '/v1/validate' };
}

async function main(): Promise<void> {
  const daemon = await spawnDaemon({ service: 'validatord', flavour: 'rust' });
  const rec = spawn(process.execPath, [`${ROOT}/bin/gauntlet.mjs`, 'record', '--listen', '127.0.0.1:0', '--upstream', daemon.url, '--out', OUT, '--service', 'validatord'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: rec.stdout! });
  const proxyUrl = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]!);
      else process.stdout.write(`${l}\n`);
    });
    rec.once('exit', (code) => reject(new Error(`gauntlet record exited with ${code}`)));
  });
  const token = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'ingest' })).toString('base64url')}.c2lnbmF0dXJlLW5vdC1yZWFs`;
  try {
    for (let n = 0; n < COUNT; n++) {
      const req = nextRequest(n);
      const res = await request(proxyUrl + req.path, {
        method: req.method as 'GET' | 'POST',
        headers: {
          'user-agent': 'lakehouse-ingest/2.3.1',
          'x-request-id': randomUUID(),
          'x-request-start': `t=${Date.now()}`,
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(req.contentType ? { 'content-type': req.contentType } : {}),
        },
        ...(req.body !== undefined ? { body: req.body } : {}),
      });
      await res.body.dump();
      // Bursty like a real client: mostly short gaps, now and then a pause.
      await new Promise((r) => setTimeout(r, rand() < 0.1 ? 40 + rand() * 40 : 3 + rand() * 12));
    }
  } finally {
    rec.kill('SIGINT');
    await new Promise<void>((resolve) => rec.once('exit', () => resolve()));
    await daemon.stop();
  }
}

await main();
