/**
 * Replay without holding the recording: entries are read line by line from each recording, put
 * in timestamp order through a bounded reorder window (the recording proxy appends in completion
 * order, so timestamps are nearly sorted), merged across recordings, filtered (unsafe methods) and
 * cut at the limit — without reading past it. Memory is bounded by the window, whatever the size
 * of the files.
 */
import type { RecordedExchange, RecordingStream } from '../record/index.ts';

/** Entries held per recording to restore timestamp order; disorder beyond it is sent late, not lost. */
export const REORDER_WINDOW = 4096;

interface Item {
  x: RecordedExchange;
  t: number;
  /** Read order, so equal timestamps keep recording order. */
  n: number;
}

const before = (a: Item, b: Item) => a.t < b.t || (a.t === b.t && a.n < b.n);

/** A binary min-heap on (timestamp, read order). */
class MinHeap {
  private readonly items: Item[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Item | undefined {
    return this.items[0];
  }
  push(item: Item): void {
    const h = this.items;
    h.push(item);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Item | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** One recording's exchanges in timestamp order, through a window of `window` entries. */
async function* reordered(stream: AsyncIterator<RecordedExchange>, window: number): AsyncGenerator<Item> {
  const heap = new MinHeap();
  let n = 0;
  try {
    for (let next = await stream.next(); !next.done; next = await stream.next()) {
      heap.push({ x: next.value, t: Date.parse(next.value.ts), n: n++ });
      if (heap.size > window) yield heap.pop()!;
    }
    while (heap.size) yield heap.pop()!;
  } finally {
    // Stopped early (limit, time bound): close the file.
    await stream.return?.(undefined);
  }
}

/**
 * All recordings' exchanges as one timestamp-ordered stream (a k-way merge of the reordered
 * streams). Pulls one entry at a time: a consumer that stops (limit, time bound, interrupt) stops
 * the reading; `return()` closes every file.
 */
export async function* mergeRecordings(streams: readonly RecordingStream[], window = REORDER_WINDOW): AsyncGenerator<RecordedExchange> {
  const sources = streams.map((s) => reordered(s.exchanges[Symbol.asyncIterator](), window));
  const heads: Array<Item | undefined> = [];
  let seq = 0;
  try {
    for (const src of sources) {
      const h = await src.next();
      heads.push(h.done ? undefined : { ...h.value, n: seq++ });
    }
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) if (heads[i] && (best < 0 || before(heads[i]!, heads[best]!))) best = i;
      if (best < 0) return;
      const { x } = heads[best]!;
      const h = await sources[best]!.next();
      heads[best] = h.done ? undefined : { ...h.value, n: seq++ };
      yield x;
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}
