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
 * random pivot keeps, and 10k × 10k needs two or three passes before the rest is copied out.
 * Deterministic (fixed internal seed).
 */
import { createRng } from './rng.ts';

/** Below this many candidates (or 2(m + n)), copy them out and select directly. */
const GATHER_LIMIT = 4096;
const MAX_SAMPLE = 8192;
const MIN_SAMPLE = 256;

/** The k-th smallest (1-based) of {xs[i] − ys[j]}; xs and ys sorted ascending. */
export function kthPairwiseDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  return pairwiseOrderStatistics(xs, ys, k, k)[0]!;
}

/**
 * Order statistics kFrom..kTo (1-based, inclusive) of {xs[i] − ys[j]}, for a short run of ranks
 * (the two middle ones of an even count, say). xs and ys sorted ascending.
 */
export function pairwiseOrderStatistics(xs: Float64Array, ys: Float64Array, kFrom: number, kTo: number): Float64Array {
  checkRanks(xs, ys, [kFrom, kTo]);
  const selection = new Selection(xs, ys);
  return selection.run(selection.fullWindow(), kFrom, kTo, 0)!;
}

/**
 * Several order statistics at once (the Hodges-Lehmann estimate and both interval bounds): the
 * window is first narrowed for the whole span of ranks — they sit within a few percent of each
 * other, so the expensive first passes over all m·n are shared — then each run of adjacent ranks
 * is finished from a copy of that window.
 */
export function pairwiseOrderStatisticsAt(xs: Float64Array, ys: Float64Array, ranks: readonly number[]): number[] {
  checkRanks(xs, ys, ranks);
  const sorted = [...new Set(ranks)].sort((a, b) => a - b);
  const selection = new Selection(xs, ys);
  const shared = selection.fullWindow();
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const whole = selection.run(shared, first, last, 4 * (last - first + 1));
  const values = new Map<number, number>();
  if (whole) {
    sorted.forEach((r) => values.set(r, whole[r - first]!));
  } else {
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
      const run = selection.run(selection.copy(shared), sorted[i]!, sorted[j]!, 0)!;
      for (let r = i; r <= j; r++) values.set(sorted[r]!, run[r - i]!);
      i = j + 1;
    }
  }
  return ranks.map((r) => values.get(r)!);
}

function checkRanks(xs: Float64Array, ys: Float64Array, ranks: readonly number[]): void {
  const total = xs.length * ys.length;
  for (const k of ranks) {
    if (!(Number.isInteger(k) && k >= 1 && k <= total)) throw new RangeError(`rank ${k} outside 1..${total}`);
  }
  if (ranks.length === 2 && ranks[0]! > ranks[1]!) throw new RangeError(`ranks ${ranks[0]}..${ranks[1]} are reversed`);
}

/** Per row, the live columns lo..hi (lo = hi + 1: nothing left in the row). */
interface Window {
  lo: Int32Array;
  hi: Int32Array;
  /** Σ lo: differences known to rank below every live one. */
  below: number;
  /** Σ (hi + 1): below + the live count. */
  top: number;
}

class Selection {
  private readonly m: number;
  private readonly n: number;
  private readonly rowCount: Int32Array;
  private readonly sample = new Float64Array(MAX_SAMPLE);
  private readonly rng;
  private readonly gatherAt: number;

  constructor(
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
  ) {
    this.m = xs.length;
    this.n = ys.length;
    this.rowCount = new Int32Array(this.m);
    this.rng = createRng(this.m * 31 + this.n);
    this.gatherAt = Math.max(GATHER_LIMIT, 2 * (this.m + this.n));
  }

  fullWindow(): Window {
    return { lo: new Int32Array(this.m), hi: new Int32Array(this.m).fill(this.n - 1), below: 0, top: this.m * this.n };
  }

  copy(w: Window): Window {
    return { lo: w.lo.slice(), hi: w.hi.slice(), below: w.below, top: w.top };
  }

