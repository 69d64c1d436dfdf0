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
  if (fault.ms <= 0 || fault.ratio <= 0) return handle;
  const isDelayed = createFaultSchedule(fault.ratio);
  return async (ctx) => {
    if (isDelayed()) await sleep(fault.ms);
    return handle(ctx);
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
