/**
 * A minimal client of the Prometheus HTTP API (`POST /api/v1/query`), which Mimir, Thanos,
 * VictoriaMetrics and Cortex all serve — so judging production telemetry needs nothing beyond a
 * base URL (with any path prefix, e.g. http://mimir/prometheus).
 */
import { request } from 'undici';
import { PROM_DURATION_RE } from '../config/schema.ts';
import { classifyTransportError } from '../probe/index.ts';
import { GauntletError } from '../util/errors.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Prometheus duration syntax (`500ms`, `15s`, `1m30s`) → milliseconds; the CLI's durations use it too. */
export function parsePromDuration(text: string, option: string): number {
  if (!PROM_DURATION_RE.test(text)) {
    throw new GauntletError('GAUNTLET_USAGE', `${option} must be a duration such as 500ms, 15s, 5m or 1h30m, got "${text}"`);
  }
  let ms = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0) throw new GauntletError('GAUNTLET_USAGE', `${option} must be longer than 0, got "${text}"`);
  return ms;
}

/** A label value inside a PromQL string literal. */
export function quoteLabelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PromClient {
  readonly url: string;
  /** An instant query; `time` in Unix seconds (default: the server's now). Only vector results. */
  query(expr: string, time?: number): Promise<PromSample[]>;
}

/** Prometheus encodes sample values as strings, with its own spellings of the infinities. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function createPromClient(url: string, opts: { timeoutMs?: number } = {}): PromClient {
  const base = url.replace(/\/+$/, '');
  const timeout = opts.timeoutMs ?? 30_000;
  return {
    url: base,
    async query(expr, time) {
      const form = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
      let status: number;
      let text: string;
      try {
        const res = await request(`${base}/api/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        const { type, message } = classifyTransportError(err);
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot reach Prometheus: ${type} (${message})`, {
          url: base,
          hint: 'check --url: the base URL of a Prometheus-compatible query API (…/api/v1/query is appended)',
        }, { cause: err });
      }
      let body: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      try {
        body = JSON.parse(text);
      } catch {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `not a Prometheus query API: HTTP ${status}, body starts ${JSON.stringify(text.slice(0, 80))}`, {
          url: `${base}/api/v1/query`,
          hint: 'pass the base URL of the query API (for Mimir usually …/prometheus)',
        });
      }
      if (status >= 400 || body.status !== 'success') {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `Prometheus rejected the query (HTTP ${status}, ${body.errorType ?? 'error'}): ${body.error ?? text.slice(0, 200)}`, {
          url: `${base}/api/v1/query`,
          hint: `query: ${expr}`,
        });
      }
      if (body.data?.resultType !== 'vector') {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `expected an instant vector, got ${body.data?.resultType}`, { url: base, hint: `query: ${expr}` });
      }
      return (body.data.result ?? []).map((r) => ({ metric: r.metric, value: sampleValue(r.value[1]) }));
    },
  };
}
