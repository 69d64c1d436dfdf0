/** `replay RECORDING…`: send recorded requests to every runtime, judge from the store like parity. */
import { buildParityReport, findingPath, waitForRunToSettle, type AggregatedFinding, type ParityReport } from '../analyze/index.ts';
import type { LoadedConfig } from '../config/index.ts';
import { describePacing, pacingFromOptions } from '../drive/pacing.ts';
import { runReplayPhase, type LiveCounts, type ReplayDriveResult, type ReplayPlan } from '../drive/replay.ts';
import { openReplay } from './replay-input.ts';
import { judgePairs, reportJson, type JudgedPairs } from './judge-pairs.ts';
import { progressReporter } from './progress.ts';
import { describeSkipped, readRecording, type RecordedExchange } from '../record/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { loadSources, type Outcome, type Output, type Sources } from './output.ts';
import { openSession, type Session } from './session.ts';
import { renderNoise } from '../report/terminal.ts';

/** Paced replays are throttled by their schedule; the in-flight cap is only a safety bound. */
const PACED_CONCURRENCY = 256;

export interface ReplayInput extends Sources {
  recordings: readonly string[];
  /** Absent: the service named in the recordings. */
  service?: string | undefined;
  speed?: number | undefined;
  rate?: number | undefined;
  fast: boolean;
  concurrency?: number | undefined;
  allowUnsafe: boolean;
  limit?: number | undefined;
  maxDurationSec?: number | undefined;
  skipInvalid: boolean;
  json?: string | undefined;
  failOnDivergence: boolean;
  quiet: boolean;
}

function renderFinding(f: AggregatedFinding, report: ParityReport): string[] {
  const svc = report.services.find((s) => s.service === f.service);
  const cases = f.cases.length > 6 ? `${f.cases.slice(0, 6).join(', ')}, … ${f.cases.length - 6} more` : f.cases.join(', ');
  const out = [`  [${f.kind}/${f.class}] ${f.service} ${f.method} ${f.route} ${findingPath(f)}  ×${f.count} (entries ${cases})`];
  if (f.example.left !== undefined || f.example.right !== undefined) {
    out.push(`    ${(svc?.primary ?? 'primary') + ':'} ${f.example.left ?? '(absent)'}`);
    out.push(`    ${(svc?.candidate ?? 'candidate') + ':'} ${f.example.right ?? '(absent)'}`);
  }
  if (f.example.detail) out.push(`    detail: ${f.example.detail}`);
  out.push(`    cause:  ${f.cause}`, `    fix:    ${f.hint}`);
  return out;
}

/** A replay has hundreds of entries, so the table is per route, not per case. */
export function renderReplay(report: ParityReport, plan: ReplayPlan, drive: ReplayDriveResult, header: string): string {
  const out = [header];
  const skipped = Object.entries(plan.skippedUnsafe);
  if (skipped.length) {
    const n = skipped.reduce((a, [, c]) => a + c, 0);
    out.push(`skipped ${n} unsafe-method entr${n === 1 ? 'y' : 'ies'}: ${skipped.map(([k, c]) => `${k} ×${c}`).join(', ')} — mark routes safe under replay.safeRoutes or pass --allow-unsafe`);
  }
  if (plan.overLimit) out.push(`not sent: ${plan.overLimit} entries beyond the count bound (--limit / replay.maxExchanges)`);
  if (drive.notSent) out.push(`not sent: ${drive.notSent} entries beyond the time bound (--max-duration / replay.maxDurationMs) or interrupted`);
  for (const svc of report.services) {
    out.push(`${svc.service}: ${svc.primary} (primary) vs ${svc.candidate} (candidate) · run ${report.runId}`);
    const routes = new Map<string, { pairs: number; status: number; identical: number }>();
    for (const c of report.cases.filter((x) => x.service === svc.service)) {
      const key = `${c.method} ${c.route}`;
      const r = routes.get(key) ?? { pairs: 0, status: 0, identical: 0 };
      r.pairs++;
      if (c.statusMatch) r.status++;
      if (c.bodyMatch) r.identical++;
      routes.set(key, r);
    }
    const rows = [...routes].sort((a, b) => a[0].localeCompare(b[0]));
    const width = Math.max(7, ...rows.map(([k]) => k.length));
    out.push(`  ${'request'.padEnd(width)}  pairs  status=  identical  diverge`);
    for (const [k, r] of rows) out.push(`  ${k.padEnd(width)}  ${String(r.pairs).padStart(5)}  ${String(r.status).padStart(7)}  ${String(r.identical).padStart(9)}  ${String(r.pairs - r.identical).padStart(7)}`);
  }
  if (report.findings.length) {
    out.push('', `Findings (${report.findings.length})`);
    for (const f of report.findings) out.push(...renderFinding(f, report), '');
  }
  const noise = renderNoise(report);
  if (noise.length) out.push('', ...noise.slice(0, -1));
  const t = report.telemetry;
  out.push(`telemetry: ${t.clientSpans} client spans, ${t.serverSpans} server spans, ${t.joined}/${t.clientSpans} exchanges joined to a server span`);
  for (const svc of report.services) out.push(`${svc.service}: ${svc.summary} · ${svc.identical}/${svc.cases} identical`);
  return out.join('\n') + '\n';
}

