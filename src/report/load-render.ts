/**
 * The load report side by side on a terminal: one column per runtime, then thresholds and the
 * per-route latency verdict (how the second runtime compares with the first).
 */
import type { LatencyStats, LoadReport, RuntimeSummary, ScenarioSummary } from '../collect/load/report-types.ts';

const num = (v: number | null, digits = 2) => (v === null || !Number.isFinite(v) ? '-' : v >= 1000 ? v.toFixed(0) : v.toFixed(digits));
const rate = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}/s`);

export function renderLoadReport(r: LoadReport): string {
  const [a = '-', b = '-'] = r.runtimes;
  const out = [`${r.service} load: ${a} (A) vs ${b} (B) · run ${r.runId} · source ${r.source}`];
  for (const s of r.scenarios) out.push('', ...renderScenario(s));
  if (r.aborted) out.push('', `aborted by abortOnFail threshold: ${r.aborted}`);
  if (r.incomplete) out.push('', `INCOMPLETE: interrupted after ${r.incomplete.blocks} of ${r.incomplete.planned} blocks — the numbers cover only what was sent`);
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push('', loadVerdictLine(r));
  return out.join('\n') + '\n';
}

/** `verdict: 1 route slower on go · thresholds: all passed` */
export function loadVerdictLine(r: LoadReport): string {
  const b = r.runtimes[1] ?? '-';
  const judged = r.scenarios.flatMap((s) => s.routes.filter((x) => x.verdict));
  return `verdict: ${r.slower ? `${r.slower} route${r.slower === 1 ? '' : 's'} slower on ${b}` : judged.length ? `no route slower on ${b}` : 'no latency verdict'} · thresholds: ${r.thresholdsFailed ? `${r.thresholdsFailed} failed` : 'all passed'}`;
}

function renderScenario(s: ScenarioSummary): string[] {
  const cols = s.runtimes;
  const width = Math.max(14, ...cols.map((c) => c.runtime.length + 2));
  const row = (label: string, f: (c: RuntimeSummary) => string) => `  ${label.padEnd(18)}${cols.map((c) => f(c).padStart(width)).join('')}`;
  const lat = (label: string, k: keyof LatencyStats) => row(label, (c) => num(c.latency[k] as number | null));
  const out = [`scenario ${s.name}${s.executor ? ` (${s.executor})` : ''}`, row('', (c) => c.runtime)];
  if (cols.some((c) => c.targetRate !== null)) out.push(row('rate target', (c) => rate(c.targetRate)));
  out.push(
    row('rate achieved', (c) => rate(c.achievedRate)),
    row('requests', (c) => String(c.requests)),
    row('errors', (c) => `${c.errors}${c.errorRate !== null ? ` (${(c.errorRate * 100).toFixed(2)}%)` : ''}`),
    row('dropped iters', (c) => String(c.droppedIterations)),
    lat('p50 ms', 'p50'),
    lat('p90 ms', 'p90'),
    lat('p95 ms', 'p95'),
    lat('p99 ms', 'p99'),
    lat('max ms', 'max'),
  );
  if (cols.some((c) => c.latencySent)) out.push(row('p99 from send ms', (c) => num(c.latencySent?.p99 ?? null)));
  const thresholds = new Map<string, Map<string, { ok: boolean; observed: number | null }>>();
  for (const c of cols) for (const t of c.thresholds) (thresholds.get(`${t.metric} ${t.threshold}`) ?? thresholds.set(`${t.metric} ${t.threshold}`, new Map()).get(`${t.metric} ${t.threshold}`)!).set(c.runtime, t);
  if (thresholds.size) {
    out.push('  thresholds');
    const labelWidth = Math.max(...[...thresholds.keys()].map((k) => k.length)) + 2;
    for (const [name, byRuntime] of thresholds) {
      const cells = cols.map((c) => {
        const t = byRuntime.get(c.runtime);
        return (t ? `${t.ok ? '✓' : '✗'} ${num(t.observed)}` : '-').padStart(width);
      });
      out.push(`    ${name.padEnd(labelWidth)}${cells.join('')}`);
    }
  }
  if (s.routes.length) {
    out.push('  routes (p50 / p99 ms, A → B)');
    for (const route of s.routes) {
      const [ra, rb] = route.runtimes;
      const v = route.verdict;
      out.push(`    ${`${route.method} ${route.route}`.padEnd(44)} ${num(ra?.latency.p50 ?? null)} → ${num(rb?.latency.p50 ?? null)} / ${num(ra?.latency.p99 ?? null)} → ${num(rb?.latency.p99 ?? null)}  ${v ? v.verdict : '-'}`);
      if (v && v.verdict !== 'pass') out.push(`      ${v.reason}`);
    }
  }
  return out;
}

/** One line, rewritten in place on a TTY. */
export function progressLine(p: { scenario: string; runtime: string; phase: string; block: number; blocks: number; completed: number; dropped: number; errors: number; targetRate: number | null; elapsedMs: number }): string {
  const where = p.phase === 'measure' ? `block ${p.block}/${p.blocks}` : p.phase;
  const achieved = p.elapsedMs > 0 ? (p.completed / p.elapsedMs) * 1000 : 0;
  return `  load ${p.scenario} · ${p.runtime} · ${where} · ${p.completed} done · ${achieved.toFixed(0)}/s${p.targetRate !== null ? ` (target ${p.targetRate.toFixed(0)}/s)` : ''} · ${p.errors} errors · ${p.dropped} dropped`;
}
