import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForRunToSettle } from '../../src/analyze/index.ts';
import { openSession, type Session } from '../../src/app/session.ts';
import { readConfig, readParityCases, type LoadedConfig } from '../../src/config/index.ts';
import { runParityPhase } from '../../src/drive/index.ts';
import { judgeRun, type JudgedRun } from '../../src/gate/index.ts';
import { REPO_ROOT } from './cli.ts';

export const SIZES_CASES = join(REPO_ROOT, 'test/fixtures/trace/validatord-sizes.cases.yaml');

/** A config for validatord: rust primary, the given candidate runtime (a `reference:` YAML flow map). */
export async function writeTraceConfig(dir: string, name: string, candidate: string, opts: { primary?: string; cases?: string; extra?: string[] } = {}): Promise<string> {
  const file = join(dir, name);
  await writeFile(
    file,
    [
      'stack:',
      '  services:',
      '    validatord:',
      '      primary: a',
      '      candidate: b',
      '      runtimes:',
      `        a: ${opts.primary ?? '{ reference: { flavour: rust } }'}`,
      `        b: ${candidate}`,
      `parity: { cases: ["${opts.cases ?? SIZES_CASES}"], repeat: 1 }`,
      'probe: { concurrency: 2 }',
      `store: { path: ${name}.duckdb }`,
      'gate:',
      `  ledger: "${join(dir, 'no-ledger.yaml')}"`,
      ...(opts.extra ?? []),
    ].join('\n'),
  );
  return file;
}

export interface TraceStack {
  loaded: LoadedConfig;
  session: Session;
  /** One parity run of its own inside the session, judged from the store. */
  judge(repeat: number, opts?: { baseline?: string }): Promise<JudgedRun & { runId: string }>;
  close(): Promise<void>;
}

let runs = 0;

/** Starts the stack a config describes (once) and judges any number of small runs against it. */
export async function openTraceStack(configFile: string): Promise<TraceStack> {
  const loaded = await readConfig(configFile);
  const caseFiles = await readParityCases(loaded);
  const session = await openSession(loaded, { services: new Set(['validatord']) });
  return {
    loaded,
    session,
    async judge(repeat, opts = {}) {
      const runId = `${session.runId}-t${++runs}`;
      await runParityPhase(session, caseFiles, loaded, { repeat, runId });
      await session.telemetry.flush();
      await waitForRunToSettle(session.store, runId);
      const spans = await session.store.spansForRun(runId);
      const judged = await judgeRun(runId, spans, loaded, opts.baseline ? { baseline: opts.baseline } : {});
      return { ...judged, runId };
    },
    close: () => session.close(),
  };
}
