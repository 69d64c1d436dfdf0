/** The files and terminal output of a judged run, shared by `run` and the stored-run use-cases. */
import { join, resolve } from 'node:path';
import type { LoadReport } from '../collect/load/index.ts';
import type { JudgedRun } from '../gate/index.ts';
import { renderHtml } from '../report/html.ts';
import { renderJUnit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { pickStyle, renderGate, renderParity } from '../report/terminal.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Output } from './output.ts';

/** Report files asked for on the command line; each absent one falls back to `dir/<default name>` when a dir is given. */
export interface ReportFiles {
  json?: string | undefined;
  gateJson?: string | undefined;
  junit?: string | undefined;
  markdown?: string | undefined;
  html?: string | undefined;
}

/** Write whichever outputs were asked for, each atomically; a load report (from `gauntlet run`'s load phase) goes into each of them. */
export async function writeGateOutputs(judged: JudgedRun, files: ReportFiles, defaults: { dir?: string; load?: LoadReport } = {}): Promise<string[]> {
  const want = (file: string | undefined, name: string) => file ?? (defaults.dir ? join(defaults.dir, name) : undefined);
  const written: string[] = [];
  const load = defaults.load;
  const outputs: Array<[string | undefined, () => string]> = [
    [want(files.json, 'report.json'), () => JSON.stringify(load ? { ...judged.report, load } : judged.report, null, 2) + '\n'],
    [want(files.gateJson, 'gate.json'), () => JSON.stringify(judged.gate, null, 2) + '\n'],
    [want(files.junit, 'junit.xml'), () => renderJUnit(judged.gate)],
    [want(files.markdown, 'summary.md'), () => renderMarkdown(judged.report, judged.gate, load)],
    [want(files.html, 'report.html'), () => renderHtml(load ? { ...judged, load } : judged)],
  ];
  for (const [file, render] of outputs) {
    if (!file) continue;
    await writeFileAtomic(file, render());
    written.push(file);
  }
  return written;
}

export function printJudged(judged: JudgedRun, quiet: boolean, out: Output, written: string[]): void {
  const st = pickStyle(out.stdout);
  if (!quiet) out.stdout.write(renderParity(judged.report, st) + '\n');
  out.stdout.write(renderGate(judged.gate, st));
  if (written.length && !quiet) out.stdout.write(`reports: ${written.join(', ')}\n`);
  const html = written.find((f) => f.endsWith('.html'));
  if (html) out.stdout.write(`html report: ${resolve(html)}\n`);
}

/** The gate fails on a failing verdict, and on any run that did not finish: an incomplete run never passes CI. */
export const gateOutcome = (judged: JudgedRun) => (judged.gate.verdict === 'fail' || judged.gate.incompleteParts.length > 0 ? 'failed' : 'ok') as 'failed' | 'ok';
