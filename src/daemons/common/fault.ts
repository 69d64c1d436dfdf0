import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultLatency } from './args.ts';
import { GauntletError } from '../../util/errors.ts';
import type { Route, RouteHandler } from './http-server.ts';

/**
 * Wraps a handler so selected requests wait `ms` extra before being handled. The delay sits
 * inside the SERVER span and the duration histogram, so it shows up exactly like a slower
 * runtime would — server-side latency is what the latency judge prefers.
 */
export function withFaultLatency(handle: RouteHandler, fault: FaultLatency): RouteHandler {
  const pct = fault.pct ?? 0;
  if ((fault.ms <= 0 && pct <= 0) || fault.ratio <= 0) return handle;
  const isDelayed = createFaultSchedule(fault.ratio);
  return async (ctx) => {
    if (!isDelayed()) return handle(ctx);
    if (fault.ms > 0) await sleep(fault.ms);
    if (pct <= 0) return handle(ctx);
    // A relative slowdown ("+20%") must scale with the work, so it is spent as CPU time after the
    // handler — like a slower build of the same code — rather than as a timer, whose ~1 ms
    // granularity would swamp sub-millisecond handlers. It is a share of the exchange's time so
    // far (reading the body, parsing, the handler: the SERVER span up to the response), so "+20%"
    // means +20% of what the server span measures, not of the handler alone.
    const started = ctx.receivedAt ?? performance.now();
    const response = await handle(ctx);
    const until = started + (performance.now() - started) * (1 + pct / 100);
    while (performance.now() < until) {
      /* spin */
    }
    return response;
  };
}

/**
 * Applies the fault to every route whose template is `fault.route` (or `defaultRoute` when the
 * user chose none). A template the daemon does not serve is a usage error at startup — a typo
 * would otherwise give a "no latency difference" result that looks like a finding.
 */
export function applyFaultLatency(routes: readonly Route[], fault: FaultLatency, defaultRoute: string): Route[] {
  const target = fault.route ?? defaultRoute;
  if (!routes.some((route) => route.path === target)) {
    const known = [...new Set(routes.map((route) => route.path))].join(', ');
    throw new GauntletError('GAUNTLET_USAGE', `--fault-route ${target} is not a route of this daemon (routes: ${known})`, { path: '--fault-route' });
  }
  return routes.map((route) => (route.path === target ? { ...route, handle: withFaultLatency(route.handle, fault) } : route));
}

/**
 * Picks which requests get the delay: `ratio` of them, spread evenly (0.25 → every 4th). A
 * ratio below 1 shifts the tail (p95/p99) while leaving the median alone; picking at random
 * instead would make short test runs flaky.
 */
export function createFaultSchedule(ratio: number): () => boolean {
  let seen = 0;
  return () => {
    seen += 1;
    return Math.floor(seen * ratio) > Math.floor((seen - 1) * ratio);
  };
}
