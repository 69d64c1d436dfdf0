import type { RouteTraceSummary } from '../config/index.ts';
import type { ObservedExchange } from './exchanges.ts';

export interface LatencySeries {
  service: string;
  method: string;
  route: string;
  runtime: string;
  role: string;
  /** Client-side durations (ms) of the successful exchanges. */
  client: number[];
  /** Server-side durations (ms), when every successful exchange has a SERVER span. */
  server: number[] | undefined;
  /** The case of each successful exchange, aligned with `client` and `server` (the judge's strata). */
  cases: string[];
  /** Failed exchanges (transport errors and 5xx) — excluded from `values`, counted here. */
  errors: number;
  total: number;
  /**
   * Set when the mirror sent these exchanges: its client-side times come from two vantage points
   * (the primary's in the proxy, the candidate's in the copy process at the lowest CPU priority).
   */
  mirrored?: true;
  /** The route's span structure on this runtime (set by the judgement; kept by baselines). */
  trace?: RouteTraceSummary;
}

/**
 * Latency samples per (service, route, runtime) from reconstructed exchanges. Server spans measure
 * the runtime without client and network noise, so they are preferred — but only when both sides of
 * a comparison have them for every exchange (see `pickComparable`): mixing sources compares
 * different things.
 */
export function latencySeries(exchanges: readonly ObservedExchange[]): LatencySeries[] {
  const groups = new Map<string, ObservedExchange[]>();
  for (const x of exchanges) {
    const key = [x.service, x.method, x.route, x.runtime].join('\u0000');
    const list = groups.get(key);
    if (list) list.push(x);
    else groups.set(key, [x]);
  }
  const out: LatencySeries[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const ok = list.filter((x) => x.status !== undefined && x.status < 500);
    const server = ok.length > 0 && ok.every((x) => x.serverMs !== undefined);
    out.push({
      service: first.service,
      method: first.method,
      route: first.route,
      runtime: first.runtime,
      role: first.role,
      client: ok.map((x) => x.clientMs),
      server: server ? ok.map((x) => x.serverMs!) : undefined,
      cases: ok.map((x) => x.caseId),
      errors: list.length - ok.length,
      total: list.length,
      ...(list.some((x) => x.driver === 'mirror') ? { mirrored: true as const } : {}),
    });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.runtime.localeCompare(b.runtime));
}

export interface ComparableSamples {
  a: number[];
  b: number[];
  source: 'server' | 'client';
  /** The case of each sample as a number shared by both sides (the judge's strata). */
  strata: { a: number[]; b: number[] };
  /** Why the client-side samples cannot be compared (the mirror's two vantage points): not to be judged. */
  notComparable?: string;
}

/**
 * The samples two series can be fairly compared on: server-side if both have it, else client-side
 * — except for the mirror, whose client-side times were taken in two different places (the
 * proxy's for the primary, the low-priority copy process's for the candidate): under host load the
 * copy side's queueing alone reads as a large slowdown, so only SERVER spans judge mirror latency.
 */
export function pickComparable(a: LatencySeries, b: LatencySeries): ComparableSamples {
  const codes = new Map<string, number>();
  const code = (c: string) => codes.get(c) ?? (codes.set(c, codes.size), codes.size - 1);
  const strata = { a: a.cases.map(code), b: b.cases.map(code) };
  if (a.server && b.server) return { a: a.server, b: b.server, source: 'server', strata };
  if (a.mirrored || b.mirrored) {
    const missing = [a, b].filter((s) => !s.server).map((s) => s.runtime).join(' and ');
    return {
      a: a.client,
      b: b.client,
      source: 'client',
      strata,
      notComparable: `not comparable: the mirror measures the primary's client-side time in the proxy and the candidate's in the low-priority copy process, and ${missing} ${missing.includes(' and ') ? 'have' : 'has'} no SERVER span on every exchange — instrument both runtimes (traceparent propagation) to judge mirror latency`,
    };
  }
  return { a: a.client, b: b.client, source: 'client', strata };
}
