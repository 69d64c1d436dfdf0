import type { MirrorStats } from './types.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** One line: what the mirror did with the traffic so far. */
export function describeMirrorStats(s: MirrorStats): string {
  const o = s.outcomes;
  const p = s.pairs;
  const judged = [`${n(p.match)} match`, `${n(p.diverge)} diverge`, p.status_mismatch ? `${n(p.status_mismatch)} status mismatch` : '', p.incomplete ? `${n(p.incomplete)} incomplete` : '']
    .filter(Boolean)
    .join(', ');
  const extra = [
    `${n(o.dropped)} dropped`,
    o.unsafe ? `${n(o.unsafe)} not mirrored (unsafe method)` : '',
    o.too_large ? `${n(o.too_large)} too large` : '',
    o.primary_failed ? `${n(o.primary_failed)} primary failed` : '',
    o.sampled_out ? `${n(o.sampled_out)} sampled out` : '',
    s.jobErrors ? `${n(s.jobErrors)} internal errors` : '',
  ].filter(Boolean);
  return `${n(s.requests)} requests · ${n(o.mirrored)} mirrored (${judged}) · ${extra.join(' · ')} · queue ${n(s.queued)}, in flight ${n(s.inFlight)} · ${n(s.divergences)} distinct divergence${s.divergences === 1 ? '' : 's'}`;
}
