import type { StoredSpan } from '../collect/index.ts';
import { ATTR_GAUNTLET_DRIVER } from '../contract/attributes.ts';

/** The spans of the traces one driver produced (its CLIENT/pair/run spans and the runtimes' SERVER spans). */
export function spansOfDriver(spans: readonly StoredSpan[], driver: string): StoredSpan[] {
  const traces = new Set(spans.filter((s) => s.attributes[ATTR_GAUNTLET_DRIVER] === driver).map((s) => s.traceId));
  return spans.filter((s) => traces.has(s.traceId));
}
