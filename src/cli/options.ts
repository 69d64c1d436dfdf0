/**
 * Typed option builders. An option is a small record — how it is spelled, what it parses to, how
 * it is described — and a command is a table of them. The same table yields the `node:util
 * parseArgs` config, the typed options object (inferred from the table, see `OptionsOf`) and the
 * help text, so the three cannot drift apart.
 */
import { PROM_DURATION_RE } from '../config/index.ts';
import { GauntletError } from '../util/errors.ts';

export type OptionKind = 'string' | 'boolean' | 'int' | 'number' | 'duration' | 'byte-size' | 'list' | 'enum' | 'group';

/** A grouping option's value: each occurrence with the positionals that follow it (`--runtime rust a.json b.json`). */
export interface PositionalGroup {
  value: string;
  positionals: string[];
}

/** `Has` is true when the option always has a value after parsing (a default, or required). */
export interface Option<T, Has extends boolean = boolean> {
  readonly kind: OptionKind;
  readonly short?: string;
  /** The value's name in help, e.g. FILE, N, URL; none for booleans. */
  readonly placeholder?: string;
  readonly description: string;
  /** Applied when the option is absent; shown in help. */
  readonly default?: T;
  /** Help text for a default that is not a constant, e.g. "config watch.interval". */
  readonly defaultText?: string;
  /** Absent → `<command> needs --name PLACEHOLDER`. */
  readonly required?: boolean;
  /** Extra words for the "needs" error of a required option. */
  readonly hint?: string;
  /** Allowed values, listed in help (enums, lists of enums). */
  readonly choices?: readonly string[];
  /** Raw command-line text → value; throws a usage error naming the flag. */
  parse(raw: string, flag: string): T;
  /** Type-level only: whether the parsed value is always present. */
  readonly __has?: Has;
}

type AnyOption = Option<unknown, boolean>;
export type OptionTable = Record<string, AnyOption>;

type ValueOf<O> = O extends Option<infer T, infer Has> ? (Has extends true ? T : T | undefined) : never;

/** The typed options object of a table: `{ repeat: number | undefined; quiet: boolean; … }`. */
export type OptionsOf<T extends OptionTable> = { -readonly [K in keyof T]: ValueOf<T[K]> };

export function usageError(message: string, hint?: string): GauntletError {
  return new GauntletError('GAUNTLET_USAGE', message, hint ? { hint } : {});
}

interface Common {
  short?: string;
  placeholder?: string;
  description: string;
  defaultText?: string;
  hint?: string;
}
type Spec<T> = Common & { default?: T; required?: boolean };
type HasOf<S> = S extends { default: unknown } ? true : S extends { required: true } ? true : false;

function make<T, S extends Spec<T>>(kind: OptionKind, placeholder: string, spec: S, parse: (raw: string, flag: string) => T, extra: Partial<AnyOption> = {}): Option<T, HasOf<S>> {
  return { kind, placeholder, ...spec, ...extra, parse } as Option<T, HasOf<S>>;
}

const INT_RE = /^[+-]?\d+$/;
const splitList = (raw: string) => raw.split(',').map((x) => x.trim()).filter(Boolean);
const NUMBER_WORDS: Record<number, string> = { 1: 'one', 2: 'two', 3: 'three' };
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

