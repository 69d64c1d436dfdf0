import type { ExchangeEvent, ExchangeResult, ProbeSubscriber } from '../probe/types.ts';
import { outcomeOf, type GauntletMetrics } from './metrics.ts';

/**
 * The metrics twin of the span subscriber: one count and one duration observation per exchange,
 * labelled by route *template* (the request's `route`, never its path with ids).
 */
export function createMetricsSubscriber(metrics: GauntletMetrics): ProbeSubscriber {
  return {
    onEnd(event: ExchangeEvent, result: ExchangeResult) {
      const r = event.request;
      const labels = { driver: r.driver, service: r.service, runtime: r.runtime, role: r.role, method: r.method, route: r.route };
      metrics.exchanges.inc({ ...labels, outcome: outcomeOf(result.status) });
      metrics.exchangeDuration.observe(labels, result.timing.totalMs / 1000);
    },
  };
}
