import type { SmokeResult } from '../analyze/trace-assert-smoke.ts';
import type { SkippedSuite } from '../config/index.ts';
import type { TerminalStyle } from './terminal.ts';

const plain: TerminalStyle = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };

/** `0.4ms`, `3ms`, `1.2s` — short enough to keep the lakehouse's `PASS d1 5s` line shape. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The totals line CI logs are grepped for. */
export function smokeTotals(result: SmokeResult): string {
  return `--- ${result.passed} PASS / ${result.failed} FAIL ---`;
}

export function renderSkipped(skipped: readonly SkippedSuite[], st: TerminalStyle = plain): string {
  return skipped.map((s) => `${st.yellow('SKIP')} ${s.name} (${s.file}) — ${s.reason}; ${s.checkIds.length} checks not run\n`).join('');
}

/**
 * One line per check × runtime, status word first (`PASS validatord/healthz rust 3ms`,
 * `FAIL … — reason; reason`), then the totals line.
 */
export function renderSmoke(result: SmokeResult, st: TerminalStyle = plain, opts: { failuresOnly?: boolean } = {}): string {
  const shown = opts.failuresOnly ? result.checks.filter((c) => c.outcome === 'fail') : result.checks;
  const lines = shown.map((c) => {
    const word = c.outcome === 'pass' ? st.green('PASS') : st.red('FAIL');
    const head = `${word} ${c.id}${c.runtime === '-' ? '' : ` ${c.runtime}`} ${formatDuration(c.latencyMs)}`;
    return c.reasons.length ? `${head} — ${c.reasons.join('; ')}` : head;
  });
  return `${lines.join('\n')}${lines.length ? '\n' : ''}${st.bold(smokeTotals(result))}\n`;
}
