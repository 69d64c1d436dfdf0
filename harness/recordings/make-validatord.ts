/**
 * Regenerates harness/recordings/validatord.ndjson by recording real traffic: the Rust reference
 * twin runs as a child, `gauntlet record` (the real CLI) proxies in front of it, and ~200 requests
 * of an ingest client go through the proxy with realistic gaps. Run:
 *   npx tsx harness/recordings/make-validatord.ts [OUT] [COUNT]
 * Request content is seeded (the mix is the same on every run); request ids and timestamps are real.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { spawnDaemon } from '../../src/daemons/index.ts';
import { nextValidatordRequest, rng } from './validatord-mix.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = process.argv[2] ?? fileURLToPath(new URL('./validatord.ndjson', import.meta.url));
const COUNT = Number(process.argv[3] ?? 200);

const rand = rng(20261127);

async function main(): Promise<void> {
  const daemon = await spawnDaemon({ service: 'validatord', flavour: 'rust' });
  const rec = spawn(process.execPath, [`${ROOT}/bin/gauntlet.mjs`, 'record', '--listen', '127.0.0.1:0', '--upstream', daemon.url, '--out', OUT, '--service', 'validatord'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: rec.stdout! });
  const proxyUrl = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]!);
      else process.stdout.write(`${l}\n`);
    });
    rec.once('exit', (code) => reject(new Error(`gauntlet record exited with ${code}`)));
  });
  const token = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'ingest' })).toString('base64url')}.c2lnbmF0dXJlLW5vdC1yZWFs`;
  try {
    for (let n = 0; n < COUNT; n++) {
      const req = nextValidatordRequest(rand, n, new Date().toISOString());
      const res = await request(`${proxyUrl}${req.path}${req.query ? `?${req.query}` : ''}`, {
        method: req.method as 'GET' | 'POST',
        headers: {
          'user-agent': 'lakehouse-ingest/2.3.1',
          'x-request-id': randomUUID(),
          'x-request-start': `t=${Date.now()}`,
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(req.contentType ? { 'content-type': req.contentType } : {}),
        },
        ...(req.body !== undefined ? { body: req.body } : {}),
      });
      await res.body.dump();
      // Bursty like a real client: mostly short gaps, now and then a pause.
      await new Promise((r) => setTimeout(r, rand() < 0.1 ? 40 + rand() * 40 : 3 + rand() * 12));
    }
  } finally {
    rec.kill('SIGINT');
    await new Promise<void>((resolve) => rec.once('exit', () => resolve()));
    await daemon.stop();
  }
}

await main();
