/**
 * The bounded hand-off between the client's path and the copy path. `offer` never waits: when the
 * queue already holds `capacity` jobs (or `maxBytes` of their bodies) the job is refused and the
 * caller counts a drop — the live traffic is never slowed to make room. At most `concurrency` jobs
 * run at once, and each starts on a later turn of the event loop (setImmediate), so responses that
 * are ready go out to their clients before copy work begins.
 */
export interface WorkQueueOptions<T> {
  capacity: number;
  maxBytes: number;
  concurrency: number;
  run: (job: T) => Promise<void>;
  /** A job that throws is reported here; it never stops the queue. */
  onError: (err: unknown) => void;
  /** Called whenever depth or in-flight changes (metrics gauges). */
  onChange?: (depth: number, inFlight: number) => void;
}

export class BoundedWorkQueue<T> {
  private waiting: Array<{ job: T; bytes: number }> = [];
  private head = 0;
  private bytes = 0;
  private active = 0;
  private scheduled = false;
  private closed = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly opts: WorkQueueOptions<T>) {}

  get depth(): number {
    return this.waiting.length - this.head;
  }

  get inFlight(): number {
    return this.active;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Cheap pre-check for the hot path: a request arriving now would be refused. */
  full(): boolean {
    return this.closed || this.depth >= this.opts.capacity || this.bytes >= this.opts.maxBytes;
  }

  /** Queue a job; false (and nothing queued) when full or closed. */
  offer(job: T, bytes: number): boolean {
    if (this.closed || this.depth >= this.opts.capacity || this.bytes + bytes > this.opts.maxBytes) return false;
    this.waiting.push({ job, bytes });
    this.bytes += bytes;
    this.changed();
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.active >= this.opts.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.opts.concurrency && this.depth > 0) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      // Compact now and then so a long-lived queue does not keep a growing array of holes.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      this.bytes -= next.bytes;
      this.active++;
      this.changed();
      void this.opts
        .run(next.job)
        .catch((err: unknown) => this.opts.onError(err))
        .finally(() => {
          this.active--;
          this.changed();
          if (this.depth > 0) this.schedule();
          else if (this.active === 0) for (const wake of [...this.idle]) wake();
        });
    }
  }

  private changed(): void {
    this.opts.onChange?.(this.depth, this.active);
  }

  /**
   * Stop taking jobs and let the queued ones run for at most `queuedMs`; jobs still waiting then are
   * abandoned (returned as a count). Running jobs are waited for at most `runningMs` more — each is
   * bounded by its own timeouts, so this is a backstop, not the usual way out.
   */
  async drain(queuedMs: number, runningMs: number): Promise<{ abandoned: number; unfinished: number }> {
    this.closed = true;
    await this.waitIdle(queuedMs);
    const abandoned = this.depth;
    this.waiting = [];
    this.head = 0;
    this.bytes = 0;
    this.changed();
    if (this.active > 0) await this.waitIdle(runningMs);
    return { abandoned, unfinished: this.active };
  }

  private async waitIdle(ms: number): Promise<void> {
    if (this.active === 0 && this.depth === 0) return;
    let wake!: () => void;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      wake = resolve;
      this.idle.add(wake);
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.idle.delete(wake);
  }
}
