export { buildParityReport, REPORT_SCHEMA_VERSION, type ParityReport, type CaseResult, type AggregatedFinding, type ServiceSummary, type SideSummary } from './parity-report.ts';
export { comparePair, type PairFinding, type FindingKind } from './compare.ts';
export { reconstructExchanges, pairExchanges, type ObservedExchange, type ObservedPair } from './exchanges.ts';
export { waitForRunToSettle } from './settle.ts';
export { latencySeries, pickComparable, type LatencySeries } from './latency.ts';
export { loadReportFromStore, buildLoadReport, findRunSpan } from './load-report.ts';
export { runLifecycle, type RunLifecycle } from './run-lifecycle.ts';
