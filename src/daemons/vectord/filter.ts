import type { Payload } from './model.ts';

/**
 * A payload filter: every `must` condition holds and no `must_not` condition does.
 * `{"key": "category", "match": "books"}` — the payload value equals the scalar, or is an array
 * holding it (so `tags` can be matched one tag at a time).
 * `{"key": "price", "range": {"gte": 1, "lt": 20}}` — the number (or any number in an array) lies
 * within all given bounds. A missing key fails a condition.
 */
export interface Filter {
  must: Condition[];
  mustNot: Condition[];
}

export type Scalar = string | number | boolean;

export type Condition =
  | { key: string; kind: 'match'; value: Scalar }
  | { key: string; kind: 'range'; gt?: number | undefined; gte?: number | undefined; lt?: number | undefined; lte?: number | undefined };

const RANGE_BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses the `filter` of a search body; `where` prefixes messages (`filter.must[1].range`). */
export function parseFilter(raw: unknown, where = 'filter'): Parsed<Filter> {
  if (!isObject(raw)) return fail(`${where} must be an object`);
  const filter: Filter = { must: [], mustNot: [] };
  for (const [field, list] of [['must', filter.must], ['must_not', filter.mustNot]] as const) {
    const conditions = raw[field];
    if (conditions === undefined || conditions === null) continue;
    if (!Array.isArray(conditions)) return fail(`${where}.${field} must be an array`);
    for (const [index, condition] of conditions.entries()) {
      const parsed = parseCondition(condition, `${where}.${field}[${index}]`);
      if (!parsed.ok) return parsed;
      list.push(parsed.value);
    }
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'must' && key !== 'must_not') return fail(`${where}: unknown field \`${key}\`, expected \`must\` or \`must_not\``);
  }
  return { ok: true, value: filter };
}

function parseCondition(raw: unknown, where: string): Parsed<Condition> {
  if (!isObject(raw)) return fail(`${where} must be an object`);
  const key = raw.key;
  if (typeof key !== 'string' || key === '') return fail(`${where}.key must be a non-empty string`);
  const hasMatch = raw.match !== undefined;
  const hasRange = raw.range !== undefined;
  if (hasMatch === hasRange) return fail(`${where} needs exactly one of \`match\` or \`range\``);
  if (hasMatch) {
    const value = raw.match;
    if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
      return fail(`${where}.match must be a string, number or boolean`);
    }
    return { ok: true, value: { key, kind: 'match', value } };
  }
  if (!isObject(raw.range)) return fail(`${where}.range must be an object`);
  const range: Extract<Condition, { kind: 'range' }> = { key, kind: 'range' };
  let bounds = 0;
  for (const [name, bound] of Object.entries(raw.range)) {
    if (!(RANGE_BOUNDS as readonly string[]).includes(name)) return fail(`${where}.range: unknown bound \`${name}\``);
    if (typeof bound !== 'number') return fail(`${where}.range.${name} must be a number`);
    range[name as (typeof RANGE_BOUNDS)[number]] = bound;
    bounds++;
  }
  if (bounds === 0) return fail(`${where}.range needs at least one of gt, gte, lt, lte`);
  return { ok: true, value: range };
}

export function matchesFilter(filter: Filter, payload: Payload | undefined): boolean {
  for (const condition of filter.must) if (!matchesCondition(condition, payload)) return false;
  for (const condition of filter.mustNot) if (matchesCondition(condition, payload)) return false;
  return true;
}

function matchesCondition(condition: Condition, payload: Payload | undefined): boolean {
  if (!payload || !Object.hasOwn(payload, condition.key)) return false;
  const value = payload[condition.key];
  const values = Array.isArray(value) ? value : [value];
  if (condition.kind === 'match') return values.some((item) => item === condition.value);
  return values.some((item) => typeof item === 'number' && inRange(condition, item));
}

function inRange(range: Extract<Condition, { kind: 'range' }>, value: number): boolean {
  return (
    (range.gt === undefined || value > range.gt) &&
    (range.gte === undefined || value >= range.gte) &&
    (range.lt === undefined || value < range.lt) &&
    (range.lte === undefined || value <= range.lte)
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
