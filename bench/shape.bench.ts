/**
 * Shape/diff throughput on realistic Rust-vs-Go pairs. A plain script, not a vitest bench:
 *   npx tsx bench/shape.bench.ts
 * Figures are reported, never asserted (timings on shared CI machines are noise).
 */
import { pathToFileURL } from 'node:url';
import { diffJson, parseBody, shapeSignature, type JsonValue } from '../src/shape/index.ts';
import { searchPair, validationPair } from './shape-fixtures.ts';

/** Warm up until a round stops improving (the JIT takes seconds to settle on a slow box). */
const WARMUP_MIN_MS = 1000;
const WARMUP_MAX_MS = 4000;
const ROUND_MS = 400;
const ROUNDS = 5;

function parsed(text: string): JsonValue {
  const r = parseBody(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** ops/s of `op` over successive inputs: warm-up, then the median of timed rounds. */
function measure(op: (i: number) => unknown): number {
  let sink = 0;
  let n = 0;
  const runFor = (ms: number): number => {
    const start = performance.now();
    const end = start + ms;
    let ops = 0;
    while (performance.now() < end) {
      for (let k = 0; k < 16; k++, ops++) if (op(n++)) sink++;
    }
    return (ops / (performance.now() - start)) * 1000;
  };
  const warmStart = performance.now();
  let previous = 0;
  for (;;) {
    const rate = runFor(200);
    const elapsed = performance.now() - warmStart;
    if ((elapsed >= WARMUP_MIN_MS && rate < previous * 1.05) || elapsed >= WARMUP_MAX_MS) break;
    previous = Math.max(previous, rate);
  }
  const rates = Array.from({ length: ROUNDS }, () => runFor(ROUND_MS)).sort((a, b) => a - b);
  if (sink < 0) console.log(sink);
  return rates[Math.floor(ROUNDS / 2)] as number;
}

export async function runShapeBench(): Promise<Record<string, number>> {
  // Several distinct pairs per case so the engine can't specialise on one input.
  const drifted = Array.from({ length: 16 }, (_, i) => validationPair(i + 1));
  const agreeing = Array.from({ length: 16 }, (_, i) => validationPair(i + 1, false));
  const large = Array.from({ length: 4 }, (_, i) => searchPair(i + 1));
  const driftedValues = drifted.map((p) => [parsed(p.rust), parsed(p.go)] as const);
  const largeValues = large.map((p) => [parsed(p.rust), parsed(p.go)] as const);
  const at = <T>(xs: readonly T[], i: number) => xs[i % xs.length] as T;
  const parseAndDiff = (p: { rust: string; go: string }) => diffJson(parsed(p.rust), parsed(p.go)).length;
  const cases: Record<string, (i: number) => unknown> = {
    // Calibration: the engine's own (lossy) parser on the same bytes, to compare machines.
    '1kb drifted pair: JSON.parse both (baseline)': (i) => {
      const p = at(drifted, i);
      return JSON.parse(p.rust) !== JSON.parse(p.go);
    },
    // The floor for the lossless parser: the same bytes through the hand-written scanner alone.
    '1kb drifted pair: lossless parse both': (i) => {
      const p = at(drifted, i);
      return parsed(p.rust) !== parsed(p.go);
    },
    '1kb drifted pair: parse both + diff': (i) => parseAndDiff(at(drifted, i)),
    '1kb agreeing pair: parse both + diff': (i) => parseAndDiff(at(agreeing, i)),
    '1kb drifted pair: diff only': (i) => diffJson(...at(driftedValues, i)).length,
    // A fresh parse each time: shapeSignature memoises per parsed value.
    '1kb body: parse + shapeSignature': (i) => shapeSignature(parsed(at(drifted, i).rust)).length,
    '100kb pair: JSON.parse both (baseline)': (i) => {
      const p = at(large, i);
      return JSON.parse(p.rust) !== JSON.parse(p.go);
    },
    '100kb pair: lossless parse both': (i) => {
      const p = at(large, i);
      return parsed(p.rust) !== parsed(p.go);
    },
    '100kb pair: parse both + diff': (i) => parseAndDiff(at(large, i)),
    '100kb pair: diff only': (i) => diffJson(...at(largeValues, i)).length,
    '100kb body: parse + shapeSignature': (i) => shapeSignature(parsed(at(large, i).rust)).length,
  };
  // Every case shares the parser and the walker: exercise them all before timing any one of them,
  // so the first case measured doesn't pay for the JIT's first compilations.
  for (const op of Object.values(cases)) for (let i = 0; i < 200; i++) op(i);
  const results: Record<string, number> = {};
  for (const [name, op] of Object.entries(cases)) results[name] = measure(op);
  // Ratios within this run are what compare across machines and neighbours' load.
  const r = (a: string, b: string) => (results[a] as number) / (results[b] as number);
  results['1kb: lossless parse cost, × JSON.parse'] = r('1kb drifted pair: JSON.parse both (baseline)', '1kb drifted pair: lossless parse both');
  results['100kb: lossless parse cost, × JSON.parse'] = r('100kb pair: JSON.parse both (baseline)', '100kb pair: lossless parse both');
  results['1kb drifted pair: parse+diff, fraction of JSON.parse'] = r('1kb drifted pair: parse both + diff', '1kb drifted pair: JSON.parse both (baseline)');
  return results;
}

async function main(): Promise<void> {
  const small = validationPair(1);
  const large = searchPair(1);
  console.log(`pair sizes: 1kb ≈ ${small.rust.length}+${small.go.length} B, 100kb ≈ ${large.rust.length}+${large.go.length} B`);
  const results = await runShapeBench();
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  console.log(`${'case'.padEnd(width)}  ops/s (median of ${ROUNDS})`);
  for (const [name, rate] of Object.entries(results)) console.log(`${name.padEnd(width)}  ${rate.toLocaleString('en-US', { maximumFractionDigits: rate < 10 ? 2 : 0 }).padStart(10)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
