/**
 * Load is aimed at this machine unless the user says otherwise: a scenario file or config typo must
 * not turn the engine on someone else's service. `allowRemote` (--allow-remote, config
 * load.allowRemote) lifts the loopback rule for a staging service. Both checks run before anything is sent.
 */
import { connect } from 'node:net';
import { GauntletError } from '../../util/errors.ts';
import { isLoopbackHost } from '../../util/loopback.ts';

export { isLoopbackHost };

export function assertLoopback(url: string, facts: { runtime: string; path: string }, allowRemote = false): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `runtime ${facts.runtime} has no valid URL (${url})`, { ...facts, url });
  }
  const remote = !isLoopbackHost(parsed.hostname);
  if (remote && !allowRemote) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `refusing to send load to ${parsed.host}: load targets are loopback (127.0.0.1, ::1, localhost) unless --allow-remote is given`, {
      ...facts,
      url,
      hint: 'to load a staging service you own, pass --allow-remote to gauntlet load/run (or set load.allowRemote: true in the config); otherwise run gauntlet on the machine that serves the runtime',
    });
  }
  // HTTPS only where the target is remote: on loopback, TLS would measure the handshake, not the twin.
  if (parsed.protocol !== 'http:' && !(allowRemote && parsed.protocol === 'https:')) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `load targets speak HTTP/1.1 (https only with --allow-remote); ${parsed.protocol} is not supported`, { ...facts, url });
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
