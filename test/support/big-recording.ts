import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * A generated recording of `n` GET exchanges (about 200 bytes a line), written as a stream. The
 * timestamps are slightly out of order, as the recording proxy writes them (completion order).
 */
export async function writeBigRecording(file: string, n: number, service = 'tiny'): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(JSON.stringify({ format: 'gauntlet-recording', version: 1, service, createdAt: '2026-12-01T00:00:00.000Z', source: 'generated' }) + '\n');
  const base = Date.parse('2026-12-01T00:00:00.000Z');
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    // Completion order: every 7th exchange arrived 3 ms before its predecessor finished.
    const ts = new Date(base + i * 2 - (i % 7 === 0 ? 3 : 0)).toISOString();
    chunk += `{"seq":${i},"ts":"${ts}","request":{"method":"GET","path":"/items/${i % 1000}","query":"","headers":{"accept":"application/json"}},"response":{"status":200,"headers":{"content-type":"application/json"},"body":"{\\"id\\":${i % 1000}}","latencyMs":1}}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
}
