export { evaluateGate, assessmentLine, withExtraRules, scoreRules, describeShift, type GateResult, type RuleResult, type LabelledFinding, type LatencyRow } from './evaluate.ts';
export { assess, type Assessment, type AssessmentInput } from './assess.ts';
export { LedgerMatcher, readLedger, type LedgerLabel, type ResolvedCandidate } from './ledger.ts';
export { buildBaseline, saveBaseline, readBaseline, toExponentialHistogram } from './baseline.ts';
export { judgeRun, ledgerFor, type JudgedRun } from './judge-run.ts';
export { loadRules, loadFails, judgeOptionsOf } from './load-rules.ts';
export { judgeWholeRun, readStoredRun, smokeRules, type JudgedStoredRun } from './stored-run.ts';
