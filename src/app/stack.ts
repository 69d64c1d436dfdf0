/**
 * `gauntlet stack up | down | status | logs [NAME]`: a persistent stack of daemons kept up by a
 * detached supervisor (src/drive/persistent), described by a TOML/YAML/JSON stack file.
 */
import { readFile } from 'node:fs/promises';
import { readConfig, readStackFile, resolveFrom, type LoadedStackFile } from '../config/index.ts';
import { downStack, readStackStatus, stackLogFiles, upStack, type DaemonState, type StackControlOptions, type StackState } from '../drive/index.ts';
import { GauntletError } from '../util/errors.ts';
import type { Outcome, Output } from './output.ts';

export const STACK_ACTIONS = ['up', 'down', 'status', 'logs'] as const;
export type StackAction = (typeof STACK_ACTIONS)[number];

export interface StackInput {
  action: StackAction;
  /** The stack file; absent: stack.persistent of the config. */
  file?: string | undefined;
  config?: string | undefined;
  json?: boolean | undefined;
  /** logs: one daemon (or `supervisor`). */
  name?: string | undefined;
  lines?: number | undefined;
}

async function locateStackFile(input: StackInput): Promise<LoadedStackFile> {
  if (input.file !== undefined) return readStackFile(input.file);
  const loaded = await readConfig(input.config);
  const persistent = loaded.config.stack.persistent;
  if (!persistent) {
    throw new GauntletError('GAUNTLET_USAGE', 'which stack? give --file FILE', {
      ...(loaded.file ? { file: loaded.file } : {}),
      hint: 'or set stack.persistent in the config, e.g. stack: { persistent: harness/stack/lakehouse-persistent.toml }',
    });
  }
  return readStackFile(resolveFrom(loaded.baseDir, persistent));
}

/** The interrupt, and a line on stderr when another `stack up`/`down` has to finish first. */
function control(out: Output): StackControlOptions {
  return {
    signal: out.signal,
    onWait: (holder, file) =>
      out.stderr.write(`waiting for another \`gauntlet stack ${holder.what}\` (pid ${holder.pid}, since ${holder.since}) to finish: it holds ${file}\n`),
  };
}

export async function runStack(input: StackInput, out: Output): Promise<Outcome> {
  const loaded = await locateStackFile(input);
  switch (input.action) {
    case 'up':
      return stackUp(loaded, input, out);
    case 'down': {
      const r = await downStack(loaded.stateDir, control(out));
      if (input.json) out.stdout.write(JSON.stringify({ stack: loaded.name, ...r }) + '\n');
      else if (!r.wasRunning && r.killed.length === 0) out.stdout.write(`stack ${loaded.name}: not running\n`);
      else out.stdout.write(`stack ${loaded.name}: stopped ${r.stopped.join(', ') || 'nothing'}${r.killed.length ? ` (killed leftover pids ${r.killed.join(', ')})` : ''}\n`);
      return 'ok';
    }
    case 'status': {
      const s = await readStackStatus(loaded.stateDir);
      if (input.json) {
        out.stdout.write(JSON.stringify({ stack: loaded.name, file: loaded.file, running: s.running, ...(s.state ? { supervisor: s.state.supervisor, daemons: Object.values(s.state.daemons).map(statusRow) } : {}) }, null, 2) + '\n');
      } else if (!s.running || !s.state) {
        out.stdout.write(`stack ${loaded.name}: not running (start it with \`gauntlet stack up --file ${loaded.file}\`)\n`);
      } else {
        out.stdout.write(renderStatus(s.state));
      }
      return 'ok';
    }
    case 'logs':
      return stackLogs(loaded, input, out);
  }
}

async function stackUp(loaded: LoadedStackFile, input: StackInput, out: Output): Promise<Outcome> {
  const r = await upStack(loaded, control(out));
  if (input.json) {
    out.stdout.write(JSON.stringify({ stack: loaded.name, ...r.apply, unhealthy: r.unhealthy, supervisor: r.state.supervisor, daemons: Object.values(r.state.daemons).map(statusRow) }, null, 2) + '\n');
  } else {
    const { apply } = r;
    const part = (label: string, names: string[]) => (names.length ? [`${label} ${names.join(', ')}`] : []);
    const parts = [...part('started', apply.started), ...part('restarted (changed)', apply.changed), ...part('stopped (removed)', apply.removed), ...part('unchanged', apply.unchanged)];
    out.stdout.write(`stack ${loaded.name}: ${parts.join(' · ') || 'no daemons'}${r.supervisorStarted ? ` (supervisor pid ${r.state.supervisor.pid} started)` : ''}\n`);
    out.stdout.write(renderStatus(r.state));
    if (r.unhealthy.length) out.stderr.write(`not healthy: ${r.unhealthy.join(', ')} — the supervisor keeps trying; see \`gauntlet stack logs NAME\`\n`);
  }
  return r.unhealthy.length ? 'failed' : 'ok';
}

async function stackLogs(loaded: LoadedStackFile, input: StackInput, out: Output): Promise<Outcome> {
  const files = await stackLogFiles(loaded.stateDir);
  const lines = input.lines ?? 50;
  if (input.name !== undefined && !files.has(input.name)) {
    const known = Object.keys(loaded.stack.daemons);
    throw new GauntletError('GAUNTLET_USAGE', `no log for "${input.name}"`, {
      file: loaded.file,
      hint: known.includes(input.name) ? 'it has not been started yet: `gauntlet stack up`' : `one of: supervisor, ${known.join(', ')}`,
    });
  }
  const chosen = input.name !== undefined ? [[input.name, files.get(input.name)!] as const] : [...files];
  for (const [name, file] of chosen) {
    const tail = (await readFile(file, 'utf8')).split('\n');
    if (tail.at(-1) === '') tail.pop();
    const shown = tail.slice(-lines);
    if (input.name !== undefined) out.stdout.write(shown.map((l) => `${l}\n`).join(''));
    else out.stdout.write(`==> ${name} (${file}) <==\n${shown.map((l) => `${l}\n`).join('')}`);
  }
  return 'ok';
}

function uptime(d: DaemonState): string {
  if (d.pid === undefined || !d.startedAt) return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(d.startedAt)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function statusRow(d: DaemonState) {
  return {
    name: d.name,
    what: d.what,
    pid: d.pid ?? null,
    port: d.port,
    url: d.url,
    status: d.status,
    uptimeSeconds: d.pid !== undefined && d.startedAt ? Math.max(0, Math.round((Date.now() - Date.parse(d.startedAt)) / 1000)) : null,
    restarts: d.restarts,
    health: d.health,
    lastError: d.lastError ?? null,
  };
}

export function renderStatus(state: StackState): string {
  const head = ['NAME', 'WHAT', 'PID', 'PORT', 'UPTIME', 'RESTARTS', 'STATUS', 'HEALTH', 'LAST ERROR'];
  const rows = Object.values(state.daemons)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => [d.name, d.what, d.pid === undefined ? '-' : String(d.pid), String(d.port), uptime(d), String(d.restarts), d.status, d.health, d.lastError ?? '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n';
  return `supervisor pid ${state.supervisor.pid} · metrics ${state.supervisor.metricsUrl}/metrics\n` + line(head) + rows.map(line).join('');
}
