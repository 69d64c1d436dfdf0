/**
 * Multiple-comparison correction across routes, as R's `p.adjust`. Judging 100 routes at α = 0.05
 * would otherwise flag ~5 of them on noise alone, every run.
 */
import { GauntletError } from '../util/errors.ts';

export type Correction = 'holm' | 'bh';

/**
 * 'holm': step-down Bonferroni, controls the family-wise error rate (any false alarm) under any
 * dependence — the safe default for a merge gate. 'bh': Benjamini-Hochberg, controls the false
 * discovery rate; more power when many routes really changed.
 */
export function adjustPValues(p: readonly number[], method: Correction): number[] {
  for (const [i, v] of p.entries()) {
    if (!(v >= 0 && v <= 1)) throw new GauntletError('GAUNTLET_INTERNAL', `p-value #${i} is ${v}, not in [0, 1]`);
  }
  const n = p.length;
  // Stable orders, as R's order(): equal p-values keep their input order.
  const order = p.map((v, i) => [v, i] as const);
  const adjusted = new Array<number>(n);
  if (method === 'holm') {
    order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    order.forEach(([v, i], rank) => {
      running = Math.max(running, (n - rank) * v); // cummax((n + 1 − i)·p[o])
      adjusted[i] = Math.min(1, running);
    });
    return adjusted;
  }
  order.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let running = Infinity;
  order.forEach(([v, i], rank) => {
    running = Math.min(running, (n / (n - rank)) * v); // cummin(n/i·p[o]), i = n..1
    adjusted[i] = Math.min(1, running);
  });
  return adjusted;
}
