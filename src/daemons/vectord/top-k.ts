/**
 * `true` when candidate A (score, slot) ranks below candidate B — lower similarity, larger
 * distance, or an equal score and the later id.
 */
export type RanksBelow = (scoreA: number, slotA: number, scoreB: number, slotB: number) => boolean;

/**
 * The rust flavour's top-k: a bounded binary heap holding the k best candidates seen so far with
 * the worst at the root, so each scanned point costs O(1) when it cannot make the cut and
 * O(log k) when it can — O(n log k) for the scan instead of sorting all n scores. Slots and scores
 * live in typed arrays (no object per candidate), as a `BinaryHeap<(OrderedF32, u32)>` would.
 */
export class BoundedTopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(
    private readonly capacity: number,
    private readonly ranksBelow: RanksBelow,
  ) {
    this.slots = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  offer(slot: number, score: number): void {
    if (this.size < this.capacity) {
      this.slots[this.size] = slot;
      this.scores[this.size] = score;
      this.siftUp(this.size++);
    } else if (this.size > 0 && this.ranksBelow(this.scores[0]!, this.slots[0]!, score, slot)) {
      this.slots[0] = slot;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Empties the heap into a list ordered best first. */
  drainBestFirst(): Array<{ slot: number; score: number }> {
    const out = new Array<{ slot: number; score: number }>(this.size);
    for (let i = this.size - 1; i >= 0; i--) {
      out[i] = { slot: this.slots[0]!, score: this.scores[0]! };
      this.size--;
      if (this.size > 0) {
        this.move(this.size, 0);
        this.siftDown(0);
      }
    }
    return out;
  }

  /** Root = the worst kept candidate: a parent never ranks above its children. */
  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.below(index, parent)) return;
      this.swap(parent, index);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const left = 2 * index + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const worse = right < this.size && this.below(right, left) ? right : left;
      if (!this.below(worse, index)) return;
      this.swap(worse, index);
      index = worse;
    }
  }

  private below(a: number, b: number): boolean {
    return this.ranksBelow(this.scores[a]!, this.slots[a]!, this.scores[b]!, this.slots[b]!);
  }

  private move(from: number, to: number): void {
    this.slots[to] = this.slots[from]!;
    this.scores[to] = this.scores[from]!;
  }

  private swap(a: number, b: number): void {
    const slot = this.slots[a]!;
    const score = this.scores[a]!;
    this.move(b, a);
    this.slots[b] = slot;
    this.scores[b] = score;
  }
}
