import { comparePair, type ObservedPair, type PairFinding } from '../analyze/index.ts';
import { generalisePath, NoiseModel, type Suppression } from '../analyze/noise.ts';
import type { NoiseRules } from '../config/index.ts';
import type { LedgerLabel, LedgerMatcher } from '../gate/index.ts';
import type { NoiseReason, PairResult } from '../telemetry/metrics.ts';

export interface LabelledPairFinding extends PairFinding {
  /** Ledger label of the finding (`new` without a ledger). */
  label: LedgerLabel;
  /** True the first time this (route, class, path) is seen in the mirror's lifetime. */
  first: boolean;
}

export interface LiveVerdict {
  result: PairResult;
  findings: LabelledPairFinding[];
  suppressed: Array<Suppression & { category: NoiseReason }>;
}

export function noiseCategory(reason: string): NoiseReason {
  if (reason.startsWith('ignore')) return 'ignore';
  if (reason.startsWith('volatile')) return 'volatile';
  if (reason.startsWith('calibration')) return 'calibration';
  return 'aa';
}

/** Distinct finding keys remembered for "first seen" log lines; beyond this nothing is announced. */
const MAX_SEEN = 10_000;

/**
 * The live verdict of one mirrored pair, with the same comparison and noise model a stored run is
 * judged with (`buildParityReport`): ignore rules, volatile formats, numeric tolerance, unordered
 * arrays, and Diffy's A/A rule when a secondary runs. The A/A counts are running totals, so early in
 * a mirror's life the secondary has seen little; `gauntlet analyze --run` judges the whole run at once.
 */
export class LiveJudge {
  private readonly noise: NoiseModel;
  private readonly routePairs = new Map<string, number>();
  private readonly rawPairs = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(rules: NoiseRules, private readonly ledger?: LedgerMatcher) {
    this.noise = new NoiseModel(rules);
  }

  judge(pair: ObservedPair): LiveVerdict {
    const { primary, candidate } = pair;
    if (!primary || !candidate) return { result: 'incomplete', findings: [], suppressed: [] };
    if (pair.secondaries.length) this.noise.learn([pair]);
    const raw = comparePair(primary, candidate, this.noise.diffOptions(pair));
    const { kept, suppressed } = this.noise.filterPair(pair, raw);
    const rk = `${pair.service}\u0000${pair.method}\u0000${pair.route}`;
    this.routePairs.set(rk, (this.routePairs.get(rk) ?? 0) + 1);
    for (const k of new Set(kept.map((f) => `${rk}\u0000${f.class}\u0000${generalisePath(f.path)}`))) this.rawPairs.set(k, (this.rawPairs.get(k) ?? 0) + 1);
    const findings: LabelledPairFinding[] = [];
    for (const f of kept) {
      const path = generalisePath(f.path);
      const reason =
        f.kind === 'transport' || f.kind === 'status'
          ? undefined
          : this.noise.aaVerdict(pair, f.class, path, this.rawPairs.get(`${rk}\u0000${f.class}\u0000${path}`) ?? 0, this.routePairs.get(rk) ?? 0);
      if (reason) {
        suppressed.push({ finding: f, reason });
        continue;
      }
      const key = `${rk}\u0000${f.kind}\u0000${f.class}\u0000${path}`;
      const first = !this.seen.has(key) && this.seen.size < MAX_SEEN;
      if (first) this.seen.add(key);
      const label = this.ledger?.label({ service: pair.service, method: pair.method, route: pair.route, class: f.class, path }).label ?? 'new';
      findings.push({ ...f, label, first });
    }
    const statusMatch = primary.status === candidate.status && primary.errorType === candidate.errorType;
    const result: PairResult = !statusMatch ? 'status_mismatch' : findings.length ? 'diverge' : 'match';
    return { result, findings, suppressed: suppressed.map((s) => ({ ...s, category: noiseCategory(s.reason) })) };
  }
}
