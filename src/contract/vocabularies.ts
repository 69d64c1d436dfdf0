/**
 * The closed vocabularies of the telemetry contract: values of span attributes and metric labels
 * that dashboards, alerts and the analyser match on. Defined once; every stage imports them from here.
 */

/** Which driver produced an exchange (`gauntlet.driver`). */
export const DRIVERS = ['smoke', 'parity', 'replay', 'load', 'mirror', 'watch'] as const;
export type Driver = (typeof DRIVERS)[number];

/** Exchange outcome: the status class, or `error` when no response came back (see `error.type` on the span). */
export const OUTCOMES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Per judged pair, exclusive and worst-first: `incomplete` (a side is missing), `status_mismatch`
 * (different status code or transport outcome), `diverge` (same status, some body/header finding
 * survived the noise model), `match`.
 */
export const PAIR_RESULTS = ['match', 'diverge', 'status_mismatch', 'incomplete'] as const;
export type PairResult = (typeof PAIR_RESULTS)[number];

/** Ledger labels of findings, plus `resolved` for open ledger entries that did not reproduce. */
export const FINDING_LABELS = ['new', 'known', 'regressed', 'resolved'] as const;
export const GATE_VERDICTS = ['pass', 'marginal', 'fail'] as const;

/**
 * What became of the copy of a request the mirror answered from the primary: `mirrored` (sent on
 * and compared), `dropped` (queue full), `unsafe` (a method not mirrored on that route),
 * `too_large` (body over the copy cap), `primary_failed` (no complete primary answer to compare),
 * `sampled_out` (not chosen by `--sample`).
 */
export const MIRROR_OUTCOMES = ['mirrored', 'dropped', 'unsafe', 'too_large', 'primary_failed', 'sampled_out'] as const;
export type MirrorOutcome = (typeof MIRROR_OUTCOMES)[number];

/**
 * Why the noise model suppressed a difference: an ignore rule, a volatile format, repeat
 * calibration, an A/A secondary, or another documented rule (numeric tolerance, noise headers …).
 */
export const NOISE_REASONS = ['ignore', 'volatile', 'calibration', 'aa', 'other'] as const;
export type NoiseReason = (typeof NOISE_REASONS)[number];

/** The metric label of a noise entry's reason text (the report keeps the full reason). */
export function noiseReasonOf(reason: string): NoiseReason {
  if (reason.startsWith('ignore')) return 'ignore';
  if (reason.startsWith('volatile')) return 'volatile';
  if (reason.startsWith('calibration')) return 'calibration';
  if (reason.startsWith('A/A')) return 'aa';
  return 'other';
}

export function outcomeOf(status: number | undefined): Outcome {
  if (status === undefined || status < 100 || status > 599) return 'error';
  return `${Math.floor(status / 100)}xx` as Outcome;
}


/** How a run ended (`gauntlet.run.outcome` on its run.end record); a run with no end record never finished. */
export const RUN_OUTCOMES = ['complete', 'interrupted', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
