/**
 * Trace-structure analysis throughput: 10,000 exchanges (5,000 pairs, both runtimes) of ~10 spans
 * each — the probe's CLIENT span, the runtime's SERVER span, a cache span, downstream calls with
 * their SERVER spans, a validation span — through what judgeRun does with them: exchanges, per
 * exchange span trees (signature, self time, critical path), per route and runtime summaries and the
 * A/B structural comparison. The candidate makes an N+1 on a third of its requests, so the finding
 * path is exercised. A plain script:
 *   npx tsx bench/trace.bench.ts
 * Figures are reported, never asserted.
 */
import { pathToFileURL } from 'node:url';
import { buildRouteTraces, compareRouteTraces, reconstructExchanges } from '../src/analyze/index.ts';
import type { StoredSpan } from '../src/collect/index.ts';

const TRACES = 10_000;

function span(p: Partial<StoredSpan> & Pick<StoredSpan, 'traceId' | 'spanId' | 'name' | 'kind' | 'startNs' | 'endNs'>): StoredSpan {
  return { parentSpanId: null, statusCode: 'UNSET', statusMessage: null, serviceName: 'validatord', scopeName: null, resource: {}, attributes: {}, events: [], links: [], runId: null, ...p };
}

/** Synthetic spans of `TRACES` exchanges: runtime a batches its storaged lookup, b sometimes does one per field. */
export function syntheticTraceSpans(n = TRACES): StoredSpan[] {
  const spans: StoredSpan[] = [];
  let id = 0;
  const sid = () => (++id).toString(16).padStart(16, '0');
  for (let i = 0; i < n; i++) {
    const runtime = i % 2 === 0 ? 'a' : 'b';
    const traceId = Math.floor(i / 2).toString(16).padStart(32, '0');
    const t0 = BigInt(1_700_000_000_000_000_000 + i * 10_000_000);
    const client = sid();
    const server = sid();
    const calls = runtime === 'b' && i % 3 === 1 ? 1 + (i % 5) : 1;
    const fields = 4 + (i % 5);
    spans.push(span({ traceId, spanId: client, name: 'POST /v1/validate', kind: 'CLIENT', startNs: t0, endNs: t0 + 2_000_000n, serviceName: 'gauntlet', runId: 'bench',
      attributes: { 'gauntlet.pair.id': `p${Math.floor(i / 2)}`, 'gauntlet.runtime': runtime, 'gauntlet.runtime.role': runtime === 'a' ? 'primary' : 'candidate', 'gauntlet.service': 'validatord', 'gauntlet.route': '/v1/validate', 'http.request.method': 'POST', 'http.response.status_code': 200, 'http.request.body.size': 100 * fields } }));
    spans.push(span({ traceId, spanId: server, parentSpanId: client, name: 'POST /v1/validate', kind: 'SERVER', startNs: t0 + 100_000n, endNs: t0 + 1_900_000n }));
    spans.push(span({ traceId, spanId: sid(), parentSpanId: server, name: 'cache.get schema', kind: 'INTERNAL', startNs: t0 + 150_000n, endNs: t0 + 200_000n }));
    let t = t0 + 200_000n;
    for (let c = 0; c < calls; c++) {
      const call = sid();
      spans.push(span({ traceId, spanId: call, parentSpanId: server, name: 'GET /v1/schemas/{id}', kind: 'CLIENT', startNs: t, endNs: t + 300_000n }));
      spans.push(span({ traceId, spanId: sid(), parentSpanId: call, name: 'GET /v1/schemas/{id}', kind: 'SERVER', serviceName: 'storaged', startNs: t + 50_000n, endNs: t + 250_000n }));
      t += 300_000n;
    }
    for (let v = 0; v < 3; v++) spans.push(span({ traceId, spanId: sid(), parentSpanId: server, name: `validate ${['fields', 'ranges', 'enums'][v]}`, kind: 'INTERNAL', startNs: t, endNs: t + 100_000n }));
  }
  return spans;
}

export async function runTraceBench(): Promise<Record<string, number>> {
  const spans = syntheticTraceSpans();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.resourceUsage().maxRSS;
  const started = performance.now();
  const exchanges = reconstructExchanges(spans);
  const traces = buildRouteTraces(spans, exchanges);
  const [a, b] = [traces.find((t) => t.summary.runtime === 'a')!, traces.find((t) => t.summary.runtime === 'b')!];
  const findings = compareRouteTraces(a.summary, b.summary, { comparison: 'runtime', referenceName: 'a', seen: { first: '', last: '' } });
  const ms = performance.now() - started;
  // The analysis is synchronous, so a sampling timer would never fire inside it: the heap it holds
  // at the end (everything is still referenced) and the process's peak RSS are what is reported.
  const heapAfter = process.memoryUsage().heapUsed;
  const rssPeak = process.resourceUsage().maxRSS;
  if (!findings.some((f) => f.class === 'call-count')) throw new Error('bench: the planted N+1 was not found');
  return {
    traces: TRACES,
    spans: spans.length,
    'analysis ms': Math.round(ms),
    'traces per second': Math.round(TRACES / (ms / 1000)),
    'heap held by the analysis MiB': Math.round(((heapAfter - heapBefore) / 2 ** 20) * 10) / 10,
    'heap with the input spans MiB': Math.round((heapBefore / 2 ** 20) * 10) / 10,
    'peak RSS MiB': Math.round(rssPeak / 1024),
    'peak RSS growth during analysis MiB': Math.round((rssPeak - rssBefore) / 1024),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runTraceBench();
  for (const [k, v] of Object.entries(figures)) console.log(`trace    ${k.padEnd(30)} ${v.toLocaleString('en-US')}`);
}
