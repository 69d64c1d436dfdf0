/**
 * The load phase in `gauntlet run`'s terminal summary: per scenario one line per runtime
 * (throughput, errors, percentiles from the intended start, thresholds), the latency verdict per
 * route (B against A), and the verdict line `gauntlet load` ends with. The full side-by-side table
 * is `gauntlet load --run ID`.
 */
import type { LoadReport, RuntimeSummary } from '../collect/load/index.ts';
import { loadVerdictLine } from './load-render.ts';
import type { TerminalStyle } from './terminal.ts';

const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
const rate = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}/s`);

function runtimeLine(r: RuntimeSummary, width: number, st: TerminalStyle): string {
  const failed = r.thresholds.filter((t) => !t.ok);
  const thresholds = r.thresholds.length === 0 ? '' : failed.length ? ` · ${st.red(`thresholds ✗ ${failed.map((t) => `${t.metric} ${t.threshold} (observed ${ms(t.observed)})`).join(', ')}`)}` : ` · thresholds ${r.thresholds.length}/${r.thresholds.length} ✓`;
  const errors = r.errorRate === null ? '-' : `${(r.errorRate * 100).toFixed(2)}%`;
  const target = r.targetRate !== null ? ` (target ${rate(r.targetRate)})` : '';
  const dropped = r.droppedIterations ? ` · ${r.droppedIterations} dropped` : '';
  return `    ${r.runtime.padEnd(width)} ${rate(r.achievedRate)}${target} · ${r.requests} requests · ${errors} errors${dropped} · p50 ${ms(r.latency.p50)} · p95 ${ms(r.latency.p95)} · p99 ${ms(r.latency.p99)} ms${thresholds}`;
}

export function renderLoadSummary(r: LoadReport, st: TerminalStyle, opts: { quiet?: boolean } = {}): string {
  const [a = '-', b = '-'] = r.runtimes;
  const verdict = loadVerdictLine(r);
  const failing = r.slower > 0 || r.thresholdsFailed > 0 || r.aborted !== null;
  const last = `  ${failing ? st.red(verdict) : verdict}`;
  if (opts.quiet) return `load ${r.service}: ${verdict}\n`;
  const out = [st.bold('Load') + ` ${r.service}: ${a} (A) vs ${b} (B), interleaved ABBA blocks`];
  const width = Math.max(...r.runtimes.map((x) => x.length));
  for (const s of r.scenarios) {
    out.push(`  ${s.name}${s.executor ? ` (${s.executor})` : ''}`);
    for (const rt of s.runtimes) out.push(runtimeLine(rt, width, st));
    for (const route of s.routes) {
      const v = route.verdict;
      if (!v) continue;
      const tag = v.verdict === 'slower' ? st.red(v.verdict) : v.verdict === 'inconclusive' ? st.yellow(v.verdict) : st.green(v.verdict);
      const shift = v.shift ? `${v.shift.relative >= 0 ? '+' : ''}${(v.shift.relative * 100).toFixed(1)}% [${v.shift.lower.toFixed(3)}, ${v.shift.upper.toFixed(3)}] ms` : v.reason;
      out.push(`    ${route.method} ${route.route}: ${tag} ${shift} (n=${v.n.a}/${v.n.b})`);
    }
  }
  if (r.aborted) out.push(st.red(`  aborted by abortOnFail threshold: ${r.aborted}`));
  if (r.incomplete) out.push(st.yellow(`  INCOMPLETE: interrupted after ${r.incomplete.blocks} of ${r.incomplete.planned} blocks — the numbers cover only what was sent`));
  for (const n of r.notes) out.push(st.dim(`  note: ${n}`));
  out.push(last, '');
  return out.join('\n') + '\n';
}
