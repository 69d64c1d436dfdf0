/**
 * The orchestrating thread's handle on its load workers: every block goes to every worker at once
 * (each takes its slice of the schedule) and resolves when all of them have answered.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GauntletError } from '../../util/errors.ts';
import type { BlockCommand, BlockResult, EngineSettings, ProgressMessage, WorkerCommand, WorkerMessage } from './types.ts';
import { workerCode } from '../../util/worker-bundle.ts';

/** `0` = one worker per core beyond the first (the orchestrator and the collector need one), 1..8. */
export function defaultWorkers(configured: number): number {
  if (configured > 0) return configured;
  return Math.min(8, Math.max(1, availableParallelism() - 1));
}

interface Pending {
  results: BlockResult[];
  resolve: (r: BlockResult[]) => void;
  reject: (e: Error) => void;
  onProgress: ((p: ProgressMessage) => void) | undefined;
}

export class WorkerPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private stopping = false;

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  get size(): number {
    return this.workers.length;
  }

  static async start(count: number, settings: EngineSettings): Promise<WorkerPool> {
    const code = await workerCode(new URL('./worker.ts', import.meta.url), 'load-worker');
    const workers = Array.from({ length: count }, () => new Worker(code.url, { workerData: code.workerData }));
    const pool = new WorkerPool(workers);
    const ready = workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: WorkerMessage) => {
            if (m.type === 'ready') {
              w.off('message', onMessage);
              resolve();
            } else if (m.type === 'error') reject(new Error(m.message));
          };
          w.on('message', onMessage);
          w.once('error', reject);
          w.postMessage({ type: 'init', worker: i, workers: count, settings } satisfies WorkerCommand);
        }),
    );
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.stop();
      throw new GauntletError('GAUNTLET_INTERNAL', `load workers failed to start: ${(err as Error).message}`, { hint: 'run with --workers 1 to rule out resource limits' });
    }
    workers.forEach((w) => {
      w.on('message', (m: WorkerMessage) => pool.onMessage(m));
      w.on('error', (err) => pool.fail(err));
      w.on('exit', (code) => {
        if (!pool.stopping) pool.fail(new Error(`load worker exited with code ${code}`));
      });
    });
    return pool;
  }

  runBlock(cmd: Omit<BlockCommand, 'type' | 'id'>, onProgress?: (p: ProgressMessage) => void): Promise<BlockResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<BlockResult[]>((resolve, reject) => {
      this.pending.set(id, { results: [], resolve, reject, onProgress });
      for (const w of this.workers) w.postMessage({ ...cmd, type: 'block', id } satisfies BlockCommand);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void w.terminate().then(() => resolve()), 10_000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.postMessage({ type: 'stop' } satisfies WorkerCommand);
          }),
      ),
    );
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'error') return this.fail(new Error(`load worker ${m.worker}: ${m.message}`));
    if (m.type === 'progress') return this.pending.get(m.id)?.onProgress?.(m);
    if (m.type !== 'block-done') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    p.results.push(m);
    if (p.results.length === this.workers.length) {
      this.pending.delete(m.id);
      p.resolve(p.results.sort((a, b) => a.worker - b.worker));
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
