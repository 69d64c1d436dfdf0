/**
 * Tails that were not judged: a route whose verdict was decided (pass, faster, slower) from the
 * median shift while a quantile such as p95 or p99 had too few samples beyond it to bootstrap. A
 * pass there says nothing about the tail, so the terminal and the HTML report say so loudly, with
 * the sample count that would judge it.
 */
import type { LoadReport } from '../collect/load/index.ts';
import type { GateResult } from '../gate/index.ts';
import { MIN_TAIL_SAMPLES, type LatencyVerdict } from '../judge/index.ts';

export interface UnjudgedTail {
  /** e.g. "validatord POST /v1/validate" or "load search-32 POST /v1/…". */
  where: string;
  verdict: LatencyVerdict['verdict'];
  n: { a: number; b: number };
  /** The quantiles left out, each with the samples a side that would judge it. */
  quantiles: Array<{ p: number; needed: number }>;
}

/** Samples a side for the bootstrap of quantile p to have MIN_TAIL_SAMPLES beyond it. */
export function tailSamplesNeeded(p: number): number {
  return Math.ceil(MIN_TAIL_SAMPLES / Math.min(p, 1 - p) - 1e-9);
}

function gaps(where: string, v: LatencyVerdict): UnjudgedTail[] {
  // An inconclusive route already says it was not judged at all.
  if (v.verdict === 'inconclusive') return [];
  const quantiles = v.quantiles.filter((q) => q.skipped !== undefined && q.p > 0 && q.p < 1).map((q) => ({ p: q.p, needed: tailSamplesNeeded(q.p) }));
  return quantiles.length ? [{ where, verdict: v.verdict, n: v.n, quantiles }] : [];
}

export function unjudgedTails(gate: Pick<GateResult, 'latency'>, load?: LoadReport | null): UnjudgedTail[] {
  const out: UnjudgedTail[] = [];
  for (const l of gate.latency) if (!l.notComparable) out.push(...gaps(`${l.service} ${l.method} ${l.route}`, l.verdict));
  for (const s of load?.scenarios ?? []) for (const r of s.routes) if (r.verdict) out.push(...gaps(`load ${s.name} ${r.method} ${r.route}`, r.verdict));
  return out;
}

const pName = (p: number) => `p${Math.round(p * 1000) / 10}`;

/** One line per route, e.g. "validatord POST /v1/validate: p99 not judged (n=346/346; needs 1,000 a side)". */
export function describeTail(t: UnjudgedTail): string {
  const parts = t.quantiles.map((q) => `${pName(q.p)} needs ${q.needed.toLocaleString('en-US')} a side`);
  return `${t.where} (${t.verdict}): ${t.quantiles.map((q) => pName(q.p)).join(', ')} not judged — n=${t.n.a}/${t.n.b}; ${parts.join(', ')}`;
}

export const TAILS_HEADLINE = 'TAILS NOT JUDGED: too few samples for these tail quantiles, so these routes’ verdicts say nothing about them';

/** The terminal block: empty when every decided route had its tails judged. */
export function renderTailsWarning(tails: readonly UnjudgedTail[], st: { bold(s: string): string; yellow(s: string): string }): string {
  if (!tails.length) return '';
  return [st.yellow(st.bold(`⚠ ${TAILS_HEADLINE}`)), ...tails.map((t) => st.yellow(`  ⚠ ${describeTail(t)}`))].join('\n') + '\n';
}
