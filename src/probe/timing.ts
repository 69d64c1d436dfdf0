import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * Connect timing from undici's diagnostics channels. undici creates its Request synchronously
 * inside `request()`, so the exchange that is "current" at that instant owns the request; the
 * socket it is sent on tells us whether a connection was opened for it and how long that took.
 */
interface Pending {
  connectMs: number | undefined;
}

const socketConnectMs = new WeakMap<Socket, number>();
// undici hands a fresh connectParams object to each channel, so connect starts are matched to
// their completion per origin, first in first out.
const connectStarted = new Map<string, number[]>();
const originKey = (p: { protocol?: string; hostname?: string; host?: string; port?: string | number }) => `${p.protocol ?? ''}//${p.hostname ?? p.host ?? ''}:${p.port ?? ''}`;
const requestOwner = new WeakMap<object, Pending>();
let current: Pending | undefined;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  diagnostics.subscribe('undici:client:beforeConnect', (msg) => {
    const key = originKey((msg as { connectParams: Parameters<typeof originKey>[0] }).connectParams);
    const list = connectStarted.get(key);
    if (list) list.push(performance.now());
    else connectStarted.set(key, [performance.now()]);
  });
  diagnostics.subscribe('undici:client:connected', (msg) => {
    const { connectParams, socket } = msg as { connectParams: Parameters<typeof originKey>[0]; socket: Socket };
    const key = originKey(connectParams);
    const list = connectStarted.get(key);
    const start = list?.shift();
    if (list?.length === 0) connectStarted.delete(key);
    if (start !== undefined) socketConnectMs.set(socket, performance.now() - start);
  });
  diagnostics.subscribe('undici:client:connectError', (msg) => {
    const key = originKey((msg as { connectParams: Parameters<typeof originKey>[0] }).connectParams);
    connectStarted.get(key)?.shift();
    if (connectStarted.get(key)?.length === 0) connectStarted.delete(key);
  });
  diagnostics.subscribe('undici:request:create', (msg) => {
    if (current) requestOwner.set((msg as { request: object }).request, current);
  });
  diagnostics.subscribe('undici:client:sendHeaders', (msg) => {
    const { request, socket } = msg as { request: object; socket: Socket };
    const owner = requestOwner.get(request);
    if (!owner) return;
    const ms = socketConnectMs.get(socket);
    // The first request on a fresh socket pays for the connect; later ones reuse it for free.
    if (ms !== undefined) {
      owner.connectMs = ms;
      socketConnectMs.delete(socket);
    } else {
      owner.connectMs = 0;
    }
  });
}

/** Run `start` (which must call undici synchronously) with connect timing attributed to it. */
export function withConnectTiming<T>(start: () => T): { result: T; timing: Pending } {
  install();
  const pending: Pending = { connectMs: undefined };
  current = pending;
  try {
    return { result: start(), timing: pending };
  } finally {
    current = undefined;
  }
}