  /**
   * Narrow `w` (in place) around ranks kFrom..kTo and return their values; or, once no more than
   * `stopAt` candidates remain, stop and return undefined so the caller can split the ranks.
   */
  run(w: Window, kFrom: number, kTo: number, stopAt: number): Float64Array | undefined {
    const { m, sample } = this;
    for (;;) {
      const below = w.below;
      const live = w.top - w.below;
      if (live <= stopAt) return undefined;
      if (live <= this.gatherAt) return this.gather(w, kFrom - below, kTo - below);

      // A pivot pair from a sample of size s keeps ~2/√s of the window (±2 binomial SDs of the
      // target's rank in the sample; stratified sampling only tightens that): take the smallest
      // sample that brings the window under the gather limit, so late passes sample little.
      let size = MIN_SAMPLE;
      while (size < MAX_SAMPLE && (live * 2) / Math.sqrt(size) > this.gatherAt) size *= 2;
      const spread = Math.ceil(Math.sqrt(size));
      const drawn = sample.subarray(0, size);
      this.systematicSample(w, live, drawn);
      const clamp = (i: number) => Math.min(size - 1, Math.max(0, i));
      const lowAt = clamp(Math.floor(((kFrom - below - 0.5) / live) * size) - spread);
      const highAt = clamp(Math.ceil(((kTo - below - 0.5) / live) * size) + spread);
      const low = quickselect(drawn, lowAt);
      // quickselect leaves everything above lowAt to its right: finish the search there
      const high = highAt === lowAt ? low : quickselect(drawn.subarray(lowAt + 1), highAt - lowAt - 1);

      let progressed = false;
      let stuck = high;
      for (const pivot of low === high ? [low] : [low, high]) {
        stuck = pivot;
        const le = this.count(w, pivot, true);
        if (kFrom > le) {
          w.lo.set(this.rowCount); // every wanted rank lies above the pivot
          w.below = le;
          progressed = true;
          continue;
        }
        if (kTo <= le && le < w.top) {
          // Keep values ≤ pivot (not < pivot: that would cost a second walk). Values equal to the
          // pivot stay live, which is harmless: nothing beyond hi is ≤ any later pivot.
          this.cutAbove(w, le);
          progressed = true;
        }
        break;
      }
      if (progressed) continue;
      // Every live value is ≤ the pivot that should have cut, or the pivot sits inside the run of
      // wanted ranks: settle it with the strict count too.
      const pivot = stuck;
      const le = this.count(w, pivot, true);
      const lt = this.count(w, pivot, false);
      if (lt < kFrom && kTo <= le) return new Float64Array(kTo - kFrom + 1).fill(pivot);
      if (kTo <= lt) {
        this.cutAbove(w, lt);
        continue;
      }
      if (stopAt > 0) return undefined;
      const out = new Float64Array(kTo - kFrom + 1);
      for (let k = kFrom; k <= kTo; k++) out[k - kFrom] = this.run(this.copy(w), k, k, 0)![0]!;
      return out;
    }
  }

  /** Keep only the first rowCount[i] columns of each row (the last count's). */
  private cutAbove(w: Window, total: number): void {
    for (let i = 0; i < this.m; i++) w.hi[i] = this.rowCount[i]! - 1;
    w.top = total;
  }

  /** Every (live/size)-th live candidate from a random start: a stratified sample of each row. */
  private systematicSample(w: Window, live: number, sample: Float64Array): void {
    const { xs, ys, n } = this;
    const step = live / sample.length;
    const start = this.rng.next();
    let row = 0;
    let rowStart = 0; // live candidates in the rows before `row`
    let width = w.hi[0]! - w.lo[0]! + 1;
    for (let s = 0; s < sample.length; s++) {
      const position = Math.min(live - 1, Math.floor((start + s) * step));
      while (position >= rowStart + width) {
        rowStart += width;
        row++;
        width = w.hi[row]! - w.lo[row]! + 1;
      }
      const column = w.lo[row]! + (position - rowStart);
      sample[s] = xs[row]! - ys[n - 1 - column]!;
    }
  }

  /**
   * #{differences ≤ t} (or < t), in total and per row (into rowCount). Every live candidate lies
   * strictly between the pivots that cut the window, so each row's boundary is inside its window:
   * one staircase walk, O(m + n), moving only within windows.
   */
  private count(w: Window, t: number, inclusive: boolean): number {
    const { xs, ys, n, rowCount } = this;
    const { lo, hi } = w;
    let p = n;
    let total = 0;
    // Two copies of the loop rather than a branch per step: this walk is the hot path.
    if (inclusive) {
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        const first = lo[i]!;
        const end = hi[i]! + 1;
        // row i, column c holds x − ys[n − 1 − c]; the boundary column only moves left as x grows
        if (p > end) p = end;
        if (p < first) p = first;
        while (p > first && x - ys[n - p]! > t) p--;
        rowCount[i] = p;
        total += p;
      }
    } else {
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        const first = lo[i]!;
        const end = hi[i]! + 1;
        if (p > end) p = end;
        if (p < first) p = first;
        while (p > first && x - ys[n - p]! >= t) p--;
        rowCount[i] = p;
        total += p;
      }
    }
    return total;
  }

  private gather(w: Window, rankFrom: number, rankTo: number): Float64Array {
    return gatherAndSelect(this.xs, this.ys, w.lo, w.hi, rankFrom, rankTo);
  }
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
  // A few ranks: select each. A long run (a shared span gathered whole): sort once.
  if (rankTo - rankFrom >= 4) return values.sort().slice(rankFrom - 1, rankTo);
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
