/**
 * The mirror's live verdicts, from the store. The copy path only sends and describes (spans); this
 * re-judges the mirror's run through the analyser every batch run goes through — `judgeRun`: the
 * same pairing, classifier, noise model (A/A counts included), ledger labels, gate rules and
 * assessment as `gauntlet gate --run` — and publishes the growth as Prometheus counters. The last
 * judgement at shutdown *is* `gate --run` on the same stored run.
 *
 * Cost: each judgement reads the whole run, so the interval stretches with the run (at most about
 * a tenth of the wall time goes to judging); see `nextDelayMs`.
 */
import { findingPath } from '../analyze/index.ts';
import type { SpanStore } from '../collect/index.ts';
import type { LoadedConfig, NoiseRules } from '../config/index.ts';
import { judgeRun, judgeWholeRun, type JudgedRun } from '../gate/index.ts';
import { pairResult, recordJudgement, type CounterSnapshot } from '../report/metrics-judgement.ts';
import { PAIR_RESULTS, type GauntletMetrics, type PairResult } from '../telemetry/metrics.ts';

export interface LiveJudgementOptions {
  store: Pick<SpanStore, 'spansForRun'>;
  runId: string;
  loaded: LoadedConfig;
  metrics: GauntletMetrics;
  /** Noise rules when the run has no run span that carries them (a library user's copy engine). */
  noise?: NoiseRules;
  /** First sighting of each divergence. Bodies in findings are already redacted (they come from spans). */
  log?: (line: string) => void;
}

export interface LiveJudgementStats {
  pairs: Record<PairResult, number>;
  /** Distinct divergences (service, route, class, path) in the latest judgement. */
  divergences: number;
}

const clip = (s: string | undefined) => (s === undefined ? '(absent)' : s.length > 160 ? `${s.slice(0, 160)}…` : s);

export class LiveRunJudgement {
  private published: CounterSnapshot | undefined;
  private readonly seen = new Set<string>();
  private latest: JudgedRun | undefined;
  private lastMs = 0;

  constructor(private readonly opts: LiveJudgementOptions) {}

  /**
   * Judge everything stored for the run so far; publish the growth; announce new divergences.
   * `final`: the run has ended — judged as a stored run (`judgeWholeRun`, as `gate --run` does),
   * lifecycle records included.
   */
  async judge(opts: { final?: boolean } = {}): Promise<JudgedRun> {
    const started = performance.now();
    const spans = await this.opts.store.spansForRun(this.opts.runId);
    const noise = this.opts.noise ? { noise: this.opts.noise } : {};
    const judged = opts.final ? await judgeWholeRun(this.opts.runId, spans, this.opts.loaded, noise) : await judgeRun(this.opts.runId, spans, this.opts.loaded, noise);
    this.published = recordJudgement(this.opts.metrics, judged.report, judged.gate, { ...(this.published ? { since: this.published } : {}), noise: true });
    for (const f of judged.gate.findings) {
      const key = `${f.service}\u0000${f.method}\u0000${f.route}\u0000${f.kind}\u0000${f.class}\u0000${f.path}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const sides = f.example.left !== undefined || f.example.right !== undefined ? ` · ${judged.report.services.find((s) => s.service === f.service)?.primary ?? 'primary'}: ${clip(f.example.left)} · ${judged.report.services.find((s) => s.service === f.service)?.candidate ?? 'candidate'}: ${clip(f.example.right)}` : '';
      this.opts.log?.(`mirror: ${f.label} divergence [${f.kind}/${f.class}] ${f.method} ${f.route} ${findingPath(f)}${sides}`);
    }
    this.latest = judged;
    this.lastMs = performance.now() - started;
    return judged;
  }

  stats(): LiveJudgementStats {
    const pairs = Object.fromEntries(PAIR_RESULTS.map((r) => [r, 0])) as Record<PairResult, number>;
    for (const c of this.latest?.report.cases ?? []) pairs[pairResult(c)]++;
    return { pairs, divergences: this.latest?.report.findings.length ?? 0 };
  }

  get last(): JudgedRun | undefined {
    return this.latest;
  }

  /** The configured interval, stretched so that judging takes at most ~10% of the wall time. */
  nextDelayMs(intervalMs: number): number {
    return Math.max(intervalMs, Math.round(this.lastMs * 9));
  }
}