export const opt = {
  string<S extends Spec<string>>(spec: S) {
    return make('string', spec.placeholder ?? 'VALUE', spec, (raw) => raw);
  },

  /** A flag: false when absent. */
  boolean(spec: Common): Option<boolean, true> {
    return { kind: 'boolean', ...spec, default: false, parse: () => true } as Option<boolean, true>;
  },

  /** A whole number in [min, max]. */
  int<S extends Spec<number> & { min?: number; max?: number }>(spec: S) {
    const min = spec.min ?? 1;
    const { max } = spec;
    const range = max === undefined ? `from ${min}` : `from ${min} to ${max}`;
    return make('int', spec.placeholder ?? 'N', spec, (raw, flag) => {
      const n = Number(raw);
      if (!INT_RE.test(raw.trim()) || n < min || (max !== undefined && n > max)) throw usageError(`${flag} must be a whole number ${range}, got "${raw}"`);
      return n;
    });
  },

  /** A number greater than 0 (fractions allowed), at most `max`. */
  number<S extends Spec<number> & { max?: number }>(spec: S) {
    const { max } = spec;
    return make('number', spec.placeholder ?? 'X', spec, (raw, flag) => {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (max !== undefined && n > max)) {
        throw usageError(`${flag} must be a number greater than 0${max !== undefined ? ` and at most ${max}` : ''}, got "${raw}"`);
      }
      return n;
    });
  },

  /** A Prometheus-style duration, checked here and kept as text (PromQL and the config speak it). */
  duration<S extends Spec<string>>(spec: S) {
    return make('duration', spec.placeholder ?? 'DURATION', spec, (raw, flag) => {
      // Prometheus duration syntax (`500ms`, `15s`, `1h30m`), as every duration in the config.
      if (!PROM_DURATION_RE.test(raw)) throw usageError(`${flag} must be a duration such as 500ms, 15s, 5m or 1h30m, got "${raw}"`);
      if (!/[1-9]/.test(raw)) throw usageError(`${flag} must be longer than 0, got "${raw}"`);
      return raw;
    });
  },

  /** `1048576`, `512k`, `10MiB` → bytes (binary units). */
  byteSize<S extends Spec<number>>(spec: S) {
    return make('byte-size', spec.placeholder ?? 'SIZE', spec, (raw, flag) => {
      const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
      const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
      if (!m || unit === undefined || Number(m[1]) * unit < 1) throw usageError(`${flag} must be a size such as 1048576, 512k or 10MiB, got "${raw}"`);
      return Math.floor(Number(m[1]) * unit);
    });
  },

  /** Comma-separated names; `length` fixes their count. */
  list<S extends Spec<string[]> & { length?: number }>(spec: S) {
    return make<string[], S>('list', spec.placeholder ?? 'A,B', spec, (raw, flag) => {
      const items = splitList(raw);
      if (spec.length !== undefined && items.length !== spec.length) {
        throw usageError(`${flag} takes ${NUMBER_WORDS[spec.length] ?? spec.length} names, ${'ABCDEFGH'.slice(0, spec.length).split('').join(',')} (got "${raw}")`);
      }
      return items;
    });
  },

  /** Comma-separated words of a fixed set (`item` names one in errors: `unknown phase "x" in --phase`). */
  listOf<const V extends string, S extends Spec<V[]> & { item?: string }>(values: readonly V[], spec: S) {
    const noun = spec.item ?? 'value';
    return make<V[], S>(
      'list',
      spec.placeholder ?? 'A,B',
      spec,
      (raw, flag) => {
        const items = splitList(raw);
        for (const item of items) if (!(values as readonly string[]).includes(item)) throw usageError(`unknown ${noun} "${item}" in ${flag}`, `${noun}s: ${values.join(', ')}`);
        return items as V[];
      },
      { choices: values },
    );
  },

  /** RFC 3339 (2026-11-27T15:00:00Z) or Unix seconds → Unix seconds. */
  time<S extends Spec<number>>(spec: S) {
    return make('string', spec.placeholder ?? 'TIME', spec, (raw, flag) => {
      const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw) / 1000;
      if (!Number.isFinite(seconds)) throw usageError(`${flag} must be RFC 3339 (2026-11-27T15:00:00Z) or Unix seconds, got "${raw}"`);
      return seconds;
    });
  },

  /**
   * Repeatable, and applies to the positionals after it until the next occurrence:
   * `--runtime rust a.json b.json --runtime go c.json`. Absent: undefined.
   */
  group<S extends Spec<PositionalGroup[]>>(spec: S) {
    return make<PositionalGroup[], S>('group', spec.placeholder ?? 'NAME', spec, (raw, flag) => {
      if (raw.trim() === '' || raw.startsWith('-')) throw usageError(`${flag} needs a name, got "${raw}"`);
      return [{ value: raw, positionals: [] }];
    });
  },

  /** One of a fixed set of words. */
  enum<const V extends string, S extends Spec<V>>(values: readonly V[], spec: S) {
    return make<V, S>(
      'enum',
      spec.placeholder ?? values.join('|'),
      spec,
      (raw, flag) => {
        if (!(values as readonly string[]).includes(raw)) throw usageError(`${flag} must be ${values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`}, got "${raw}"`);
        return raw as V;
      },
      { choices: values },
    );
  },
};

/** The part of a table `node:util parseArgs` needs: every value arrives as text, flags as booleans. */
export function parseArgsConfig(table: OptionTable): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const out: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(table)) out[name] = { type: o.kind === 'boolean' ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}), ...(o.kind === 'group' ? { multiple: true } : {}) };
  return out;
}

/** parseArgs tokens, as far as grouping options need them. */
export type ArgToken = { kind: 'option'; name: string; value?: string | undefined } | { kind: 'positional'; value: string } | { kind: 'option-terminator' };

/** Each occurrence of grouping option `name` with the positionals that follow it; positionals before the first stay ungrouped. */
export function groupsOf(table: OptionTable, name: string, tokens: readonly ArgToken[]): PositionalGroup[] {
  const o = table[name]!;
  const groups: PositionalGroup[] = [];
  for (const t of tokens) {
    if (t.kind === 'option' && t.name === name) groups.push(...(o.parse(t.value ?? '', `--${name}`) as PositionalGroup[]));
    else if (t.kind === 'positional' && groups.length > 0) groups.at(-1)!.positionals.push(t.value);
  }
  return groups;
}

/** Raw parseArgs values → typed values, defaults applied. */
export function typedValues<T extends OptionTable>(table: T, raw: Record<string, string | boolean | Array<string | boolean> | undefined>, tokens: readonly ArgToken[] = []): OptionsOf<T> {
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(table)) {
    const v = raw[name];
    if (v === undefined) out[name] = o.default;
    else if (o.kind === 'group') out[name] = groupsOf(table, name, tokens);
    else if (o.kind === 'boolean') out[name] = v === true;
    else out[name] = o.parse(String(v), `--${name}`);
  }
  return out as OptionsOf<T>;
}
