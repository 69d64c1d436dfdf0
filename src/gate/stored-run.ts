/**
 * One judgement of a whole run, from its stored telemetry: parity and replay pairs (judgeRun), the
 * smoke checks and trace assertions, and the load phase's histograms and thresholds — each kind
 * judged by its own rules and folded into one gate. `gauntlet run` and `gauntlet gate --run` both
 * come here, so re-judging a stored run gives the verdict the run itself gave.
 */
import { judgeSmoke, withoutSmokeTraces, type SmokeResult } from '../analyze/trace-assert-smoke.ts';
import type { StoredSpan } from '../collect/index.ts';
import { runNotFound, withEachStore } from '../collect/store-files.ts';
import type { GateRules, LoadedConfig, NoiseRules } from '../config/index.ts';
import { findRunSpan, loadReportFromStore, runLifecycle } from '../analyze/index.ts';
import type { LoadReport } from '../collect/load/index.ts';
import { ATTR_GAUNTLET_DRIVER } from '../contract/attributes.ts';
import { assess } from './assess.ts';
import { completenessRule, withExtraRules, type GateResult, type RuleResult } from './evaluate.ts';
import { judgeRun, type JudgedRun } from './judge-run.ts';
import { judgeOptionsOf, loadRules } from './load-rules.ts';

export interface JudgedStoredRun extends JudgedRun {
  /** The smoke chain's result, when the run had smoke checks. */
  smoke?: SmokeResult;
  /** The load phase's report, when the run had one. */
  load?: LoadReport;
}

export function smokeRules(result: SmokeResult): RuleResult[] {
  return result.checks.map((c) => ({
    rule: 'smoke',
    name: `smoke ${c.id} ${c.runtime}`,
    service: c.service,
    runtime: c.runtime,
    status: c.outcome,
    critical: true,
    message: c.outcome === 'pass' ? `${c.assertions} assertions passed` : c.reasons.join('; '),
  }));
}

/** Parts of the run that did not finish, folded into the gate: a partial run never says "ship". */
function withIncomplete(gate: GateResult, parts: readonly string[], reasons: readonly string[], rules: GateRules): GateResult {
  if (parts.length === 0) return gate;
  const incompleteParts = [...gate.incompleteParts, ...parts];
  const withRule = withExtraRules({ ...gate, incompleteParts }, gate.rules.some((r) => r.rule === 'completeness') ? [] : [completenessRule(incompleteParts)], rules);
  return { ...withRule, assessment: assess({ verdict: withRule.verdict, findings: withRule.findings, incomplete: incompleteParts }), reasons: [...reasons, ...withRule.reasons] };
}

/** An interrupted load phase. */
function markLoadIncomplete(gate: GateResult, load: LoadReport | undefined, rules: GateRules): GateResult {
  if (!load?.incomplete) return gate;
  const part = `the load phase was interrupted after ${load.incomplete.blocks} of ${load.incomplete.planned} blocks`;
  return withIncomplete(gate, [part], [`INCOMPLETE: ${part} — its verdict covers only what was sent`], rules);
}

export async function judgeWholeRun(
  runId: string,
  spans: readonly StoredSpan[],
  loaded: LoadedConfig,
  opts: { ledger?: string; baseline?: string; load?: LoadReport; noise?: NoiseRules } = {},
): Promise<JudgedStoredRun> {
  const smoke = spans.some((s) => s.attributes[ATTR_GAUNTLET_DRIVER] === 'smoke') ? judgeSmoke(runId, spans) : undefined;
  // Smoke and load have judgements of their own (trace assertions; histograms and thresholds):
  // judgeRun leaves out the load engine's sampled exchanges itself.
  const judged = await judgeRun(runId, smoke ? withoutSmokeTraces(spans) : spans, loaded, {
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...(opts.noise ? { noise: opts.noise } : {}),
  });
  const extra = [...(smoke ? smokeRules(smoke) : []), ...(opts.load ? loadRules(opts.load, loaded.config.gate) : [])];
  const lifecycle = runLifecycle(spans, runId);
  const gate = withIncomplete(
    markLoadIncomplete(extra.length ? withExtraRules(judged.gate, extra, loaded.config.gate) : judged.gate, opts.load, loaded.config.gate),
    lifecycle.incomplete,
    lifecycle.incomplete.map((p) => `INCOMPLETE: ${p} — this verdict covers only what was stored`),
    loaded.config.gate,
  );
  return { ...judged, gate, ...(smoke ? { smoke } : {}), ...(opts.load ? { load: opts.load } : {}) };
}

/**
 * A stored run's spans, and its load report when it had a load phase. The spans are the union over
 * the whole store family: one file when one process wrote the run, several when receivers sharded
 * by trace id each wrote their own (`store.<shard>.duckdb`, see docs/scale.md) — a trace lives
 * whole in one shard, so the union is the run. Copies of one span (exporter retries, or a shard
 * copied twice) are read once. The load report comes from the file that holds the run's own span.
 */
export async function readStoredRun(storePath: string, runId: string, loaded: LoadedConfig): Promise<{ spans: StoredSpan[]; load?: LoadReport }> {
  const byId = new Map<string, StoredSpan>();
  let load: LoadReport | undefined;
  const { locked } = await withEachStore(storePath, async (store) => {
    const spans = await store.spansForRun(runId);
    for (const s of spans) if (!byId.has(`${s.traceId}/${s.spanId}`)) byId.set(`${s.traceId}/${s.spanId}`, s);
    if (!load && spans.length && findRunSpan(spans, runId)) load = await loadReportFromStore(store, runId, judgeOptionsOf(loaded.config));
    return undefined; // read every file of the family
  });
  if (!byId.size) throw runNotFound(storePath, runId, locked);
  const spans = [...byId.values()].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  return { spans, ...(load ? { load } : {}) };
}
