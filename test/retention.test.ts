import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retainer } from '../src/app/retention.ts';
import { SpanStore } from '../src/collect/index.ts';
import { RetentionSchema } from '../src/config/index.ts';
import { SPAN_RUN_END, SPAN_RUN_START } from '../src/contract/index.ts';
import { runCli } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';

/**
 * Retention for the long-running modes: whole runs pruned by age and by size, the run in progress
 * never; the store stays readable and a kept run re-judges to the same report.
 */
describe('store retention', () => {
  let dir: string;
  let a: TestServer;
  let b: TestServer;
  const runs: string[] = [];
  const store = () => join(dir, 'store.duckdb');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-retention-'));
    a = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","n":1}'));
    b = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"Status":"ok","n":1.0}'));
    await writeFile(join(dir, 'cases.yaml'), 'service: svc\ncases:\n  - id: health\n    request: { method: GET, path: /healthz }\n');
    await writeFile(join(dir, 'cfg.yaml'), ['stack:', '  services:', '    svc:', '      primary: a', '      candidate: b', `      runtimes: { a: { url: "${a.url}" }, b: { url: "${b.url}" } }`, 'parity: { cases: [cases.yaml], repeat: 5 }', `store: { path: ${store()} }`, ''].join('\n'));
    for (let i = 0; i < 3; i++) {
      const r = await runCli(['parity', '--config', join(dir, 'cfg.yaml'), '--json', join(dir, `run${i}.json`)], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      runs.push((JSON.parse(await readFile(join(dir, `run${i}.json`), 'utf8')) as { runId: string }).runId);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function analyze(runId: string): Promise<string> {
    const out = join(dir, `analyze-${runId}-${Math.random()}.json`);
    const r = await runCli(['analyze', '--config', join(dir, 'cfg.yaml'), '--run', runId, '--json', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return readFile(out, 'utf8');
  }

  it('prunes by age: older runs go, the newest stays, its report unchanged', async () => {
    const before = await analyze(runs[2]!);
    const s = await SpanStore.open(store());
    try {
      const lastOf = async (runId: string) => {
        const spans = await s.spansForRun(runId);
        return Number(spans.reduce((m, x) => (x.endNs > m ? x.endNs : m), 0n) / 1_000_000n);
      };
      const [t1, t2] = [await lastOf(runs[1]!), await lastOf(runs[2]!)];
      expect(t2).toBeGreaterThan(t1);
      // Ten days after the last run, with a retention that ends between runs 1 and 2.
      const day = 86_400_000;
      const r = await s.prune({ maxAgeMs: 10 * day + (t2 - t1) / 2, nowMs: t2 + 10 * day });
      expect(r.runsDeleted.sort()).toEqual([runs[0]!, runs[1]!].sort());
      expect(r.spansDeleted).toBeGreaterThan(0);
      expect(await s.spansForRun(runs[0]!)).toEqual([]);
      expect((await s.listRuns()).map((x) => x.runId)).toEqual([runs[2]!]);
    } finally {
      await s.close();
    }
    expect(await analyze(runs[2]!)).toBe(before);
  }, 60_000);

  it('prunes by size, oldest first, never a kept run; the retainer is throttled and says what it did', async () => {
    for (let i = 3; i < 5; i++) {
      const r = await runCli(['parity', '--config', join(dir, 'cfg.yaml'), '--json', join(dir, `run${i}.json`)], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      runs.push((JSON.parse(await readFile(join(dir, `run${i}.json`), 'utf8')) as { runId: string }).runId);
    }
    const kept = runs[3]!;
    const before = await analyze(kept);
    const s = await SpanStore.open(store());
    try {
      let now = 0;
      const retain = retainer(s, RetentionSchema.parse({ maxSizeMb: 1, everySeconds: 60 }), () => now);
      expect(await retain.maybePrune([kept])).toBeUndefined(); // not due yet
      now = 61_000;
      // A 1 MiB bound on a store this size: every run but the kept one has to go.
      const sizeBefore = await s.sizeBytes();
      const line = await s.prune({ maxBytes: Math.floor(sizeBefore / 100), keep: [kept] });
      expect(line.runsDeleted).not.toContain(kept);
      expect((await s.listRuns()).map((x) => x.runId)).toEqual([kept]);
      expect(await retain.maybePrune([kept])).toBeUndefined(); // nothing left to delete
    } finally {
      await s.close();
    }
    expect(await analyze(kept)).toBe(before);
  }, 90_000);

  it('a run in progress (a weeks-long mirror) keeps only its window: old traces trimmed whole, its run.start kept', async () => {
    const live = runs[3]!; // the one run the size test kept
    const s = await SpanStore.open(store());
    try {
      const spans = await s.spansForRun(live);
      const traces = new Map<string, { last: bigint; names: string[] }>();
      for (const x of spans) {
        const t = traces.get(x.traceId) ?? { last: 0n, names: [] };
        if (x.endNs > t.last) t.last = x.endNs;
        t.names.push(x.name);
        traces.set(x.traceId, t);
      }
      const pairs = [...traces.values()].filter((t) => !t.names.includes(SPAN_RUN_START) && !t.names.includes(SPAN_RUN_END));
      expect(pairs.length).toBeGreaterThan(2);
      // A window that ends between the first and the last pair of the run.
      const ends = pairs.map((t) => t.last).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const cutoffNs = (ends[0]! + ends.at(-1)!) / 2n;
      const cutoffMs = Number(cutoffNs / 1_000_000n);
      const nowMs = cutoffMs + 3_600_000;
      const r = await s.prune({ maxAgeMs: 3_600_000, nowMs, live: [live] });
      expect(r.runsDeleted).toEqual([]);
      const expectedGone = [...traces.values()].filter((t) => pairs.includes(t) && t.last < BigInt(cutoffMs) * 1_000_000n);
      expect(expectedGone.length).toBeGreaterThan(0);
      expect(r.liveSpansTrimmed).toBe(expectedGone.reduce((n, t) => n + t.names.length, 0));
      const after = await s.spansForRun(live);
      expect(after.length).toBe(spans.length - r.liveSpansTrimmed);
      // Whole traces only, and only those that ended before the cutoff.
      const left = new Map<string, number>();
      for (const x of after) left.set(x.traceId, (left.get(x.traceId) ?? 0) + 1);
      for (const [id, n] of left) expect(n, id).toBe(traces.get(id)!.names.length);
      // The run is still listed, with its lifecycle record.
      expect((await s.listRuns()).map((x) => x.runId)).toContain(live);
      expect((await s.lifecycleRecords()).some((x) => x.runId === live && x.name === SPAN_RUN_START)).toBe(true);

      // Over the size limit with nothing else to delete: the live run's oldest traces go, the
      // lifecycle traces stay.
      const bySize = await s.prune({ maxBytes: 1, live: [live] });
      expect(bySize.liveSpansTrimmed).toBeGreaterThan(0);
      const rest = await s.spansForRun(live);
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.every((x) => [...traces.get(x.traceId)!.names].some((n) => n === SPAN_RUN_START || n === SPAN_RUN_END))).toBe(true);
    } finally {
      await s.close();
    }
  }, 60_000);
});
