import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, MirrorConfigSchema } from '../src/config/index.ts';
import { runMirror } from '../src/app/mirror.ts';
import { startServer } from './support/servers.ts';

describe('the mirror daemon (copy path in a worker thread): a full queue drops, the client never waits', () => {
  it('20 concurrent requests, a candidate that holds every copy, one copy slot and a queue of 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-mirror-worker-'));
    const primary = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    // The candidate holds every copy until the test releases it: a client answer that waited on
    // its copy could not arrive at all (behaviour, not a wall-clock budget).
    let copies = 0;
    let copiesAnswered = 0;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const candidate = await startServer((_req, res) => {
      copies++;
      void released.then(() => {
        copiesAnswered++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    const config = ConfigSchema.parse({
      stack: { services: { demo: { primary: 'a', candidate: 'b', runtimes: { a: { url: primary.url }, b: { url: candidate.url } } } } },
      store: { path: join(dir, 'store.duckdb') },
    });
    const lines: string[] = [];
    let listening: (m: RegExpExecArray) => void;
    const up = new Promise<RegExpExecArray>((r) => (listening = r));
    const stop = new AbortController();
    const settings = MirrorConfigSchema.parse({ queue: 2, concurrency: 1, summaryIntervalMs: 0 });
    const daemon = runMirror({
      loaded: { config, file: undefined, baseDir: dir },
      service: 'demo',
      settings,
      listen: { host: '127.0.0.1', port: 0 },
      metricsListen: '127.0.0.1:0',
      allowRemote: false,
      signal: stop.signal,
      log: (line) => {
        lines.push(line);
        const m = /listening on (\S+) → .* metrics (\S+)\/metrics/.exec(line);
        if (m) listening(m);
      },
    });
    try {
      const [, url, metrics] = await Promise.race([up, daemon.then(() => Promise.reject(new Error(lines.join('\n'))))]);
      const answers = await Promise.all(Array.from({ length: 20 }, () => request(`${url!}/x`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }))));
      expect(answers.every((a) => a.status === 200 && a.body === '{"ok":true}')).toBe(true);
      // Every client got its answer while no copy had been answered yet.
      expect(copiesAnswered).toBe(0);
      release();
      // Counts reach the copy thread within ~100 ms.
      let scrape = '';
      for (let i = 0; i < 50 && !/outcome="dropped"\} [1-9]/.test(scrape); i++) {
        await new Promise((r) => setTimeout(r, 100));
        scrape = await (await request(`${metrics!}/metrics`)).body.text();
      }
      const dropped = Number(/^gauntlet_mirror_queue_dropped_total\{service="demo"\} (\d+)$/m.exec(scrape)?.[1]);
      expect(dropped).toBeGreaterThanOrEqual(10);
      stop.abort();
      const result = await daemon;
      expect(result.stats.requests).toBe(20);
      expect(result.stats.outcomes.dropped + result.stats.outcomes.mirrored).toBe(20);
      expect(result.stats.outcomes.dropped).toBeGreaterThanOrEqual(dropped);
      expect(copies).toBe(result.stats.outcomes.mirrored);
      expect(result.spansUndelivered).toBe(0);
    } finally {
      stop.abort();
      await daemon.catch(() => undefined);
      await Promise.all([primary.close(), candidate.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
