/**
 * A free TCP port to be bound *later* by someone else (a daemon restarted on the port it had, a
 * collector port handed to daemons before the run that listens on it starts). Port 0 gives one
 * from the kernel's ephemeral range, which is free only until the kernel hands it out again — to
 * another port-0 server or to any outgoing connection, of which a load test makes thousands. So
 * the port is picked at random *below* that range, checked bindable on `host`; port 0 is the
 * fallback when nothing there is free.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

const FLOOR = 20_000;

/** The first port of the ephemeral range (Linux /proc; 32768 elsewhere). */
export function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > FLOOR + 100 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bind(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const bound = (server.address() as AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

export async function freePortFor(host = '127.0.0.1', tries = 50): Promise<number> {
  const low = ephemeralLow();
  for (let i = 0; i < tries; i++) {
    const port = await bind(FLOOR + Math.floor(Math.random() * (low - FLOOR)), host);
    if (port !== undefined) return port;
  }
  const port = await bind(0, host);
  if (port === undefined) throw new Error(`cannot bind a TCP port on ${host}`);
  return port;
}
