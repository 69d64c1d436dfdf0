import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralLow, freePortFor } from '../src/util/ports.ts';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/**
 * Ports handed out to be bound later come from below the kernel's ephemeral range, so no port-0
 * server or outgoing connection can take them in between (the persistent stack's collector port
 * and a restarted daemon's port), and they are free when handed out.
 */
describe('freePortFor', () => {
  it('gives distinct, bindable ports below the ephemeral range', async () => {
    const low = ephemeralLow();
    expect(low).toBeGreaterThan(20_000);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePortFor('127.0.0.1')));
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20_000);
      expect(p).toBeLessThan(low);
    }
    // Bindable: listen on each, then none of them is offered while held.
    const held = await Promise.all([...new Set(ports)].map(listen));
    try {
      const more = await Promise.all(Array.from({ length: 20 }, () => freePortFor('127.0.0.1')));
      for (const p of more) expect(ports).not.toContain(p);
    } finally {
      await Promise.all(held.map(close));
    }
  });

  it('falls back to a kernel-chosen port when every try below the range is taken', async () => {
    const port = await freePortFor('127.0.0.1', 0);
    expect(port).toBeGreaterThanOrEqual(ephemeralLow());
    await close(await listen(port));
  });
});
