/**
 * Scale past one machine, simulated here: N gauntlet receivers, each writing its own store file
 * (`store.shard-<i>.duckdb`), fed by a sender that routes every span by a hash of its trace id —
 * what the OTel Collector's `loadbalancing` exporter does with `routing_key: traceID`. `analyze`
 * and `gate` read the whole family and must give the verdicts of one store holding everything.
 *
 * The spans are a real parity run of the reference twins (stored by gauntlet itself); the sender
 * re-exports them as OTLP/JSON over real HTTP to real `gauntlet collect` receivers, once sharded and once to a single
 * receiver, so both sides went through the same wire and the same receiver code.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanStore, findRunSpans, storeFamily, type StoredSpan } from '../src/collect/index.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin/gauntlet.mjs');
const SHARDS = 3;

type Any = Record<string, unknown>;
function anyValue(v: unknown): Any {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: kvs(v as Record<string, unknown>) } };
  return {};
}
const kvs = (o: Record<string, unknown>) => Object.entries(o).map(([key, value]) => ({ key, value: anyValue(value) }));
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as Record<string, number>;
const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as Record<string, number>;

/** Stored spans → one OTLP/JSON ExportTraceServiceRequest (one resourceSpans per span: simple, lossless). */
function otlpJson(spans: readonly StoredSpan[]): string {
  return JSON.stringify({
    resourceSpans: spans.map((s) => ({
      resource: { attributes: kvs(s.resource) },
      scopeSpans: [
        {
          scope: { name: s.scopeName ?? '' },
          spans: [
            {
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: KIND[s.kind] ?? 0,
              startTimeUnixNano: s.startNs.toString(),
              endTimeUnixNano: s.endNs.toString(),
              attributes: kvs(s.attributes),
              events: s.events.map((e) => ({ name: e.name, timeUnixNano: e.timeNs.toString(), attributes: kvs(e.attributes) })),
              links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: kvs(l.attributes) })),
              status: { code: STATUS[s.statusCode] ?? 0, ...(s.statusMessage ? { message: s.statusMessage } : {}) },
            },
          ],
        },
      ],
    })),
  });
}

/** The loadbalancing exporter's rule: the same trace id always goes to the same backend. */
const shardOf = (traceId: string) => createHash('sha256').update(traceId).digest().readUInt32BE(0) % SHARDS;

async function exportTo(url: string, spans: readonly StoredSpan[]) {
  for (let i = 0; i < spans.length; i += 500) {
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson(spans.slice(i, i + 500)) });
    expect(res.status, await res.text()).toBe(200);
  }
}

/**
 * `gauntlet collect` processes on 127.0.0.1:0, each with its own store file; stopped with SIGTERM
 * (exit 0, spans committed) when the sender is done.
 */
async function receive(files: readonly string[], send: (urls: string[]) => Promise<void>) {
  const children = files.map((f) => spawn('node', [CLI, 'collect', '--listen', '127.0.0.1:0', '--store', f], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  try {
    const urls = await Promise.all(
      children.map(
        (c) =>
          new Promise<string>((ok, fail) => {
            let text = '';
            const timer = setTimeout(() => fail(new Error(`gauntlet collect did not start in 60 s: ${text}`)), 60_000);
            c.stdout!.on('data', (d: Buffer) => {
              text += d.toString();
              const m = /collecting OTLP\/HTTP on (http:\/\/\S+)/.exec(text);
              if (m) {
                clearTimeout(timer);
                ok(m[1]!);
              }
            });
            c.once('exit', (code) => fail(new Error(`gauntlet collect exited ${code}: ${text}`)));
          }),
      ),
    );
    await send(urls);
  } finally {
    const codes = await Promise.all(
      children.map((c) => (c.exitCode !== null ? Promise.resolve(c.exitCode) : new Promise<number | null>((done) => (c.once('exit', (code) => done(code)), c.kill('SIGTERM'))))),
    );
    expect(codes).toEqual(files.map(() => 0));
  }
}

async function cli(args: string[]) {
  return run('node', [CLI, ...args], { cwd: ROOT, timeout: 120_000, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => {
      if (e.code !== 1) throw new Error(`gauntlet ${args.join(' ')} exited ${e.code}: ${e.stderr}`);
      return { code: e.code, stdout: e.stdout };
    },
  );
}

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sharded receivers: a store family split by trace id judges like one store', () => {
  it(`${SHARDS} receivers, spans routed by trace id: analyze and gate give the single store's verdicts`, async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-shards-'));
    const source = join(dir, 'source/store.duckdb');
    const parity = await cli(['parity', '--store', source, '--repeat', '4', '--quiet']);
    const runId = /run (r-[\w-]+)/.exec(parity.stdout)?.[1] ?? (await runIdOf(source));
    const spans = await findRunSpans(source, runId);
    expect(spans.length).toBeGreaterThan(40);

    const shardStem = join(dir, 'sharded/store.duckdb');
    const shardFiles = Array.from({ length: SHARDS }, (_, i) => join(dir, `sharded/store.shard-${i}.duckdb`));
    const groups = Array.from({ length: SHARDS }, () => [] as StoredSpan[]);
    for (const s of spans) groups[shardOf(s.traceId)]!.push(s);
    // Every shard got some traces, and no trace is split between shards.
    expect(groups.every((g) => g.length > 0)).toBe(true);
    await receive(shardFiles, (urls) => Promise.all(groups.map((g, i) => exportTo(urls[i]!, g))).then(() => undefined));
    const single = join(dir, 'single/store.duckdb');
    await receive([single], ([url]) => exportTo(url!, spans));

    expect(await storeFamily(shardStem)).toEqual([shardStem, ...shardFiles]);
    for (const [i, f] of shardFiles.entries()) {
      const s = await SpanStore.open(f, { readOnly: true });
      try {
        const inShard = await s.spansForRun(runId);
        expect(new Set(inShard.map((x) => shardOf(x.traceId)))).toEqual(new Set(inShard.length ? [i] : []));
      } finally {
        await s.close();
      }
    }

    for (const command of ['analyze', 'gate'] as const) {
      const outOf = async (store: string, name: string) => {
        const file = join(dir, `${command}-${name}.json`);
        const r = await cli([command, '--run', runId, '--store', store, '--json', file, '--quiet']);
        return { code: r.code, json: JSON.parse(await readFile(file, 'utf8')) as unknown };
      };
      const one = await outOf(single, 'single');
      const family = await outOf(shardStem, 'sharded');
      expect(family.code).toBe(one.code);
      expect(family.json).toEqual(one.json);
    }
  }, 240_000);
});

async function runIdOf(store: string): Promise<string> {
  const s = await SpanStore.open(store, { readOnly: true });
  try {
    const runs = await s.listRuns();
    expect(runs).toHaveLength(1);
    return runs[0]!.runId;
  } finally {
    await s.close();
  }
}
