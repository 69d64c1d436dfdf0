/**
 * The mirror's client path, as a process of its own: the proxy (mirror.ts) and nothing else. It is
 * started by `gauntlet mirror` (run.ts) over an IPC channel, gets its settings in an `init`
 * message, and hands its copies to the copy engine in the parent through a remote copy path.
 *
 * Why a process and not a worker thread: the copy path allocates a lot (JSON parsing, spans, the
 * store), and a worker's garbage is collected on V8 helper threads shared with the main thread, at
 * its priority. In a separate process the whole copy side — GC included — runs at the lowest CPU
 * priority, and competes with the client's requests only for what they leave idle.
 */
import type { ErrorCode, ErrorFacts } from '../../util/errors.ts';
import { GauntletError } from '../../util/errors.ts';
import { startMirror, type Mirror, type MirrorOptions } from './mirror.ts';
import { remoteCopyPath, type RemoteCopyPath, type ToEngine, type ToProxy } from './remote-path.ts';

export interface ProxyInit extends Omit<MirrorOptions, 'copies' | 'log'> {
  /** Copies outstanding (queued + running) at most, and their body bytes: the engine's bounds. */
  capacity: number;
  maxQueueBytes: number;
}

export type ToProxyProcess = { type: 'init'; init: ProxyInit } | ToProxy | { type: 'stop' };
export type FromProxyProcess =
  | ToEngine
  | { type: 'listening'; url: string }
  | { type: 'log'; line: string }
  | { type: 'stopped' }
  | { type: 'error'; message: string; code?: ErrorCode; facts?: ErrorFacts };

// A channel that closed under a send is the 'disconnect' below, not a crash.
process.on('error', () => {});
const send = (m: FromProxyProcess) => {
  if (process.connected) process.send!(m, undefined, undefined, () => {});
};

let remote: RemoteCopyPath | undefined;
let mirror: Mirror | undefined;
let stopping: Promise<void> | undefined;

/** Stop accepting, finish the clients' requests, hand over what is pending, say so, leave. */
function stop(): Promise<void> {
  stopping ??= (async () => {
    await mirror?.close(0);
    send({ type: 'stopped' });
    if (process.connected) process.disconnect();
  })();
  return stopping;
}

async function start(init: ProxyInit): Promise<void> {
  remote = remoteCopyPath({ send, capacity: init.capacity, maxBytes: init.maxQueueBytes });
  const { capacity: _c, maxQueueBytes: _m, ...opts } = init;
  mirror = await startMirror({ ...opts, copies: remote.path, log: (line) => send({ type: 'log', line }) });
  send({ type: 'listening', url: mirror.url });
}

if (!process.send) throw new Error('proxy-process.ts is started by `gauntlet mirror` with an IPC channel');

// Ctrl-C in a terminal signals the whole process group: this process stops when the mirror
// process tells it to (after the signal reached it too), or when the mirror process is gone.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.on('disconnect', () => {
  remote?.fail(new Error('the copy engine is gone'));
  void stop();
});
process.on('message', (m: ToProxyProcess) => {
  switch (m.type) {
    case 'init':
      start(m.init).catch((err: unknown) => {
        const e = err as Error;
        send({ type: 'error', message: e.stack ?? e.message, ...(err instanceof GauntletError ? { message: e.message, code: err.code, facts: err.facts } : {}) });
        if (process.connected) process.disconnect();
      });
      return;
    case 'ack':
      remote?.receive(m);
      return;
    case 'stop':
      void stop();
      return;
  }
});
