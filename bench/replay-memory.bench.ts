/**
 * Replay memory vs recording size: the same bounded replay (rate 500/s, 3 s) of recordings of
 * 10k, 100k and 1M entries, peak RSS of the gauntlet process sampled from /proc. Streaming means
 * the figure is flat; holding the recording made it linear (1.6 GB at 1M before the first request).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBigRecording } from '../test/support/big-recording.ts';
import { runMeasured } from '../test/support/measure.ts';
import { startServer } from '../test/support/servers.ts';

export async function runReplayMemoryBench(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-bench-replay-mem-'));
  const server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  const out: Record<string, number> = {};
  try {
    await writeFile(
      join(dir, 'gauntlet.config.yaml'),
      ['stack:', '  services:', '    tiny:', '      primary: a', '      candidate: b', '      routes: ["/items/{id}"]', `      runtimes: { a: { url: "${server.url}" }, b: { url: "${server.url}" } }`, `store: { path: ${join(dir, 'store.duckdb')} }`, ''].join('\n'),
    );
    for (const n of [10_000, 100_000, 1_000_000]) {
      const file = join(dir, `rec-${n}.ndjson`);
      await writeBigRecording(file, n);
      const mb = (await stat(file)).size / 1024 / 1024;
      const r = await runMeasured(['replay', file, '--rate', '500', '--max-duration', '3', '--concurrency', '16', '-q'], dir);
      if (r.code !== 0) throw new Error(`replay of ${n} entries exited ${r.code}: ${r.stderr}`);
      const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
      out[`peak RSS MB, ${label} entries (${mb.toFixed(0)} MB file)`] = Math.round(r.peakMb);
      await rm(file);
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}
