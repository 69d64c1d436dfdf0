/**
 * Real Prometheus, Pushgateway and promtool from Debian's packages, as child processes on
 * 127.0.0.1 with temporary data directories. A missing binary is a test failure that says what to
 * install — everywhere, not only in CI: a test that passes by not running tests nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from './servers.ts';

export const BINARIES = { prometheus: '/usr/bin/prometheus', promtool: '/usr/bin/promtool', pushgateway: '/usr/bin/prometheus-pushgateway' } as const;
const PACKAGES = 'apt-get install -y prometheus prometheus-pushgateway';

/** Throws, naming what to install, unless every named binary is present. */
export function requireBinaries(...names: Array<keyof typeof BINARIES>): void {
  const missing = names.filter((n) => !existsSync(BINARIES[n]));
  if (missing.length) throw new Error(`${missing.map((n) => BINARIES[n]).join(', ')} missing: install with \`${PACKAGES}\` (.ci/run does)`);
}

/**
 * Prometheus replays its WAL and builds its head block before /-/ready answers: on two busy cores
 * that has taken well over the 20 s that used to be allowed.
 */
const READY_TIMEOUT_MS = 90_000;

export interface ChildServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${log()}`);
}

async function startChild(binary: string, args: string[], url: string, cleanup: () => Promise<void>): Promise<ChildServer> {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  };
  try {
    await waitReady(url, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, process: child, stop };
}

export interface ScrapeJob {
  job: string;
  targets: string[];
  honorLabels?: boolean;
}

/** Prometheus with a 1 s scrape interval over the given static targets (host:port); `extraArgs` e.g. `--enable-feature=exemplar-storage`. */
export async function startPrometheus(jobs: ScrapeJob[], extraArgs: string[] = []): Promise<ChildServer> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-prom-'));
  const port = await unusedPort();
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }',
    'scrape_configs:',
    ...jobs.map((j) => `  - { job_name: ${JSON.stringify(j.job)}, honor_labels: ${j.honorLabels ? 'true' : 'false'}, static_configs: [{ targets: ${JSON.stringify(j.targets)} }] }`),
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config + '\n');
  const url = `http://127.0.0.1:${port}`;
  const prom = await startChild(
    BINARIES.prometheus,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...extraArgs],
    url,
    () => rm(dir, { recursive: true, force: true }),
  );
  // Ready is not scraping: target discovery hands the scrape loops their targets only after its
  // 5 s update throttle. Until every target has been scraped once, whatever a test sends is folded
  // into a series' first sample — which increase()/rate() never count (a watch cycle went missing
  // that way from a 4-cycle window: Prometheus saw 0.80 of the store's requests).
  const targets = jobs.reduce((n, j) => n + j.targets.length, 0);
  try {
    await eventually(async () => {
      const up = await promQuery(url, 'count(up)');
      const seen = Number(up[0]?.value[1] ?? 0);
      if (seen < targets) throw new Error(`Prometheus has scraped ${seen} of its ${targets} targets after start`);
    }, 30_000);
  } catch (err) {
    await prom.stop();
    throw err;
  }
  return prom;
}

export async function startPushgateway(): Promise<ChildServer> {
  const port = await unusedPort();
  const url = `http://127.0.0.1:${port}`;
  return startChild(BINARIES.pushgateway, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], url, async () => {});
}

/** Instant query through the HTTP API; throws on an API error (a bad expression is a test bug). */
export async function promQuery(url: string, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: expr }) });
  const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query failed: ${body.error}\n  ${expr}`);
  return body.data.result;
}

/** Poll until `check` passes (it throws until then), every 250 ms, up to `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** `promtool check metrics` on an exposition: '' when clean, else its complaints. */
export function promtoolCheckMetrics(text: string): { ok: boolean; output: string } {
  const r = spawnSync(BINARIES.promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

// ---------- Grafana dashboards as data: every PromQL expression they hold ----------


export interface DashboardFile {
  file: string;
  json: {
    uid: string;
    title: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: Array<{ name: string; type: string; query?: unknown; allValue?: string; current?: { value?: string | string[] }; datasource?: unknown }> };
  };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ refId: string; expr?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: Panel[];
}

export async function loadDashboards(dir: string): Promise<DashboardFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (file) => ({ file, json: JSON.parse(await readFile(join(dir, file), 'utf8')) })));
}

/** Panels including those nested in collapsed rows. */
export function allPanels(d: DashboardFile): Panel[] {
  return d.json.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** The template variables' default values (what a first visit would query with). */
export function variableDefaults(d: DashboardFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of d.json.templating.list) {
    const value = v.current?.value;
    if (value === undefined) continue;
    // Multi-select: "All" is interpolated as the variable's allValue (`.*` in our dashboards).
    const values = Array.isArray(value) ? value : [value];
    out[v.name] = values.includes('$__all') ? (v.allValue ?? values.join('|')) : values.join('|');
  }
  return out;
}

/**
 * Grafana's interpolation, for the forms the dashboards use: `$name`, `${name}`, `[[name]]` (`$1` and the like are no variable names: left as they are, as Grafana does) and the
 * built-ins `$__rate_interval` / `$__interval` / `$__range`.
 */
export function substitute(expr: string, vars: Record<string, string>): string {
  const all: Record<string, string> = { __rate_interval: '15s', __interval: '5s', __range: '5m', ...vars };
  return expr.replace(/\$\{(\w+)\}|\[\[(\w+)\]\]|\$([A-Za-z_]\w*)/g, (m, a: string | undefined, b: string | undefined, c: string | undefined) => {
    const name = (a ?? b ?? c)!;
    if (!(name in all)) throw new Error(`unknown dashboard variable ${m} in ${expr}`);
    return all[name]!;
  });
}

/** The value of the first sample of `name` carrying all `labels` (in any order), or undefined. */
export function findSample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries([...match[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => got[key] === value)) return Number(match[3]);
  }
  return undefined;
}
