/**
 * Order statistics of the m·n pairwise differences x_i − y_j without materialising them: 10,000
 * samples a side is 1e8 differences (800 MB), yet the Hodges-Lehmann estimate and its interval
 * are just three or four of their order statistics.
 *
 * With x ascending and y descending, row i (x_i − y_desc[c]) is ascending in c and every column
 * is ascending in i, so "how many differences are ≤ t" is one O(m + n) staircase walk. Selection
 * keeps, per row, the window of columns that can still hold the wanted values (Monahan 1984,
 * after Johnson & Mizoguchi 1978) and narrows it with pivots taken from the window. The pivots
 * come from a systematic sample of the window — the two sample values bracketing the target's
 * relative rank, Floyd-Rivest style — so each pass keeps ~2% of the window instead of the ~50% a
 * random pivot keeps, and 10k × 10k needs two passes before the rest is copied out and selected.
 * Deterministic (fixed internal seed).
 */
import { createRng } from './rng.ts';

/** Below this many candidates (or 4(m + n)), copy them out and select directly. */
const GATHER_LIMIT = 4096;
const SAMPLE_SIZE = 8192;
/** ±2 binomial SDs of the target's rank within the sample (stratified sampling only tightens it). */
const SPREAD = Math.ceil(Math.sqrt(SAMPLE_SIZE));

/** The k-th smallest (1-based) of {xs[i] − ys[j]}; xs and ys sorted ascending. */
export function kthPairwiseDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  return pairwiseOrderStatistics(xs, ys, k, k)[0]!;
}

/**
 * Order statistics kFrom..kTo (1-based, inclusive) of {xs[i] − ys[j]}, for a short run of ranks
 * (the two middle ones of an even count, say). xs and ys sorted ascending.
 */
export function pairwiseOrderStatistics(xs: Float64Array, ys: Float64Array, kFrom: number, kTo: number): Float64Array {
  const m = xs.length;
  const n = ys.length;
  const total = m * n;
  if (!(Number.isInteger(kFrom) && Number.isInteger(kTo) && 1 <= kFrom && kFrom <= kTo && kTo <= total)) {
    throw new RangeError(`ranks ${kFrom}..${kTo} outside 1..${total}`);
  }
  const lo = new Int32Array(m); // first live column per row
  const hi = new Int32Array(m).fill(n - 1); // last live column per row (lo = hi + 1: row used up)
  const rowLe = new Int32Array(m);
  const rowLt = new Int32Array(m);
  const prefix = new Float64Array(m + 1);
  const sample = new Float64Array(SAMPLE_SIZE);
  const rng = createRng(kFrom);
  const gatherAt = Math.max(GATHER_LIMIT, 4 * (m + n));
  for (;;) {
    let below = 0;
    for (let i = 0; i < m; i++) {
      below += lo[i]!;
      prefix[i + 1] = prefix[i]! + (hi[i]! - lo[i]! + 1);
    }
    const live = prefix[m]!;
    if (live <= gatherAt) return gatherAndSelect(xs, ys, lo, hi, kFrom - below, kTo - below);

    systematicSample(xs, ys, lo, prefix, live, rng.next(), sample);
    const at = ((kFrom - below - 0.5) / live) * SAMPLE_SIZE;
    const atTo = ((kTo - below - 0.5) / live) * SAMPLE_SIZE;
    const low = quickselect(sample, clampIndex(Math.floor(at) - SPREAD));
    const high = quickselect(sample, clampIndex(Math.ceil(atTo) + SPREAD));

    let progressed = false;
    for (const pivot of low === high ? [low] : [low, high]) {
      const { le, lt } = countAround(xs, ys, pivot, lo, hi, rowLe, rowLt);
      if (kTo <= lt) {
        for (let i = 0; i < m; i++) hi[i] = rowLt[i]! - 1; // keep values < pivot
        progressed = true;
        break; // anything beyond this pivot is out of reach already
      }
      if (lt < kFrom && kTo <= le) return new Float64Array(kTo - kFrom + 1).fill(pivot);
      if (kFrom > le) {
        lo.set(rowLe); // keep values > pivot
        progressed = true;
      }
    }
    // A pivot landed inside the wanted run of ranks: select them one at a time instead.
    if (!progressed) {
      const out = new Float64Array(kTo - kFrom + 1);
      for (let k = kFrom; k <= kTo; k++) out[k - kFrom] = pairwiseOrderStatistics(xs, ys, k, k)[0]!;
      return out;
    }
  }
}

function clampIndex(i: number): number {
  return Math.min(SAMPLE_SIZE - 1, Math.max(0, i));
}

/** Every (live/size)-th live candidate from a random start: a stratified sample of each row. */
function systematicSample(xs: Float64Array, ys: Float64Array, lo: Int32Array, prefix: Float64Array, live: number, start: number, out: Float64Array): void {
  const n = ys.length;
  const step = live / out.length;
  let row = 0;
  for (let s = 0; s < out.length; s++) {
    const position = Math.floor((start + s) * step);
    while (prefix[row + 1]! <= position) row++;
    const column = lo[row]! + (position - prefix[row]!);
    out[s] = xs[row]! - ys[n - 1 - column]!;
  }
}

/**
 * #{differences < t} and #{differences ≤ t}, in total and per row. Every live candidate lies
 * strictly between the pivots that cut the window, so a row's boundary is inside its window and
 * the walk only moves within it.
 */
function countAround(xs: Float64Array, ys: Float64Array, t: number, lo: Int32Array, hi: Int32Array, rowLe: Int32Array, rowLt: Int32Array): { lt: number; le: number } {
  const n = ys.length;
  let p = n;
  let q = n;
  let le = 0;
  let lt = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const first = lo[i]!;
    const end = hi[i]! + 1;
    // row i, column c holds x − ys[n − 1 − c]; the boundary column only moves left as x grows
    if (p > end) p = end;
    if (p < first) p = first;
    while (p > first && x - ys[n - p]! > t) p--;
    if (q > end) q = end;
    if (q < first) q = first;
    while (q > first && x - ys[n - q]! >= t) q--;
    rowLe[i] = p;
    rowLt[i] = q;
    le += p;
    lt += q;
  }
  return { lt, le };
}

function gatherAndSelect(xs: Float64Array, ys: Float64Array, lo: Int32Array, hi: Int32Array, rankFrom: number, rankTo: number): Float64Array {
  const n = ys.length;
  let size = 0;
  for (let i = 0; i < xs.length; i++) size += Math.max(0, hi[i]! - lo[i]! + 1);
  const values = new Float64Array(size);
  let w = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    for (let c = lo[i]!; c <= hi[i]!; c++) values[w++] = x - ys[n - 1 - c]!;
  }
  const out = new Float64Array(rankTo - rankFrom + 1);
  for (let r = rankFrom; r <= rankTo; r++) out[r - rankFrom] = quickselect(values, r - 1);
  return out;
}

/** In-place selection of the element that would sit at index k after sorting (Hoare, median of three). */
export function quickselect(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // median of three as pivot: keeps sorted and reversed inputs linear
    if (a[mid]! < a[left]!) swap(a, mid, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[mid]!) swap(a, right, mid);
    const pivot = a[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
