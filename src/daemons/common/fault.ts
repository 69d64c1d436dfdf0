import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultLatency } from './args.ts';
import type { RouteHandler } from './http-server.ts';

/**
 * Wraps a handler so selected requests wait `ms` extra before being handled. The delay sits
 * inside the SERVER span and the duration histogram, so it shows up exactly like a slower
 * runtime would — server-side latency is what the latency judge prefers.
 *
 * `ratio` < 1 delays only that fraction of requests, spread deterministically (with 0.1 every
 * 10th request), which shifts the tail (p95/p99) while leaving the median alone; a random pick
 * would make small test runs flaky.
 */
export function withFaultLatency(handle: RouteHandler, fault: FaultLatency): RouteHandler {
  if (fault.ms <= 0 || fault.ratio <= 0) return handle;
  let seen = 0;
  return async (ctx) => {
    seen += 1;
    if (Math.floor(seen * fault.ratio) > Math.floor((seen - 1) * fault.ratio)) await sleep(fault.ms);
    return handle(ctx);
  };
}
