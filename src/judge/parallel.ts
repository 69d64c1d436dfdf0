/**
 * judgeRoutes across worker threads. Judging is CPU-bound and embarrassingly parallel per route —
 * sort both sides, Mann-Whitney, the Hodges-Lehmann interval by selection, bootstrap quantile
 * ratios — and a CI gate over 100 routes × 2 × 10,000 spans is ~1.5 s of it on one core. The
 * routes are measured in a pool of worker threads (one per core: the calling thread only waits),
 * longest first so the pool finishes together; the correction across routes and the verdicts run
 * here afterwards, from the same measurements judgeRoutes would make (every route's bootstrap
 * stream is seeded from its key, not from the order of work), so the verdicts are identical to
 * the inline ones. Small jobs are judged inline: a worker costs ~0.1 s to start once per process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GauntletError } from '../util/errors.ts';
import { workerCode } from '../util/worker-bundle.ts';
import { resolveOptions, type Measurement } from './measure.ts';
import type { JudgeAnswer, JudgeTask } from './parallel-types.ts';
import { hashSeed } from './rng.ts';
import type { LatencySample, RouteVerdict } from './types.ts';
import { decideRoutes, judgeRoutes, type JudgeRoutesOptions } from './verdict.ts';

export interface ParallelJudgeOptions {
  /** Worker threads; default defaultJudgeWorkers(). 1 judges inline. */
  workers?: number;
  /**
   * Below this much work the routes are judged inline. Work is raw samples on both sides, a
   * histogram side counting as HISTOGRAM_WORK (its cost is the bootstrap, not its sample count).
   */
  minWork?: number;
}

/** ~0.15 s of judging on one core: about what starting the pool costs the first time. */
export const DEFAULT_MIN_WORK = 200_000;
const HISTOGRAM_WORK = 10_000;

/** GAUNTLET_JUDGE_WORKERS if set (1 = inline), else one per core, at most 8. */
export function defaultJudgeWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.GAUNTLET_JUDGE_WORKERS);
  if (Number.isInteger(configured) && configured >= 1) return Math.min(64, configured);
  return Math.min(8, Math.max(1, availableParallelism()));
}

type Entry = { key: string; a: LatencySample; b: LatencySample };

export async function judgeRoutesParallel(entries: readonly Entry[], opts: JudgeRoutesOptions = {}, par: ParallelJudgeOptions = {}): Promise<RouteVerdict[]> {
  const o = resolveOptions(opts);
  const work = entries.map((e) => sideWork(e.a) + sideWork(e.b));
  const total = work.reduce((x, y) => x + y, 0);
  const workers = Math.min(par.workers ?? defaultJudgeWorkers(), entries.length);
  if (workers <= 1 || total < (par.minWork ?? DEFAULT_MIN_WORK)) return judgeRoutes(entries, opts);
  const pool = await JudgePool.get(workers);
  const measured = await pool.measure(
    entries.map((e) => ({ a: e.a, b: e.b, options: o, seed: hashSeed(o.seed, e.key) })),
    work,
    workers,
  );
  return decideRoutes(
    entries.map((e) => e.key),
    measured,
    opts,
    o,
  );
}

function sideWork(s: LatencySample): number {
  return s.kind === 'raw' ? s.values.length : HISTOGRAM_WORK;
}

/**
 * The process's judge workers. They are unref'd while idle, so a finished CLI exits without
 * stopping them; a worker that dies takes the pool with it and the next call starts a new one.
 */
class JudgePool {
  private static shared: Promise<JudgePool> | undefined;
  /** One measure() at a time: concurrent callers queue behind each other instead of interleaving. */
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(private readonly workers: Worker[]) {}

