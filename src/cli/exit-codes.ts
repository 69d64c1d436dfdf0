/** The only mapping from outcomes and errors to process exit codes. */
import type { Outcome } from '../app/output.ts';
import { GauntletError, INPUT_ERROR_CODES, type ErrorCode } from '../util/errors.ts';

export const EXIT = { ok: 0, gateFailed: 1, badInput: 2, internal: 70, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const OUTCOME_EXIT: Record<Outcome, ExitCode> = { ok: EXIT.ok, failed: EXIT.gateFailed, interrupted: EXIT.interrupted };

export const exitCodeOfOutcome = (outcome: Outcome): ExitCode => OUTCOME_EXIT[outcome];

/** 2 for anything the user can fix (usage, config, input), 130 for an interrupt, 70 for the rest: a bug or the environment. */
export function exitCodeOfError(code: ErrorCode): ExitCode {
  if (code === 'GAUNTLET_INTERRUPTED') return EXIT.interrupted;
  return INPUT_ERROR_CODES.has(code) ? EXIT.badInput : EXIT.internal;
}

export function exitCodeOf(err: unknown, aborted: boolean): ExitCode {
  if (err instanceof GauntletError) return exitCodeOfError(err.code);
  return aborted ? EXIT.interrupted : EXIT.internal;
}
