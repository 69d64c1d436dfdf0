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
  | 'GAUNTLET_STORE_INVALID'
  | 'GAUNTLET_STORE_LOCKED'
  | 'GAUNTLET_DISK_FULL'
  | 'GAUNTLET_OTLP_INVALID'
  | 'GAUNTLET_DAEMON_START'
  | 'GAUNTLET_STACK_INVALID'
  | 'GAUNTLET_STACK_NOT_UP'
  | 'GAUNTLET_STACK_LOCKED'
  | 'GAUNTLET_NOTHING_TO_RUN'
  | 'GAUNTLET_INTERRUPTED'
  | 'GAUNTLET_INTERNAL';

export interface ErrorFacts {
  file?: string;
  line?: number;
  /** 1-based column on `line`, for syntax errors. */
  column?: number;
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
      this.facts.file ? `${this.facts.file}${this.facts.line ? `:${this.facts.line}${this.facts.column ? `:${this.facts.column}` : ''}` : ''}` : undefined,
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
  // A bad persistent stack file, or a config pointing at a stack that is not running (`gauntlet stack up`).
  'GAUNTLET_STACK_INVALID',
  'GAUNTLET_STACK_NOT_UP',
  // Another `stack up`/`stack down` on the same state directory did not finish in time.
  'GAUNTLET_STACK_LOCKED',
  // The store file is not ours to use (not DuckDB, newer schema, held by another process) or the
  // disk is full: the user's environment needs fixing, not gauntlet.
  'GAUNTLET_STORE_INVALID',
  'GAUNTLET_STORE_LOCKED',
  'GAUNTLET_DISK_FULL',
]);

/** True for an out-of-space failure, whether Node's (`code: 'ENOSPC'`) or DuckDB's message. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return true;
    if (typeof e.message === 'string' && /No space left on device|ENOSPC|Disk quota exceeded/i.test(e.message)) return true;
  }
  return false;
}

/** GAUNTLET_DISK_FULL for `path`, saying what could not be written. */
export function diskFullError(path: string, what: string, cause?: unknown): GauntletError {
  return new GauntletError(
    'GAUNTLET_DISK_FULL',
    `${what}: the disk holding ${path} is full`,
    { file: path, hint: 'free space on that filesystem (or point gauntlet at another one) and run again' },
    cause === undefined ? undefined : { cause },
  );
}
