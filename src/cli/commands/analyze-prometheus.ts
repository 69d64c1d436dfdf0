import { analyzePrometheus, METRIC_PROFILES, type PrometheusAnalysis } from '../../analyze/prometheus.ts';
import { createPromClient, parsePromDuration } from '../../analyze/prometheus-query.ts';
import { loadConfig } from '../../config/index.ts';
import { pickStyle, type TerminalStyle } from '../../report/terminal.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

const fmtMs = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : '-');
const fmtN = (v: number) => (Math.abs(v - Math.round(v)) < 0.05 ? String(Math.round(v)) : v.toFixed(1));
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export function renderPrometheusAnalysis(a: PrometheusAnalysis, st: TerminalStyle): string {
  const out: string[] = [];
  for (const s of a.services) {
    out.push(st.bold(`${s.service}: ${s.primary} (primary) vs ${s.candidate} (candidate)`) + st.dim(` · ${a.metric} over ${a.window} to ${a.end} · ${a.url}`));
    if (s.routes.length === 0) {
      out.push(st.dim('  no route has series from both runtimes in this window'));
      continue;
    }
    const rows = s.routes.map((r) => {
      const q = (p: number) => r.latency.quantiles.find((x) => x.p === p);
      const pair = (p: number) => `${fmtMs(q(p)?.a ?? NaN)} / ${fmtMs(q(p)?.b ?? NaN)}`;
      const v = r.latency.verdict;
      const verdict = v === 'slower' ? st.red(v) : v === 'pass' ? st.green(v) : st.yellow(v);
      const errors = `${pct(r.errors.primary.rate)} / ${pct(r.errors.candidate.rate)}`;
      return [`${r.method || '*'} ${r.route}`, `${fmtN(r.n.primary)} / ${fmtN(r.n.candidate)}`, pair(0.5), pair(0.95), pair(0.99), r.errors.status === 'fail' ? st.red(errors) : errors, verdict];
    });
    const header = ['route', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'latency'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.replace(/\u001b\[\d+m/g, '').length)));
    const line = (cells: string[]) => '  ' + cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - c.replace(/\u001b\[\d+m/g, '').length))).join('  ').trimEnd();
    out.push(line(header.map((h) => st.bold(h))), ...rows.map(line));
    for (const r of s.routes) out.push(st.dim(`  ${r.method || '*'} ${r.route}: ${r.latency.reason}`));
  }
  return out.join('\n') + '\n';
}

function parseEnd(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds)) throw new GauntletError('GAUNTLET_USAGE', `--end must be RFC 3339 (2026-11-27T15:00:00Z) or Unix seconds, got "${text}"`);
  return seconds;
}

/** `gauntlet analyze --source prometheus --url URL [--window 5m] [--service S] [--metric http|spanmetrics|gauntlet]` */
export async function analyzePrometheusCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const o = cli.options;
  const loaded = await loadConfig(o.config as string | undefined);
  const window = typeof o.window === 'string' ? o.window : '5m';
  parsePromDuration(window, '--window');
  const profileName = typeof o.metric === 'string' ? o.metric : 'http';
  const profile = METRIC_PROFILES[profileName];
  if (!profile) throw new GauntletError('GAUNTLET_USAGE', `--metric must be one of ${Object.keys(METRIC_PROFILES).join(', ')}, got "${profileName}"`);
  const names = typeof o.service === 'string' ? [o.service] : Object.keys(loaded.config.stack.services);
  const services = names.map((service) => {
    const svc = loaded.config.stack.services[service];
    const primary = (o.primary as string | undefined) ?? svc?.primary;
    const candidate = (o.candidate as string | undefined) ?? svc?.candidate;
    if (!primary || !candidate) {
      throw new GauntletError('GAUNTLET_USAGE', `service "${service}" is not in the config, so its runtimes are unknown`, { hint: 'pass --primary NAME --candidate NAME (the runtime label values), or add the service to the config' });
    }
    return { service, primary, candidate };
  });
  const analysis = await analyzePrometheus({
    client: createPromClient(o.url as string),
    profile,
    services,
    window,
    end: typeof o.end === 'string' ? parseEnd(o.end) : Date.now() / 1000,
    rules: loaded.config.gate,
  });
  const json = JSON.stringify(analysis, null, 2) + '\n';
  if (o.json === '-') ctx.stdout.write(json);
  else {
    if (typeof o.json === 'string') await writeFileAtomic(o.json, json);
    if (!o.quiet) ctx.stdout.write(renderPrometheusAnalysis(analysis, pickStyle(ctx.stdout)));
  }
  const failing = analysis.services.some((s) => s.routes.some((r) => r.latency.verdict === 'slower' || r.errors.status === 'fail'));
  return o['fail-on-divergence'] && failing ? 1 : 0;
}
