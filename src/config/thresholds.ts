import { GauntletError, type ErrorFacts } from '../util/errors.ts';

/**
 * k6 threshold expressions (`p(95)<200`, `avg<50`, `med<=20`, `max<1000`, `rate<0.01`,
 * `count>100`): `<aggregation> <operator> <number>`, whitespace optional. Parsed, never evaluated.
 */
export type Aggregation = { kind: 'p'; p: number } | { kind: 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' };
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=' | '===';

export interface Threshold {
  source: string;
  aggregation: Aggregation;
  op: Operator;
  value: number;
}

const EXPR = /^\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|min|max|med|rate|count)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

export function parseThreshold(source: string, facts: ErrorFacts = {}): Threshold {
  const m = EXPR.exec(source);
  if (!m) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `invalid threshold expression "${source}"`, {
      ...facts,
      hint: 'use k6 syntax: p(95)<200, avg<50, med<=20, min/max, rate<0.01, count>100',
    });
  }
  const agg = m[1]!.toLowerCase();
  let aggregation: Aggregation;
  if (agg.startsWith('p(')) {
    const p = Number(m[2]);
    if (!(p >= 0 && p <= 100)) throw new GauntletError('GAUNTLET_INPUT_INVALID', `percentile must be within 0..100 in "${source}"`, facts);
    aggregation = { kind: 'p', p };
  } else {
    aggregation = { kind: agg as 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' };
  }
  return { source: source.trim(), aggregation, op: m[3] as Operator, value: Number(m[4]) };
}

export interface ThresholdInputs {
  /** Latency samples in ms (successful requests). */
  values: readonly number[];
  /** Failed / total requests, for `rate` and `count`. */
  errors: number;
  total: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // k6 uses linear interpolation between closest ranks for its Trend percentiles.
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function aggregate(a: Aggregation, input: ThresholdInputs): number {
  const sorted = [...input.values].sort((x, y) => x - y);
  switch (a.kind) {
    case 'p':
      return percentile(sorted, a.p);
    case 'med':
      return percentile(sorted, 50);
    case 'avg':
      return sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : Number.NaN;
    case 'min':
      return sorted.length ? sorted[0]! : Number.NaN;
    case 'max':
      return sorted.length ? sorted[sorted.length - 1]! : Number.NaN;
    case 'rate':
      return input.total ? input.errors / input.total : 0;
    case 'count':
      return input.total;
  }
}

export function evaluateThreshold(t: Threshold, input: ThresholdInputs): { ok: boolean; observed: number } {
  const observed = aggregate(t.aggregation, input);
  if (Number.isNaN(observed)) return { ok: false, observed };
  const v = t.value;
  const ok =
    t.op === '<' ? observed < v : t.op === '<=' ? observed <= v : t.op === '>' ? observed > v : t.op === '>=' ? observed >= v : t.op === '!=' ? observed !== v : observed === v;
  return { ok, observed };
}
