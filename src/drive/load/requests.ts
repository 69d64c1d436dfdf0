/**
 * Requests as a pure function of (workload, iteration index): both runtimes receive byte-for-byte
 * the same sequence whichever worker or block sends it, and a rerun with the same seed repeats it.
 */
import { mixRequest, setupRequests } from '../../daemons/vectord/workload.ts';
import type { HttpRequestSpec, WorkloadSpec } from './types.ts';

export interface PreparedRequest {
  method: string;
  path: string;
  route: string;
  /** `${method} ${route}`, computed once: the latency recorder's lookup key. */
  key: string;
  /** Flat [name, value, …] as undici's dispatch takes them. */
  headers: string[];
  body: Buffer | undefined;
  /** Status a correct runtime answers (setup requests are checked against it). */
  expectStatus?: number;
}

const JSON_HEADERS = ['content-type', 'application/json'];

export interface RequestSource {
  get(index: number): PreparedRequest;
  /** Requests that must succeed on a runtime before it is measured (vectord: collection + seed points). */
  setup(): PreparedRequest[];
}

export function createRequestSource(spec: WorkloadSpec, extraHeaders: Record<string, string> = {}): RequestSource {
  const extra = Object.entries(extraHeaders).flat();
  if (spec.kind === 'http') {
    // A fixed list: prepare each once and hand out the same objects (no per-iteration allocation).
    const prepared = spec.requests.map((r) => prepareHttp(r, extra));
    return { get: (i) => prepared[i % prepared.length]!, setup: () => [] };
  }
  const w = spec.workload;
  const prepare = (r: { method: string; path: string; route: string; body: string; expectStatus: number }): PreparedRequest => ({
    method: r.method,
    path: r.path,
    route: r.route,
    key: `${r.method} ${r.route}`,
    headers: [...JSON_HEADERS, ...extra],
    body: Buffer.from(r.body),
    expectStatus: r.expectStatus,
  });
  return { get: (i) => prepare(mixRequest(w, i)), setup: () => setupRequests(w).map(prepare) };
}

function prepareHttp(r: HttpRequestSpec, extra: string[]): PreparedRequest {
  return {
    method: r.method,
    path: r.path,
    route: r.route,
    key: `${r.method} ${r.route}`,
    headers: [...Object.entries(r.headers).flat(), ...extra],
    body: r.body === undefined ? undefined : Buffer.from(r.body),
  };
}

/**
 * Requests for indices [next, end) prepared ahead of their due time, in slices that fit the idle
 * gaps of the scheduler: building a 768-dim upsert batch takes about a millisecond, and doing it at
 * the due instant would delay the send (visible as engine lag in the corrected latency).
 */
export class Lookahead {
  private readonly ready = new Map<number, PreparedRequest>();
  private next = 0;
  constructor(private readonly source: RequestSource) {}

  reset(first: number): void {
    this.ready.clear();
    this.next = first;
  }

  /** Prepares indices up to `upTo` (exclusive), stopping early once `performance.now()` reaches `deadline`. */
  fill(upTo: number, deadline: number, indexOf: (k: number) => number): void {
    while (this.next < upTo && performance.now() < deadline) {
      const index = indexOf(this.next);
      this.ready.set(index, this.source.get(index));
      this.next++;
    }
  }

  take(index: number): PreparedRequest {
    const r = this.ready.get(index);
    if (r) {
      this.ready.delete(index);
      return r;
    }
    return this.source.get(index);
  }
}
