/**
 * Deterministic Rust-vs-Go response pairs for the shape benchmark: the same logical response as
 * serde_json and encoding/json would write it, with the divergences the two runtimes really show
 * (enum encoding, key case, number representation, nil slices, order).
 */

/** mulberry32: tiny, seedable, good enough for fixtures. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['orders', 'amount', 'customer', 'region', 'ts', 'qty', 'sku', 'price', 'currency', 'status', 'note', 'batch'];
const TYPES = ['int64', 'decimal(18,2)', 'timestamp', 'utf8', 'bool', 'float64'];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

function hex(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rnd() * 16).toString(16);
  return s;
}

/**
 * A validatord `POST /validate` answer, ~1 KB a side. With `drift` the Go side is what a naive port
 * writes (flat error structs, exported field names, nil slice, float seconds); without it the two
 * agree except for a server-side duration, which is the common case in parity traffic.
 */
export function validationPair(seed: number, drift = true): { rust: string; go: string } {
  const rnd = prng(seed);
  const columns = Array.from({ length: 11 }, (_, i) => ({ name: `${pick(rnd, WORDS)}_${i}`, type: pick(rnd, TYPES), nullable: rnd() < 0.5 }));
  const rows = Math.floor(rnd() * 1e7);
  const started = 1795790620 + Math.floor(rnd() * 1000);
  const requestId = `req-${hex(rnd, 24)}`;
  const field = (columns[1] as { name: string }).name;
  const dataset = { name: pick(rnd, WORDS), version: 42, row_count: rows, created_at: '2025-11-27T14:54:00.000Z', schema: columns };
  const rust = {
    valid: false,
    request_id: requestId,
    dataset,
    errors: [{ Schema: { field, reason: 'scale exceeds 2' } }, { Range: { field: 'qty', min: 0.0, max: 100.5 } }, 'Empty'],
    warnings: [] as string[],
    stats: { rows_checked: rows, duration_ms: 12.25, started_at: started },
  };
  // JSON.stringify prints 0.0 as 0: patch serde's float lexeme in by hand.
  const rustText = JSON.stringify(rust).replace('"min":0,', '"min":0.0,');
  if (!drift) return { rust: rustText, go: JSON.stringify({ ...rust, stats: { ...rust.stats, duration_ms: 11.5 } }).replace('"min":0,', '"min":0.0,') };
  const go = {
    valid: false,
    request_id: requestId,
    dataset: { name: dataset.name, version: 42, rowCount: rows, created_at: '2025-11-27T14:54:00Z', schema: columns },
    errors: [{ Kind: 'schema', Field: field, Reason: 'scale exceeds 2' }, { Kind: 'range', Field: 'qty', Min: 0, Max: 100.5 }, { Kind: 'empty' }],
    warnings: null,
    stats: { rows_checked: rows, duration_ms: 12.25, started_at: started + 0.067 },
  };
  return { rust: rustText, go: JSON.stringify(go) };
}

/** A vectord `POST /search` answer with `hits` results (~100 KB at 400): mostly equal, a few real drifts. */
export function searchPair(seed: number, hits = 400): { rust: string; go: string } {
  const rnd = prng(seed);
  const rustHits: unknown[] = [];
  const goHits: unknown[] = [];
  for (let i = 0; i < hits; i++) {
    const vector = Array.from({ length: 8 }, () => Math.round((rnd() * 2 - 1) * 1e6) / 1e6);
    const tags = [pick(rnd, WORDS), pick(rnd, WORDS), pick(rnd, WORDS)];
    const score = Math.round(rnd() * 1e6) / 1e6;
    const hit = {
      id: `doc-${hex(rnd, 12)}`,
      score,
      vector,
      metadata: { source: `s3://lake/${pick(rnd, WORDS)}/${hex(rnd, 8)}.parquet`, tags, updated_at: 1795790620 + i },
    };
    rustHits.push(hit);
    const drift = i % 50;
    goHits.push({
      ...hit,
      // Go map iteration leaking into a list, 1 in 50.
      metadata: { ...hit.metadata, tags: drift === 7 ? [...tags].reverse() : tags },
      // float32 on the Go side, 1 in 50.
      score: drift === 13 ? Math.fround(score) : score,
    });
  }
  const rust = { query_id: `q-${hex(rnd, 16)}`, took_ms: 3.0, total: hits, hits: rustHits, next_cursor: null };
  const go = { query_id: rust.query_id, took_ms: 3, total: hits, hits: goHits };
  return { rust: JSON.stringify(rust).replace('"took_ms":3,', '"took_ms":3.0,'), go: JSON.stringify(go) };
}
