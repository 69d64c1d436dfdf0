/**
 * Load is only ever aimed at this machine: a scenario file or config typo must not turn the engine
 * on someone else's service. Both checks run before anything is sent.
 */
import { connect } from 'node:net';
import { GauntletError } from '../../util/errors.ts';
import { isLoopbackHost } from '../../util/loopback.ts';

export { isLoopbackHost };

export function assertLoopback(url: string, facts: { runtime: string; path: string }): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `runtime ${facts.runtime} has no valid URL (${url})`, { ...facts, url });
  }
  if (!isLoopbackHost(parsed.hostname)) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `refusing to send load to ${parsed.host}: load targets must be loopback (127.0.0.1, ::1, localhost)`, {
      ...facts,
      url,
      hint: 'run gauntlet on the machine that serves the runtime (or tunnel it to 127.0.0.1); load is never sent off this host',
    });
  }
  if (parsed.protocol !== 'http:') {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `load targets speak plain HTTP/1.1 on loopback; ${parsed.protocol} is not supported`, { ...facts, url });
  }
}

/** Fails fast (one TCP connect, `timeoutMs`) when nothing listens at the runtime's address. */
export async function assertReachable(url: string, facts: { runtime: string; path: string }, timeoutMs = 2000): Promise<void> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 80);
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message));
    });
  });
  if (problem) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `runtime ${facts.runtime} at ${u.host} is unreachable (${problem})`, {
      ...facts,
      url,
      hint: 'start it (or fix its url in the config) and run again; nothing was sent to either runtime',
    });
  }
}
