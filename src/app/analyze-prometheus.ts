/** `analyze --source prometheus`: judge the runtimes' latency histograms and error rates from any Prometheus-compatible backend. */
import { analyzePrometheus, METRIC_PROFILES, withOverrides, type PrometheusAnalysis } from '../analyze/prometheus.ts';
import { createPromClient, parsePromDuration } from '../analyze/prometheus-query.ts';
import { pickStyle, type TerminalStyle } from '../report/terminal.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, type Outcome, type Output, type Sources } from './output.ts';

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

export interface PrometheusAnalysisInput extends Sources {
  url: string;
  /** A Prometheus duration, e.g. 5m. */
  window: string;
  /** Unix seconds; absent: now. */
  end?: number | undefined;
  /** Metric profile name: http, spanmetrics or gauntlet. */
  metric: string;
  /** spanmetrics only: the histogram unit (`s`, or the connector's default `ms`) and metric prefix of the deployment. */
  metricUnit?: 's' | 'ms' | undefined;
  metricPrefix?: string | undefined;
  /** The label that names the runtime, when the deployment's differs from the profile's. */
  runtimeLabel?: string | undefined;
  /** Absent: every service of the config. */
  service?: string | undefined;
  primary?: string | undefined;
  candidate?: string | undefined;
  /** A file, or `-` for stdout instead of the table. */
  json?: string | undefined;
  failOnDivergence: boolean;
  quiet: boolean;
}

export async function analyzeFromPrometheus(input: PrometheusAnalysisInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  parsePromDuration(input.window, '--window');
  const base = METRIC_PROFILES[input.metric];
  if (!base) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `metric profile must be one of ${Object.keys(METRIC_PROFILES).join(', ')}, got "${input.metric}"`, { path: '--metric' });
  const profile = withOverrides(base, { unit: input.metricUnit, prefix: input.metricPrefix, runtimeLabel: input.runtimeLabel });
  const names = input.service !== undefined ? [input.service] : Object.keys(loaded.config.stack.services);
  const services = names.map((service) => {
    const svc = loaded.config.stack.services[service];
    const primary = input.primary ?? svc?.primary;
    const candidate = input.candidate ?? svc?.candidate;
    if (!primary || !candidate) {
      throw new GauntletError('GAUNTLET_CONFIG_INVALID', `service "${service}" is not in the config, so its runtimes are unknown`, { hint: 'pass --primary NAME --candidate NAME (the runtime label values), or add the service to the config' });
    }
    return { service, primary, candidate };
  });
  const analysis = await analyzePrometheus({
    client: createPromClient(input.url),
    profile,
    services,
    window: input.window,
    end: input.end ?? Date.now() / 1000,
    rules: loaded.config.gate,
  });
  const json = JSON.stringify(analysis, null, 2) + '\n';
  if (input.json === '-') out.stdout.write(json);
  else {
    if (input.json !== undefined) await writeFileAtomic(input.json, json);
    if (!input.quiet) out.stdout.write(renderPrometheusAnalysis(analysis, pickStyle(out.stdout)));
  }
  const failing = analysis.services.some((s) => s.routes.some((r) => r.latency.verdict === 'slower' || r.errors.status === 'fail'));
  return input.failOnDivergence && failing ? 'failed' : 'ok';
}
