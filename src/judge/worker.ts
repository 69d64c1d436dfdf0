/**
 * A judge worker thread: measures one route at a time (tests, shift interval, bootstrap quantile
 * ratios — the expensive part of judging) and answers with the Measurement. It decides nothing:
 * the p-value correction across routes and the verdicts happen on the calling thread, so a verdict
 * is the same whether its route was measured here or inline.
 */
import { parentPort } from 'node:worker_threads';
import { GauntletError } from '../util/errors.ts';
import { measureLatency } from './measure.ts';
import type { JudgeTask, JudgeAnswer } from './parallel-types.ts';

const port = parentPort;
if (!port) throw new Error('judge worker must run in a worker thread');

port.on('message', (task: JudgeTask) => {
  let answer: JudgeAnswer;
  try {
    answer = { id: task.id, measurement: measureLatency(task.a, task.b, task.options, task.seed) };
  } catch (err) {
    const e = err as Error;
    answer = {
      id: task.id,
      error: { message: e.message, ...(err instanceof GauntletError ? { code: err.code, facts: err.facts } : {}), ...(e.stack ? { stack: e.stack } : {}) },
    };
  }
  port.postMessage(answer);
});
// Ready: the pool waits for this before it sends work (the tsx fallback loads this module late).
port.postMessage({ ready: true });
