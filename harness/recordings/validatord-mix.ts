/**
 * The traffic mix of a lakehouse ingest client against validatord — valid and broken orders,
 * malformed bodies, health checks, an unknown route, a wrong method — seeded, so the mix is the
 * same on every run. Shared by make-validatord.ts (real traffic through `gauntlet record`) and
 * test/support/validatord-traffic.ts (the same mix, answers computed in-process).
 */
import { randomUUID } from 'node:crypto';

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ORDER_SCHEMA = {
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

export interface MixRequest {
  method: string;
  path: string;
  /** Query string without '?' ('' for none); only /v1/validate requests carry one. */
  query: string;
  body?: string;
  contentType?: string;
}

/** The n-th request of the mix; `submittedAt` is the order's client-side timestamp. */
export function nextValidatordRequest(rand: () => number, n: number, submittedAt: string): MixRequest {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const order = (): Record<string, unknown> => ({
    order_id: `ord-${String(100000 + n)}`,
    customer: { email: `buyer${n % 37}@example.com`, tier: pick(['free', 'pro', 'enterprise']) },
    qty: 1 + Math.floor(rand() * 20),
    amount: Math.round(rand() * 50000) / 100,
    currency: pick(['EUR', 'USD', 'GBP']),
    tags: rand() < 0.5 ? ['web'] : ['api', 'bulk'],
    submitted_at: submittedAt,
    request_id: randomUUID(),
  });
  const r = rand();
  const query = rand() < 0.3 ? `tenant=${pick(['acme', 'globex', 'initech'])}&dry_run=${rand() < 0.5}` : '';
  const validate = (body: string, contentType: string): MixRequest => ({ method: 'POST', path: '/v1/validate', query, body, contentType });
  if (r < 0.52) return validate(JSON.stringify({ schema: ORDER_SCHEMA, record: order() }), 'application/json');
  if (r < 0.82) {
    const o = order();
    pick(BREAKAGES)(o);
    if (rand() < 0.3) pick(BREAKAGES)(o);
    return validate(JSON.stringify({ schema: ORDER_SCHEMA, record: o }), 'application/json');
  }
  if (r < 0.87) return validate(pick(['{"schema":', '{"record":{}}', '[]', 'order=1']), pick(['application/json', 'text/plain']));
  if (r < 0.95) return { method: 'GET', path: '/healthz', query: '' };
  if (r < 0.98) return { method: 'GET', path: `/v1/orders/ord-${100000 + n}`, query: '' };
  return { method: 'GET', path: '/v1/validate', query: '' };
}
