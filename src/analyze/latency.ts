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
  /** Failed exchanges (transport errors and 5xx) — excluded from `values`, counted here. */
  errors: number;
  total: number;
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
      errors: list.length - ok.length,
      total: list.length,
    });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.runtime.localeCompare(b.runtime));
}

/** The samples two series can be fairly compared on: server-side if both have it, else client-side. */
export function pickComparable(a: LatencySeries, b: LatencySeries): { a: number[]; b: number[]; source: 'server' | 'client' } {
  if (a.server && b.server) return { a: a.server, b: b.server, source: 'server' };
  return { a: a.client, b: b.client, source: 'client' };
}
