/**
 * The production assessment — ship, ship-with-known-gap or do-not-ship — decided in one place for
 * every path: `gauntlet run`, `gate --run`, `watch` cycles and the mirror's verdicts all come here.
 */
import type { LedgerLabel } from './ledger.ts';

export type Assessment = 'ship' | 'ship-with-known-gap' | 'do-not-ship';

export interface AssessmentInput {
  verdict: 'pass' | 'marginal' | 'fail';
  findings: ReadonlyArray<{ label: LedgerLabel }>;
  /** What the run did not finish (interrupted pairs, load blocks, phases): a partial run never says "ship". */
  incomplete: readonly string[];
}

export function assess(input: AssessmentInput): Assessment {
  if (input.verdict === 'fail' || input.incomplete.length > 0) return 'do-not-ship';
  return input.findings.some((f) => f.label === 'known') ? 'ship-with-known-gap' : 'ship';
}
