/**
 * Exact latency recording: one pair of HdrHistograms (from the intended start, from the actual
 * send) per (method, route, status class), in integer microseconds with 3 significant digits —
 * every value is kept to 0.1% with no sampling, and histograms from any number of workers and blocks
 * merge without loss. They leave the engine as OTLP exponential histograms (see toExponential).
 */
import * as hdr from 'hdr-histogram-js';

type Histogram = hdr.Histogram;

/** One series of a block, as it leaves a worker: encoded histograms per (method, route, status class). */
export interface SeriesResult {
  method: string;
  route: string;
  /** 2xx | 3xx | 4xx | 5xx | error */
  statusClass: string;
  /** From the intended start (corrected) and from the actual send (uncorrected), µs. */
  intended: string;
  sent: string;
}

/** 1 µs to 1 hour; autoResize keeps a pathological value from throwing mid-run. */
export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true, useWebAssembly: false });
}

export function statusClassOf(status: number | undefined): string {
  if (status === undefined) return 'error';
  if (status < 200) return '1xx';
  return `${Math.min(Math.floor(status / 100), 5)}xx`;
}

interface Series {
  method: string;
  route: string;
  statusClass: string;
  intended: Histogram;
  sent: Histogram;
}

/** Status class index for the per-route series array: 1xx…5xx → 1…5, transport error → 0. */
function classIndex(status: number | undefined): number {
  return status === undefined ? 0 : Math.max(1, Math.min(Math.floor(status / 100), 5));
}

export class SeriesRecorder {
  private readonly series = new Map<string, Series>();
  /** The hot path's lookup: route key → series by status class, so recording builds no strings. */
  private readonly byRoute = new Map<string, Array<Series | undefined>>();

  /** Latencies in ms (fractional); stored as whole µs, at least 1. `routeKey` = `${method} ${route}`. */
  record(method: string, route: string, status: number | undefined, intendedMs: number, sentMs: number, routeKey = `${method} ${route}`): void {
    let classes = this.byRoute.get(routeKey);
    if (!classes) this.byRoute.set(routeKey, (classes = []));
    const c = classIndex(status);
    let s = classes[c];
    if (!s) {
      const statusClass = statusClassOf(status);
      s = { method, route, statusClass, intended: newHistogram(), sent: newHistogram() };
      classes[c] = s;
      this.series.set(`${routeKey} ${statusClass}`, s);
    }
    s.intended.recordValue(Math.max(1, Math.round(intendedMs * 1000)));
    s.sent.recordValue(Math.max(1, Math.round(sentMs * 1000)));
  }

  get errors(): number {
    let n = 0;
    for (const s of this.series.values()) if (s.statusClass === '5xx' || s.statusClass === 'error' || s.statusClass === '4xx') n += s.intended.totalCount;
    return n;
  }

  /** Compressed base64 (the HdrHistogram interchange format) per series; the recorder is then empty. */
  drain(): SeriesResult[] {
    const out: SeriesResult[] = [];
    for (const s of this.series.values()) {
      out.push({ method: s.method, route: s.route, statusClass: s.statusClass, intended: hdr.encodeIntoCompressedBase64(s.intended), sent: hdr.encodeIntoCompressedBase64(s.sent) });
      s.intended.destroy();
      s.sent.destroy();
    }
    this.series.clear();
    this.byRoute.clear();
    return out;
  }
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** `into` += every histogram in `from` (exact: same layout, counts add). */
export function mergeInto(into: Histogram, from: Histogram): void {
  into.add(from);
}

export interface ExponentialData {
  scale: number;
  offset: number;
  bucketCounts: number[];
  count: number;
  /** Seconds. */
  sum: number;
  min: number;
  max: number;
}

/**
 * An HdrHistogram (µs) as an OTel exponential histogram in seconds at a fixed `scale`. Each HDR
 * bucket moves whole into the exponential bucket holding its midpoint; HDR buckets are ≤ 0.1% wide
 * and scale-8 buckets 0.27%, so a value lands at most one bucket away from where it was measured.
 * A fixed scale (rather than the SDK's auto-downscaling) keeps every block, worker and runtime on
 * one layout, so they merge and compare bucket for bucket.
 */
export function toExponential(h: Histogram, scale: number): ExponentialData | undefined {
  if (h.totalCount === 0) return undefined;
  const counts = new Map<number, number>();
  let sum = 0;
  // build() without WebAssembly returns the JS implementation, whose iterator API the interface hides.
  const js = h as unknown as hdr.JsHistogram;
  const it = js.recordedValuesIterator;
  it.reset();
  const factor = 2 ** scale;
  while (it.hasNext()) {
    const v = it.next();
    const micros = js.medianEquivalentValue(v.valueIteratedTo);
    const seconds = micros / 1e6;
    const index = Math.ceil(Math.log2(seconds) * factor) - 1;
    counts.set(index, (counts.get(index) ?? 0) + v.countAtValueIteratedTo);
    sum += seconds * v.countAtValueIteratedTo;
  }
  const indices = [...counts.keys()];
  const offset = Math.min(...indices);
  const bucketCounts = new Array<number>(Math.max(...indices) - offset + 1).fill(0);
  for (const [i, c] of counts) bucketCounts[i - offset] = c;
  return { scale, offset, bucketCounts, count: h.totalCount, sum, min: h.minNonZeroValue / 1e6, max: h.maxValue / 1e6 };
}
