/**
 * Errors with stable codes and the facts a user needs. Library code throws these; only the CLI
 * entry turns them into exit codes (see src/cli/exit-codes.ts).
 */
export type ErrorCode =
  | 'GAUNTLET_USAGE'
  | 'GAUNTLET_CONFIG_INVALID'
  | 'GAUNTLET_CONFIG_NOT_FOUND'
  | 'GAUNTLET_CASES_INVALID'
  | 'GAUNTLET_INPUT_INVALID'
  | 'GAUNTLET_RECORDING_LINE'
  | 'GAUNTLET_RECORDING_VERSION'
  | 'GAUNTLET_RUN_NOT_FOUND'
  | 'GAUNTLET_STORE'
  | 'GAUNTLET_OTLP_INVALID'
  | 'GAUNTLET_DAEMON_START'
  | 'GAUNTLET_NOTHING_TO_RUN'
  | 'GAUNTLET_INTERRUPTED'
  | 'GAUNTLET_INTERNAL';

export interface ErrorFacts {
  file?: string;
  line?: number;
  /** JSON path of the offending value, e.g. `stack.services.validatord.runtimes.rust.url`. */
  path?: string;
  runtime?: string;
  url?: string;
  hint?: string;
}

export class GauntletError extends Error {
  readonly code: ErrorCode;
  readonly facts: ErrorFacts;

  constructor(code: ErrorCode, message: string, facts: ErrorFacts = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GauntletError';
    this.code = code;
    this.facts = facts;
  }

  /** One human line: where, what, and what to do next. */
  describe(): string {
    const where = [
      this.facts.file ? `${this.facts.file}${this.facts.line ? `:${this.facts.line}` : ''}` : undefined,
      this.facts.path ? `at ${this.facts.path}` : undefined,
      this.facts.runtime ? `runtime ${this.facts.runtime}` : undefined,
      this.facts.url ? this.facts.url : undefined,
    ].filter(Boolean);
    const prefix = where.length ? `${where.join(' ')}: ` : '';
    const hint = this.facts.hint ? `\n  hint: ${this.facts.hint}` : '';
    return `${this.code}: ${prefix}${this.message}${hint}`;
  }
}

/** Errors that mean "the user gave us something wrong" → exit 2. */
export const INPUT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set([
  'GAUNTLET_USAGE',
  'GAUNTLET_CONFIG_INVALID',
  'GAUNTLET_CONFIG_NOT_FOUND',
  'GAUNTLET_CASES_INVALID',
  'GAUNTLET_INPUT_INVALID',
  'GAUNTLET_RECORDING_LINE',
  'GAUNTLET_RECORDING_VERSION',
  'GAUNTLET_RUN_NOT_FOUND',
  'GAUNTLET_OTLP_INVALID',
  'GAUNTLET_NOTHING_TO_RUN',
]);
