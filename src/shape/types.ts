import { LosslessNumber } from 'lossless-json';

/**
 * A parsed JSON body. Numbers keep their source lexeme (`1` and `1.0` stay distinct) because a
 * representation difference between runtimes is a finding in itself, not noise to parse away.
 */
export type JsonValue = null | boolean | string | LosslessNumber | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export type JsonKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function kindOf(value: JsonValue): JsonKind {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      if (Array.isArray(value)) return 'array';
      return value instanceof LosslessNumber ? 'number' : 'object';
  }
}

export type DiffClass =
  | 'enum-encoding'
  | 'key-case'
  | 'null-vs-missing'
  | 'null-vs-empty'
  | 'type-change'
  | 'missing-field'
  | 'extra-field'
  | 'array-shape'
  | 'number-repr'
  | 'value-change'
  | 'array-order'
  | 'missing-element'
  | 'extra-element'
  | 'content-type'
  | 'text-change';

/** Declaration order doubles as the tie-break when two findings share a path. */
export const DIFF_CLASSES: readonly DiffClass[] = [
  'enum-encoding',
  'key-case',
  'null-vs-missing',
  'null-vs-empty',
  'type-change',
  'missing-field',
  'extra-field',
  'array-shape',
  'number-repr',
  'value-change',
  'array-order',
  'missing-element',
  'extra-element',
  'content-type',
  'text-change',
];

export type DiffKind = 'shape' | 'value' | 'body';

export const KIND_OF_CLASS: Readonly<Record<DiffClass, DiffKind>> = {
  'enum-encoding': 'shape',
  'key-case': 'shape',
  'null-vs-missing': 'shape',
  'null-vs-empty': 'shape',
  'type-change': 'shape',
  'missing-field': 'shape',
  'extra-field': 'shape',
  'array-shape': 'shape',
  'number-repr': 'value',
  'value-change': 'value',
  'array-order': 'value',
  // Only ever inside an array-shape finding's `sub`: which elements one side lacks.
  'missing-element': 'shape',
  'extra-element': 'shape',
  'content-type': 'body',
  'text-change': 'body',
};

export interface Difference {
  kind: DiffKind;
  class: DiffClass;
  /** RFC 6901 JSON Pointer; '' is the root. */
  path: string;
  /** Compact JSON of the left side at `path` (capped); absent when the left side has nothing there. */
  left?: string;
  right?: string;
  detail?: string;
  /** One-line likely cause, in Rust/Go terms. */
  cause: string;
  /** What to change to converge. */
  hint: string;
  /** For composite classifications (enum-encoding): the finer differences it explains. */
  sub?: Difference[];
}

export interface DiffOptions {
  /** JSON Pointer globs ('*' one segment, '**' any number) whose arrays compare as multisets. */
  unorderedPaths?: readonly string[];
  numericTolerance?: { abs?: number; rel?: number };
  /**
   * JSON Pointer globs of arrays whose order changed between two identical requests to one runtime
   * (repeat calibration): an array-order finding there says the order is unstable, not just different.
   */
  unstableOrderPaths?: readonly string[];
  /**
   * The declared runtimes, left then right (e.g. ['rust', 'go']). Causes and hints speak serde /
   * encoding/json only when these are Rust and Go; other pairs get neutral wording. Absent: Rust/Go.
   */
  runtimes?: readonly [string, string];
  /** Stop after this many findings (default 1000); the kept ones are the first in output order. */
  maxDifferences?: number;
}

export const DEFAULT_MAX_DIFFERENCES = 1000;

/** A usable cap from user input: NaN/absent → default, fractions floored, negatives → 0, Infinity kept. */
export function resolveMaxDifferences(opts: DiffOptions): number {
  const max = opts.maxDifferences;
  if (max === undefined || Number.isNaN(max)) return DEFAULT_MAX_DIFFERENCES;
  return Math.max(0, Math.floor(max));
}
