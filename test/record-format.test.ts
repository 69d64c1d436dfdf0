import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBody, decodeBody, makeHeader, type RecordedExchange } from '../src/record/format.ts';
import { openRecording, readRecording } from '../src/record/reader.ts';
import { RecordingWriter, segmentPath } from '../src/record/writer.ts';
import { GauntletError } from '../src/util/errors.ts';
import { runCli } from './support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-recfmt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function exchange(i: number, extra: Partial<RecordedExchange['request']> = {}): Omit<RecordedExchange, 'seq'> {
  return {
    ts: new Date(Date.UTC(2026, 10, 27, 12, 0, 0, i * 10)).toISOString(),
    request: { method: 'POST', path: '/v1/validate', query: 'a=1&a=2&b=%20x', headers: { 'content-type': 'application/json' }, body: `{"n":${i},"price":1.0}`, bodyEncoding: 'utf8', ...extra },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"valid":true}', bodyEncoding: 'utf8', latencyMs: 1.25 },
  };
}

async function expectRecordingError(file: string, code: string, re: RegExp, facts: { line?: number; path?: string } = {}) {
  try {
    await readRecording(file);
    expect.unreachable('should have thrown');
  } catch (err) {
    expect(err).toBeInstanceOf(GauntletError);
    const e = err as GauntletError;
    expect(e.code).toBe(code);
    expect(e.message).toMatch(re);
    expect(e.facts.file).toBe(file);
    if (facts.line !== undefined) expect(e.facts.line).toBe(facts.line);
    if (facts.path !== undefined) expect(e.facts.path).toBe(facts.path);
  }
}

