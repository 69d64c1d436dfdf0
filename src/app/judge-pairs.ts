import type { ParityReport } from '../analyze/index.ts';
import type { StoredSpan } from '../collect/index.ts';
import type { LoadedConfig } from '../config/index.ts';
import { judgeWholeRun, type GateResult, type LabelledFinding } from '../gate/index.ts';

export interface JudgedPairs {
  report: ParityReport;
  /** Trace findings (what each runtime did inside its requests), judged from the same spans. */
  trace: LabelledFinding[];
  gate: GateResult;
}

/**
 * The pairs of a stored run judged the one way `gate --run` judges them (judgeWholeRun): no smoke
 * checks as cases, no load samples, trace findings included. `parity`, `replay` and `analyze --run`
 * all print and write this, so their JSON is byte-identical for the same run.
 */
export async function judgePairs(runId: string, spans: readonly StoredSpan[], loaded: LoadedConfig): Promise<JudgedPairs> {
  const judged = await judgeWholeRun(runId, spans, loaded);
  return { report: judged.report, trace: judged.gate.findings.filter((f) => f.kind === 'trace'), gate: judged.gate };
}

/** The report file: the parity report, with the trace findings when there are any. */
export function reportJson(j: { report: ParityReport; trace: readonly LabelledFinding[] }): string {
  return JSON.stringify(j.trace.length ? { ...j.report, trace: j.trace } : j.report, null, 2) + '\n';
}
