/**
 * Shape/diff throughput on realistic Rust-vs-Go pairs. A plain script, not a vitest bench:
 *   npx tsx bench/shape.bench.ts
 * Figures are reported, never asserted (timings on shared CI machines are noise).
 */
import { pathToFileURL } from 'node:url';
import { diffJson, parseBody, shapeSignature, type JsonValue } from '../src/shape/index.ts';
import { searchPair, validationPair } from './shape-fixtures.ts';

const WARMUP_MS = 300;
const ROUND_MS = 400;
const ROUNDS = 5;

function parsed(text: string): JsonValue {
  const r = parseBody(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** ops/s of `op` over successive inputs: one warm-up period, then the median of timed rounds. */
function measure(op: (i: number) => unknown): number {
  let sink = 0;
  const runFor = (ms: number): number => {
    const end = performance.now() + ms;
    let n = 0;
    const start = performance.now();
    while (performance.now() < end) {
      for (let k = 0; k < 16; k++) if (op(n++)) sink++;
    }
    return (n / (performance.now() - start)) * 1000;
  };
  runFor(WARMUP_MS);
  const rates = Array.from({ length: ROUNDS }, () => runFor(ROUND_MS)).sort((a, b) => a - b);
  if (sink < 0) console.log(sink);
  return rates[Math.floor(ROUNDS / 2)] as number;
}

export async function runShapeBench(): Promise<Record<string, number>> {
  // Several distinct pairs so the engine can't specialise on one input.
  const small = Array.from({ length: 16 }, (_, i) => validationPair(i + 1));
  const large = Array.from({ length: 4 }, (_, i) => searchPair(i + 1));
  const smallValues = small.map((p) => parsed(p.rust));
  const at = <T>(xs: T[], i: number) => xs[i % xs.length] as T;
  return {
    '1kb parse+diff': measure((i) => {
      const p = at(small, i);
      return diffJson(parsed(p.rust), parsed(p.go)).length;
    }),
    '1kb diff only': measure((i) => {
      const p = at(small, i);
      return diffJson(at(smallValues, i), parsed(p.go)).length;
    }),
    // A fresh parse each time: shapeSignature memoises per parsed value.
    '1kb parse+signature': measure((i) => shapeSignature(parsed(at(small, i).rust)).length),
    '100kb parse+diff': measure((i) => {
      const p = at(large, i);
      return diffJson(parsed(p.rust), parsed(p.go)).length;
    }),
    '100kb parse+signature': measure((i) => shapeSignature(parsed(at(large, i).rust)).length),
  };
}

async function main(): Promise<void> {
  const small = validationPair(1);
  const large = searchPair(1);
  console.log(`pair sizes: 1kb ≈ ${small.rust.length}+${small.go.length} B, 100kb ≈ ${large.rust.length}+${large.go.length} B`);
  const results = await runShapeBench();
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  console.log(`${'case'.padEnd(width)}  ops/s (median of ${ROUNDS})`);
  for (const [name, rate] of Object.entries(results)) console.log(`${name.padEnd(width)}  ${Math.round(rate).toLocaleString('en-US').padStart(10)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