function progress(out: Output): (live: LiveCounts) => void {
  const p = progressReporter(out);
  return (l) => (l.done === l.total ? p.done() : p.update(`  replay: ${l.done}${l.total !== undefined ? `/${l.total}` : ''} pairs · ${l.match} match · ${l.diverge} differ`));
}

/**
 * "Spans emitted == spans stored", checked rather than assumed: the collector's counts (the
 * harness's spans and the runtimes' together) and the harness's own, with a warning when any span
 * did not make it into the store.
 */
function describeDelivery(session: Session, out: Output): string {
  const c = session.receiver.stats();
  const failed = session.telemetry.spansFailed();
  if (failed > 0 || c.spansFailed > 0 || c.spansStored !== c.spansAccepted) {
    out.stderr.write(`warning: telemetry incomplete — ${failed} harness spans undelivered, ${c.spansAccepted - c.spansStored} accepted spans not stored\n`);
  }
  return `collector: ${c.spansAccepted} spans accepted, ${c.spansStored} stored, ${c.spansFailed} failed · harness: ${session.telemetry.spansEnded()} spans ended, ${failed} undelivered\n`;
}

export async function runReplay(input: ReplayInput, out: Output): Promise<Outcome> {
  const loaded = await loadSources(input);
  const cfg = loaded.config;
  const pacing = pacingFromOptions({ speed: input.speed, rate: input.rate, fast: input.fast });
  const concurrency = input.concurrency ?? (pacing.mode === 'fast' ? cfg.probe.concurrency : PACED_CONCURRENCY);
  const limit = Math.min(input.limit ?? Infinity, cfg.replay.maxExchanges);
  const maxDurationMs = input.maxDurationSec !== undefined ? input.maxDurationSec * 1000 : cfg.replay.maxDurationMs;
  const opened = await openReplay(input.recordings, loaded, {
    service: input.service,
    skipInvalid: input.skipInvalid,
    limit,
    allowUnsafe: input.allowUnsafe,
    hint: `add it under stack.services${loaded.file ? ` in ${loaded.file}` : ' (pass --config)'} or pick one with --service`,
  });
  const { service, plan } = opened;

  const session = await openSession(loaded, { services: new Set([service]), lifecycle: { command: 'replay', phases: ['replay'] }, ...(input.store !== undefined ? { storePath: input.store } : {}) });
  let report: ParityReport;
  let judged: JudgedPairs;
  let drive: ReplayDriveResult;
  let delivery: string;
  try {
    const onProgress = progress(out);
    drive = await runReplayPhase(session, cfg, {
      service,
      plan,
      pacing,
      concurrency,
      maxDurationMs,
      recordings: [...input.recordings],
      signal: out.signal,
      onProgress,
    });
    await session.finish(out.signal.aborted ? 'interrupted' : 'complete');
    if (out.signal.aborted) throw new GauntletError('GAUNTLET_INTERRUPTED', 'interrupted');
    await session.telemetry.flush();
    await waitForRunToSettle(session.store, session.runId);
    // Judged from the store alone — the same call `gauntlet analyze --run` makes.
    judged = await judgePairs(session.runId, await session.store.spansForRun(session.runId), loaded);
    report = judged.report;
    delivery = describeDelivery(session, out);
  } finally {
    await opened.close();
    await session.close();
  }
  for (const w of opened.skippedWarnings()) out.stderr.write(`warning: ${w}\n`);
  if (input.json !== undefined) await writeFileAtomic(input.json, reportJson(judged));
  const header = `replay ${input.recordings.join(', ')}: ${plan.planned} entries · ${drive.pairs} replayed ${describePacing(pacing)} in ${(drive.elapsedMs / 1000).toFixed(2)} s${pacing.mode === 'fast' ? '' : ` (max lag ${drive.maxLagMs} ms)`}`;
  if (input.quiet) out.stdout.write(`${header}\n${report.services.map((s) => s.summary).join('\n')}\n`);
  else out.stdout.write(renderReplay(report, plan, drive, header));
  out.stdout.write(delivery);
  return input.failOnDivergence && report.findings.length > 0 ? 'failed' : 'ok';
}