describe('recording format', () => {
  it('round-trips: what the writer appends the reader returns, seq assigned in order, lexemes kept', async () => {
    const file = join(dir, 'rt.ndjson');
    const w = await RecordingWriter.open(file, makeHeader('validatord', 'record'));
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    await w.append(exchange(0));
    await w.append({ ...exchange(1), response: { ...exchange(1).response, ...encodeBody(png), headers: { 'content-type': 'image/png' } } });
    const stats = await w.close();
    expect(stats).toMatchObject({ files: [file], exchanges: 2, dropped: 0 });
    const r = await readRecording(file);
    expect(r.header).toMatchObject({ format: 'gauntlet-recording', version: 1, service: 'validatord', source: 'record', segment: 0 });
    expect(r.exchanges.map((x) => x.seq)).toEqual([1, 2]);
    expect(r.exchanges[0]).toEqual({ seq: 1, ...exchange(0) });
    expect(r.exchanges[0]!.request.body).toBe('{"n":0,"price":1.0}');
    expect(r.exchanges[1]!.response.bodyEncoding).toBe('base64');
    expect(Buffer.compare(decodeBody(r.exchanges[1]!.response) as Buffer, Buffer.from(png))).toBe(0);
    expect(r.stats).toMatchObject({ exchanges: 2, skipped: 0 });
  });

  it('stores UTF-8 text as text, binary and NUL-bearing bytes as base64, and a cut multi-byte char still as text', () => {
    expect(encodeBody(Buffer.from('héllo'))).toEqual({ body: 'héllo', bodyEncoding: 'utf8' });
    expect(encodeBody(Buffer.from([0xff, 0xfe])).bodyEncoding).toBe('base64');
    expect(encodeBody(Buffer.from('a\u0000b')).bodyEncoding).toBe('base64');
    expect(encodeBody(Buffer.from('hé').subarray(0, 2), true)).toEqual({ body: 'h', bodyEncoding: 'utf8' });
    expect(encodeBody(new Uint8Array())).toEqual({ bodyEncoding: 'utf8' });
  });

  it('refuses to write an exchange the reader would reject, and keeps going', async () => {
    const file = join(dir, 'guard.ndjson');
    const w = await RecordingWriter.open(file, makeHeader('validatord', 'record'));
    await expect(w.append(exchange(0, { method: 'get' }))).rejects.toMatchObject({ code: 'GAUNTLET_RECORDING_LINE', facts: { path: 'request.method' } });
    await w.append(exchange(1));
    await w.close();
    expect((await readRecording(file)).exchanges.map((x) => x.seq)).toEqual([1]);
  });

  it('writes to .partial and renames only when closed — never a half-written file under the final name', async () => {
    const file = join(dir, 'partial.ndjson');
    const w = await RecordingWriter.open(file, makeHeader('validatord', 'record'));
    await w.append(exchange(0));
    expect((await readdir(dir)).filter((f) => f.startsWith('partial'))).toEqual(['partial.ndjson.partial']);
    await w.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('partial'))).toEqual(['partial.ndjson']);
  });

  it('rotates by size into file.1.ndjson …, each segment a complete recording; the total cap drops and counts', async () => {
    const file = join(dir, 'rot.ndjson');
    const line = JSON.stringify({ seq: 1, ...exchange(0) }).length + 1;
    const w = await RecordingWriter.open(file, makeHeader('validatord', 'record'), { maxBytes: line * 3 + 200, maxTotalBytes: line * 10 });
    for (let i = 0; i < 12; i++) await w.append(exchange(i));
    const stats = await w.close();
    expect(stats.files).toEqual([file, segmentPath(file, 1), segmentPath(file, 2)]);
    expect(segmentPath(file, 1)).toBe(join(dir, 'rot.1.ndjson'));
    expect(stats.exchanges + stats.dropped).toBe(12);
    expect(stats.dropped).toBeGreaterThan(0);
    const seqs: number[] = [];
    for (const [i, f] of stats.files.entries()) {
      const r = await readRecording(f);
      expect(r.header.segment).toBe(i);
      expect((await readFile(f)).length).toBeLessThanOrEqual(line * 3 + 200);
      seqs.push(...r.exchanges.map((x) => x.seq));
    }
    expect(seqs).toEqual(Array.from({ length: stats.exchanges }, (_, i) => i + 1));
    expect((await readdir(dir)).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('names file:line and the JSON path of a bad line; --skip-invalid counts instead', async () => {
    const file = join(dir, 'bad.ndjson');
    const good = (i: number) => JSON.stringify({ seq: i, ...exchange(i) });
    const badMethod = JSON.stringify({ seq: 3, ...exchange(3, { method: 'get' }) });
    await writeFile(file, [JSON.stringify(makeHeader('validatord', 'record')), good(1), good(2), badMethod, '{"seq": 4, "ts": ', good(5), ''].join('\n'));
    await expectRecordingError(file, 'GAUNTLET_RECORDING_LINE', /upper-case/, { line: 4, path: 'request.method' });
    const r = await readRecording(file, { skipInvalid: true });
    expect(r.exchanges.map((x) => x.seq)).toEqual([1, 2, 5]);
    expect(r.stats.skipped).toBe(2);
    expect(r.stats.firstSkipped.map((s) => s.line)).toEqual([4, 5]);
    expect(r.stats.firstSkipped[1]!.message).toMatch(/not valid JSON/);
  });

  it('explains an unknown version or a foreign file on line 1', async () => {
    const v2 = join(dir, 'v2.ndjson');
    await writeFile(v2, JSON.stringify({ ...makeHeader('validatord', 'record'), version: 2 }) + '\n');
    await expectRecordingError(v2, 'GAUNTLET_RECORDING_VERSION', /version 2 is not supported; this gauntlet reads version 1/, { line: 1, path: 'version' });
    const har = join(dir, 'x.har');
    await writeFile(har, '{"log":{"version":"1.2","entries":[]}}\n');
    await expectRecordingError(har, 'GAUNTLET_RECORDING_LINE', /not a gauntlet recording/, { line: 1 });
    const empty = join(dir, 'empty.ndjson');
    await writeFile(empty, '');
    await expectRecordingError(empty, 'GAUNTLET_RECORDING_LINE', /empty recording/, { line: 1 });
  });

  it('streams: openRecording yields lazily and honours a limit', async () => {
    const file = join(dir, 'stream.ndjson');
    const w = await RecordingWriter.open(file, makeHeader('validatord', 'har'));
    for (let i = 0; i < 50; i++) await w.append(exchange(i));
    await w.close();
    const s = await openRecording(file, { limit: 7 });
    let n = 0;
    for await (const x of s.exchanges) n = x.seq;
    expect(n).toBe(7);
    expect(s.stats.exchanges).toBe(7);
  });

  it('through the CLI: a malformed line is exit 2 naming file:line before anything starts', async () => {
    const file = join(dir, 'cli-bad.ndjson');
    await writeFile(file, [JSON.stringify(makeHeader('validatord', 'record')), JSON.stringify({ seq: 1, ...exchange(1) }), '{"seq":2,"ts":"yesterday"}', ''].join('\n'));
    const r = await runCli(['replay', file, '--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`GAUNTLET_RECORDING_LINE: ${file}:3 at ts:`);
    expect(r.stderr).toMatch(/--skip-invalid/);
  });
});
