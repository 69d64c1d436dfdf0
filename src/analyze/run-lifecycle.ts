/**
 * What a run's lifecycle records say about it (see SPAN_RUN_START in the contract): whether it
 * finished, and what it planned. Runs with no records at all (telemetry no gauntlet run produced,
 * `watch` cycles, stores from before the records existed) are judged on what they hold.
 */
import type { StoredSpan } from '../collect/index.ts';
import * as A from '../contract/attributes.ts';
import { RUN_OUTCOMES, type RunOutcome } from '../contract/vocabularies.ts';

export interface RunLifecycle {
  /** The run.start record: the command and the phases it planned. */
  started: { command: string; phases: string[] } | null;
  /** The run.end record's outcome; null when the run never recorded its end. */
  outcome: RunOutcome | null;
  /** Why the run is incomplete, in words; empty when it finished (or has no records). */
  incomplete: string[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

export function runLifecycle(spans: readonly StoredSpan[], runId: string): RunLifecycle {
  const mine = (s: StoredSpan) => s.attributes[A.ATTR_GAUNTLET_RUN_ID] === runId;
  const start = spans.find((s) => s.name === A.SPAN_RUN_START && mine(s));
  const end = spans.find((s) => s.name === A.SPAN_RUN_END && mine(s));
  const started = start ? { command: String(start.attributes[A.ATTR_GAUNTLET_RUN_COMMAND] ?? 'run'), phases: strings(start.attributes[A.ATTR_GAUNTLET_RUN_PHASES]) } : null;
  const raw = end?.attributes[A.ATTR_GAUNTLET_RUN_OUTCOME];
  const outcome = end ? ((RUN_OUTCOMES as readonly unknown[]).includes(raw) ? (raw as RunOutcome) : 'failed') : null;
  const incomplete: string[] = [];
  if (started && !end) {
    const planned = started.phases.length ? ` (planned: ${started.phases.join(', ')})` : '';
    incomplete.push(`the ${started.command} never recorded its end — it was killed or crashed before finishing${planned}`);
  } else if (outcome === 'interrupted') {
    incomplete.push(`the ${started?.command ?? 'run'} was interrupted before it finished`);
  } else if (outcome === 'failed') {
    incomplete.push(`the ${started?.command ?? 'run'} failed before finishing`);
  }
  return { started, outcome, incomplete };
}