  static async get(size: number): Promise<JudgePool> {
    const current = JudgePool.shared ? await JudgePool.shared.catch(() => undefined) : undefined;
    if (current && current.workers.length >= size) return current;
    const next = (async () => {
      const code = await workerCode(new URL('./worker.ts', import.meta.url), 'judge-worker');
      const grown = await Promise.all(
        Array.from({ length: size - (current?.workers.length ?? 0) }, async () => {
          const w = new Worker(code.url, { workerData: code.workerData });
          await new Promise<void>((resolve, reject) => {
            const onExit = (c: number) => reject(new Error(`judge worker exited with code ${c} while starting`));
            w.once('message', () => {
              // Only our own listeners: the Worker keeps internal ones (port referencing) that must stay.
              w.off('error', reject);
              w.off('exit', onExit);
              resolve();
            });
            w.once('error', reject);
            w.once('exit', onExit);
          });
          w.unref();
          return w;
        }),
      );
      return new JudgePool([...(current?.workers ?? []), ...grown]);
    })();
    JudgePool.shared = next;
    try {
      return await next;
    } catch (err) {
      JudgePool.shared = undefined;
      throw new GauntletError('GAUNTLET_INTERNAL', `judge workers failed to start: ${(err as Error).message}`, { hint: 'GAUNTLET_JUDGE_WORKERS=1 judges on the calling thread' });
    }
  }

  measure(tasks: ReadonlyArray<Omit<JudgeTask, 'id'>>, work: readonly number[], size: number): Promise<Measurement[]> {
    const run = this.busy.then(() => this.schedule(tasks, work, size));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async schedule(tasks: ReadonlyArray<Omit<JudgeTask, 'id'>>, work: readonly number[], size: number): Promise<Measurement[]> {
    // Longest processing time first: the last task to start is a short one.
    const order = tasks.map((_, i) => i).sort((x, y) => work[y]! - work[x]! || x - y);
    const out = new Array<Measurement>(tasks.length);
    let next = 0;
    let failure: unknown;
    const active = this.workers.slice(0, size);
    active.forEach((w) => w.ref());
    // Every worker finishes the route it holds before this call returns, error or not: a late
    // answer must never be read as the answer to the next call's route.
    const settled = await Promise.allSettled(
      active.map(async (w) => {
        while (next < order.length && failure === undefined) {
          const i = order[next++]!;
          const answer = await ask(w, { id: nextTaskId++, ...withTransferable(tasks[i]!) });
          if (answer.error) {
            const e = answer.error;
            failure ??= e.code ? new GauntletError(e.code, e.message, e.facts ?? {}) : new Error(`judge worker: ${e.message}`);
            return;
          }
          out[i] = answer.measurement;
        }
      }),
    );
    active.forEach((w) => w.unref());
    const crashed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (crashed) {
      await this.destroy();
      throw crashed.reason;
    }
    if (failure !== undefined) throw failure;
    return out;
  }

  private async destroy(): Promise<void> {
    if (JudgePool.shared && (await JudgePool.shared.catch(() => undefined)) === this) JudgePool.shared = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Raw samples travel as a Float64Array whose buffer is moved, not cloned. */
function withTransferable(task: Omit<JudgeTask, 'id'>): Omit<JudgeTask, 'id'> & { transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const side = (s: LatencySample): LatencySample => {
    if (s.kind !== 'raw') return s;
    const values = Float64Array.from(s.values);
    transfer.push(values.buffer);
    if (!s.strata) return { kind: 'raw', values };
    const strata = Float64Array.from(s.strata);
    transfer.push(strata.buffer);
    return { kind: 'raw', values, strata };
  };
  return { ...task, a: side(task.a), b: side(task.b), transfer };
}

let nextTaskId = 1;

function ask(w: Worker, { transfer, ...task }: JudgeTask & { transfer: ArrayBuffer[] }): Promise<JudgeAnswer> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (m: JudgeAnswer) => {
      if (m.id !== task.id) return;
      cleanup();
      resolve(m);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`judge worker exited with code ${code}`));
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage(task, transfer);
  });
}
