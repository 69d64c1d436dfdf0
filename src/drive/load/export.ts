/**
 * One block's results (all workers) → OTLP metric points, POSTed to the collector. The HdrHistograms
 * of the workers are merged exactly, then exported as delta exponential histograms at a fixed scale;
 * counters are delta sums over the block's sending window. Nothing reaches the analyser any other
 * way: `gauntlet load` reads these points back from the store.
 */
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { request } from 'undici';
import { encodeMetricsRequest, type Attributes, type EncodablePoint } from '../../collect/index.ts';
import * as A from '../../contract/attributes.ts';
import { decodeHistogram, mergeInto, newHistogram, toExponential } from '../../collect/load/hdr.ts';
import * as M from '../../contract/load-metrics.ts';
import type { BlockResult, LoadTarget, PlannedScenario } from './types.ts';

export interface BlockExportContext {
  runId: string;
  service: string;
  scenario: PlannedScenario;
  target: LoadTarget;
  scale: number;
}

const ms = (epochMs: number) => BigInt(Math.round(epochMs * 1e6));

export function blockPoints(ctx: BlockExportContext, results: readonly BlockResult[]): EncodablePoint[] {
  const url = new URL(ctx.target.url);
  const base: Attributes = {
    [A.ATTR_GAUNTLET_RUN_ID]: ctx.runId,
    [A.ATTR_GAUNTLET_DRIVER]: 'load',
    [A.ATTR_GAUNTLET_SERVICE]: ctx.service,
    [A.ATTR_GAUNTLET_RUNTIME]: ctx.target.runtime,
    [A.ATTR_GAUNTLET_RUNTIME_ROLE]: ctx.target.role,
    [M.ATTR_SCENARIO]: ctx.scenario.name,
    // k6 scenario tags, namespaced so they never shadow gauntlet's own attributes.
    ...Object.fromEntries(Object.entries(ctx.scenario.tags ?? {}).map(([k, v]) => [`gauntlet.load.tag.${k}`, v])),
  };
  const startMs = Math.min(...results.map((r) => r.startEpochMs));
  const sendEndMs = Math.max(...results.map((r) => r.sendEndEpochMs));
  const window = { startNs: ms(startMs), timeNs: ms(sendEndMs), temporality: 'delta' as const };
  const sum = (f: (r: BlockResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const seconds = Math.max(sendEndMs - startMs, 1) / 1000;
  const open = ctx.scenario.plan.model === 'open';
  const counter = (name: string, value: number, unit: string): EncodablePoint => ({ name, kind: 'sum', monotonic: true, unit, ...window, value, attributes: { ...base, [M.ATTR_EXECUTOR]: ctx.scenario.executor } });
  const gauge = (name: string, value: number, unit: string): EncodablePoint => ({ name, kind: 'gauge', unit, startNs: window.startNs, timeNs: window.timeNs, value, attributes: { ...base } });
  const points: EncodablePoint[] = [
    counter(M.METRIC_ITERATIONS, sum((r) => r.completed + r.interrupted), '{iteration}'),
    counter(M.METRIC_DROPPED, sum((r) => r.dropped), '{iteration}'),
    counter(M.METRIC_INTERRUPTED, sum((r) => r.interrupted), '{iteration}'),
    gauge(M.METRIC_RATE_ACHIEVED, sum((r) => r.started) / seconds, '{iteration}/s'),
    gauge(M.METRIC_VUS, sum((r) => r.maxVUs), '{vu}'),
  ];
  if (open) {
    // Scheduled iterations span the block's nominal length (not the sending window, which stretches
    // when the sender falls behind): target rate = scheduled / nominal time, exactly the plan's.
    const nominalMs = results[0]!.nominalMs;
    const scheduled = sum((r) => r.scheduled);
    points.push({ ...counter(M.METRIC_SCHEDULED, scheduled, '{iteration}'), timeNs: ms(startMs + nominalMs) });
    points.push(gauge(M.METRIC_RATE_TARGET, scheduled / (nominalMs / 1000), '{iteration}/s'));
  }

  // Merge every worker's histograms per (method, route, status class), then convert once.
  const merged = new Map<string, { method: string; route: string; statusClass: string; intended: ReturnType<typeof newHistogram>; sent: ReturnType<typeof newHistogram> }>();
  for (const r of results) {
    for (const s of r.series) {
      const key = `${s.method} ${s.route} ${s.statusClass}`;
      let m = merged.get(key);
      if (!m) merged.set(key, (m = { method: s.method, route: s.route, statusClass: s.statusClass, intended: newHistogram(), sent: newHistogram() }));
      for (const [into, encoded] of [[m.intended, s.intended], [m.sent, s.sent]] as const) {
        const h = decodeHistogram(encoded);
        mergeInto(into, h);
        h.destroy();
      }
    }
  }
  for (const m of merged.values()) {
    const attributes: Attributes = {
      ...base,
      [ATTR_HTTP_REQUEST_METHOD]: m.method,
      [ATTR_HTTP_ROUTE]: m.route,
      [M.ATTR_STATUS_CLASS]: m.statusClass,
      [ATTR_SERVER_ADDRESS]: url.hostname,
      [ATTR_SERVER_PORT]: Number(url.port || 80),
    };
    for (const [name, h] of [[M.METRIC_INTENDED_LATENCY, m.intended], [M.METRIC_SENT_DURATION, m.sent]] as const) {
      const e = toExponential(h, ctx.scale);
      h.destroy();
      if (!e) continue;
      points.push({
        name,
        kind: 'exponential_histogram',
        unit: 's',
        ...window,
        count: e.count,
        sum: e.sum,
        min: e.min,
        max: e.max,
        scale: e.scale,
        zeroCount: 0,
        positive: { offset: e.offset, bucketCounts: e.bucketCounts },
        attributes,
      });
    }
  }
  return points;
}

/** POSTs points to the collector; resolves once it answered 200 (= committed to the store). */
export async function exportPoints(endpoint: string, runId: string, points: readonly EncodablePoint[]): Promise<void> {
  if (points.length === 0) return;
  const body = encodeMetricsRequest(points, { [ATTR_SERVICE_NAME]: 'gauntlet', [A.ATTR_GAUNTLET_RUN_ID]: runId }, { name: A.TRACER_NAME });
  const res = await request(`${endpoint.replace(/\/$/, '')}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`collector answered ${res.statusCode} to a metrics export: ${text.slice(0, 200)}`);
}
