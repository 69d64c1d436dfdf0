/** The files and terminal output of a judged run, shared by `run` and the stored-run use-cases. */
import { join, resolve } from 'node:path';
import type { LoadReport } from '../collect/load/index.ts';
import type { JudgedRun } from '../gate/index.ts';
import { renderHtml } from '../report/html.ts';
import { renderJUnit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { renderTailsWarning, unjudgedTails } from '../report/tails.ts';
import { pickStyle, renderGate, renderParity } from '../report/terminal.ts';
import { writeFileSet } from '../util/atomic-write.ts';
import type { Output } from './output.ts';

/** Report files asked for on the command line; each absent one falls back to `dir/<default name>` when a dir is given. */
export interface ReportFiles {
  json?: string | undefined;
  gateJson?: string | undefined;
  junit?: string | undefined;
  markdown?: string | undefined;
  html?: string | undefined;
}

/** The report files a judged run asks for, rendered only when written. */
export function plannedGateOutputs(judged: JudgedRun, files: ReportFiles, defaults: { dir?: string; load?: LoadReport } = {}): Array<{ path: string; data: () => string }> {
  const want = (file: string | undefined, name: string) => file ?? (defaults.dir ? join(defaults.dir, name) : undefined);
  const load = defaults.load;
  const outputs: Array<[string | undefined, () => string]> = [
    [want(files.json, 'report.json'), () => JSON.stringify(load ? { ...judged.report, load } : judged.report, null, 2) + '\n'],
    [want(files.gateJson, 'gate.json'), () => JSON.stringify(judged.gate, null, 2) + '\n'],
    [want(files.junit, 'junit.xml'), () => renderJUnit(judged.gate)],
    [want(files.markdown, 'summary.md'), () => renderMarkdown(judged.report, judged.gate, load)],
    [want(files.html, 'report.html'), () => renderHtml(load ? { ...judged, load } : judged)],
  ];
  return outputs.filter((o): o is [string, () => string] => o[0] !== undefined).map(([path, data]) => ({ path, data }));
}

/** Write whichever outputs were asked for, as one set (all or nothing); a load report goes into each of them. */
export async function writeGateOutputs(judged: JudgedRun, files: ReportFiles, defaults: { dir?: string; load?: LoadReport } = {}): Promise<string[]> {
  const planned = plannedGateOutputs(judged, files, defaults);
  await writeFileSet(planned, defaults.dir);
  return planned.map((p) => p.path);
}

/** The verdict on the terminal first; then the report files (a full disk costs the files, never the verdict). */
export async function printAndWrite(judged: JudgedRun, files: ReportFiles, quiet: boolean, out: Output, defaults: { dir?: string; load?: LoadReport } = {}): Promise<string[]> {
  // `-` as a file: that output on stdout, alone; the other files are still written.
  const planned = plannedGateOutputs(judged, files, defaults);
  const toStdout = planned.filter((p) => p.path === '-');
  if (toStdout.length) {
    await writeFileSet(planned.filter((p) => p.path !== '-'), defaults.dir);
    for (const p of toStdout) out.stdout.write(p.data());
    return [];
  }
  const st = pickStyle(out.stdout);
  if (!quiet) out.stdout.write(renderParity(judged.report, st) + '\n');
  // -q: the verdict line alone (the reasons are in the report files).
  const gate = renderGate(judged.gate, st);
  out.stdout.write(quiet ? (gate.split('\n').find((l) => /^(\u001b\[\d+m)*gate: /.test(l)) ?? gate) + '\n' : gate);
  if (!quiet) out.stdout.write(renderTailsWarning(unjudgedTails(judged.gate, defaults.load), st));
  const written = await writeGateOutputs(judged, files, defaults);
  if (written.length && !quiet) out.stdout.write(`reports: ${written.join(', ')}\n`);
  const html = written.find((f) => f.endsWith('.html'));
  if (html) out.stdout.write(`html report: ${resolve(html)}\n`);
  return written;
}

/** The gate fails on a failing verdict, and on any run that did not finish: an incomplete run never passes CI. */
export const gateOutcome = (judged: JudgedRun) => (judged.gate.verdict === 'fail' || judged.gate.incompleteParts.length > 0 ? 'failed' : 'ok') as 'failed' | 'ok';
