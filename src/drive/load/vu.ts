/**
 * A virtual user is one keep-alive HTTP/1.1 connection that carries one request at a time (an
 * undici Client with pipelining 1), like a k6 VU. Giving each VU its own connection — instead of
 * sharing a pool — means a request starts the instant a VU takes it: no hidden queue inside the
 * client could delay the send and make "from the actual send" mean something else.
 */
import { Client, type Dispatcher } from 'undici';
import type { PreparedRequest } from './requests.ts';

export type Completion = (status: number | undefined, error: Error | undefined) => void;

/**
 * undici's legacy handler interface is dispatched natively (the newer controller API goes through a
 * wrapper); one handler per VU, reused for every request, keeps the hot path allocation-free.
 */
class Handler {
  status: number | undefined = undefined;
  done: Completion | undefined = undefined;
  onConnect(): void {
    this.status = undefined;
  }
  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    const done = this.done!;
    this.done = undefined;
    done(this.status, undefined);
  }
  onError(err: Error): void {
    const done = this.done;
    this.done = undefined;
    done?.(undefined, err);
  }
}

export class Vu {
  readonly client: Client;
  /** Aborted: its connection is gone for good, so it never returns to a pool. */
  dead = false;
  /** The iteration in flight on this VU (owned by iteration.ts), and its completion, created once per VU. */
  iteration: unknown = undefined;
  complete: Completion | undefined = undefined;
  private readonly handler = new Handler();
  private readonly options: Dispatcher.DispatchOptions & { path: string; method: Dispatcher.HttpMethod };

  constructor(origin: string, timeoutMs: number) {
    this.client = new Client(origin, { pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: Math.min(timeoutMs, 10_000) } });
    this.options = { path: '/', method: 'GET', headers: [], body: undefined };
  }

  send(req: PreparedRequest, done: Completion): void {
    const o = this.options;
    o.path = req.path;
    o.method = req.method as Dispatcher.HttpMethod;
    o.headers = req.headers;
    o.body = req.body;
    this.handler.done = done;
    try {
      this.client.dispatch(o, this.handler as unknown as Dispatcher.DispatchHandler);
    } catch (err) {
      this.handler.onError(err as Error);
    }
  }

  /** Drops the connection: an in-flight request ends with an error (its completion still fires). */
  abort(): void {
    this.dead = true;
    void this.client.destroy(new Error('interrupted: gracefulStop ran out')).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.client.close().catch(() => undefined);
  }
}

/** The VUs of one runtime inside one worker: pre-allocated up front, grown up to maxVUs on demand. */
export class VuPool {
  private readonly free: Vu[] = [];
  private readonly all: Vu[] = [];
  constructor(
    private readonly origin: string,
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.all.length;
  }

  /** Makes at least `n` VUs exist. */
  preallocate(n: number): void {
    while (this.all.length < n) this.release(this.create());
  }

  /** A free VU, a new one while under `max`, or undefined (the iteration is dropped). */
  acquire(max: number): Vu | undefined {
    const vu = this.free.pop();
    if (vu) return vu;
    return this.all.length < max ? this.create() : undefined;
  }

  release(vu: Vu): void {
    if (!vu.dead) this.free.push(vu);
  }

  /** Drops every connection (a replaced VU keeps nothing from the aborted one). */
  abortAll(): void {
    for (const vu of this.all) vu.abort();
    this.all.length = 0;
    this.free.length = 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((vu) => vu.close()));
    this.all.length = 0;
    this.free.length = 0;
  }

  private create(): Vu {
    const vu = new Vu(this.origin, this.timeoutMs);
    this.all.push(vu);
    return vu;
  }
}
