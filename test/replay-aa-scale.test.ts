import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParityReport } from '../src/analyze/index.ts';
import { volatileFormat } from '../src/analyze/volatile.ts';
import { SpanStore } from '../src/collect/index.ts';
import { readRecording } from '../src/record/reader.ts';
import { runCli, type CliResult } from './support/cli.ts';
import { generateValidatordTraffic, writeRecording } from './support/validatord-traffic.ts';

/**
 * The A/A acceptance line at scale: a ≥ 10,000-exchange recording whose answers carry
 * volatile fields, replayed through the real `gauntlet replay` CLI against two instances of the
 * *same* reference runtime (both `rust`, `--volatile-fields`), exporting to the embedded receiver
 * and judged from the DuckDB store. Nothing may be reported as a divergence; every suppressed
 * difference must be reported as noise, with its reason and count; every pair must be analysed,
 * and every span the harness and the runtimes sent must have been stored.
 */
const ENTRIES = 10_000;
const META = ['request_id', 'event_id', 'span_id', 'validated_at', 'validated_at_ms', 'took'] as const;

describe(`A/A replay of ${ENTRIES.toLocaleString('en-US')} recorded exchanges against two instances of one runtime`, () => {
  let dir: string;
  let recording: string;
  let replay: CliResult;
  let report: ParityReport;
  /** Entries whose answer (POST /v1/validate → 200/422) carries the volatile `meta`. */
  let withMeta: number;
  let seconds: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-aa-scale-'));
    recording = join(dir, 'validatord-10k.ndjson');
    const traffic = generateValidatordTraffic({ count: ENTRIES, seed: 7 });
    withMeta = traffic.filter((x) => x.request.method === 'POST' && (x.response.status === 200 || x.response.status === 422)).length;
    await writeRecording(recording, 'validatord', traffic);
    const config = join(dir, 'gauntlet.config.yaml');
    await writeFile(
      config,
      [
        'stack:',
        '  services:',
        '    validatord:',
        '      primary: rust-a',
        '      candidate: rust-b',
        '      runtimes:',
        '        rust-a: { reference: { flavour: rust, volatileFields: true } }',
        '        rust-b: { reference: { flavour: rust, volatileFields: true } }',
        "      routes: ['/v1/orders/{id}']",
        'replay:',
        '  safeRoutes: [{ method: POST, route: /v1/validate }]',
        'store: { path: store.duckdb }',
      ].join('\n'),
    );
    const started = performance.now();
    replay = await runCli(['replay', recording, '--config', config, '--fast', '--concurrency', '16', '--json', join(dir, 'report.json'), '--quiet'], { timeoutMs: 170_000 });
    seconds = (performance.now() - started) / 1000;
    // Nothing on stderr but the progress lines a long replay prints into a log every 10 s.
    expect(replay.stderr.split('\n').filter((l) => l !== '' && !/^ {2}replay: \d+ pairs/.test(l)), replay.stdout).toEqual([]);
    expect(replay.code, replay.stdout).toBe(0);
    report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ParityReport;
  }, 180_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the recording is ≥ 10,000 exchanges in the recording format, with volatile fields in the answers', async () => {
    const { header, exchanges, stats } = await readRecording(recording);
    expect(header).toMatchObject({ format: 'gauntlet-recording', version: 1, service: 'validatord', source: 'generated' });
    expect(exchanges).toHaveLength(ENTRIES);
    expect(stats).toMatchObject({ exchanges: ENTRIES, skipped: 0 });
    expect(withMeta).toBeGreaterThan(ENTRIES * 0.7);
    const sample = exchanges.find((x) => x.response.status === 422)!;
    const meta = (JSON.parse(sample.response.body!) as { meta: Record<string, unknown> }).meta;
    expect(Object.fromEntries(META.map((k) => [k, volatileFormat(meta[k])]))).toEqual({
      request_id: 'uuid',
      event_id: 'ulid',
      span_id: 'hex-id',
      validated_at: 'rfc3339',
      validated_at_ms: 'epoch-ms',
      took: 'duration',
    });
  });

  it('reports zero divergences: every one of the 10,000 pairs analysed, all identical after the noise model', () => {
    process.stdout.write(`A/A replay of ${ENTRIES} entries: ${seconds.toFixed(1)} s end to end (CLI start to report)\n${replay.stdout}`);
    expect(report.findings).toEqual([]);
    expect(report.services).toHaveLength(1);
    expect(report.services[0]).toMatchObject({ service: 'validatord', primary: 'rust-a', candidate: 'rust-b', pairs: ENTRIES, cases: ENTRIES, complete: ENTRIES, statusMatch: ENTRIES, identical: ENTRIES, shapeDiverge: 0, valueDiverge: 0, transport: 0 });
    expect(report.incomplete).toBeUndefined();
    expect(report.telemetry).toEqual({ clientSpans: 2 * ENTRIES, serverSpans: 2 * ENTRIES, joined: 2 * ENTRIES });
  });

  it('reports every suppressed difference as noise, with its reason and count', () => {
    // A Date header a second apart between the two runtimes' answers is noise too, with its reason.
    const headers = report.noise.filter((n) => n.path.startsWith('/headers/'));
    for (const n of headers) expect(n).toMatchObject({ path: '/headers/date', class: 'header', reason: 'volatile header date: the clock at answer time' });
    const body = report.noise.filter((n) => !n.path.startsWith('/headers/'));
    const byPath = new Map<string, ParityReport['noise']>();
    for (const n of body) byPath.set(n.path, [...(byPath.get(n.path) ?? []), n]);
    expect([...byPath.keys()].sort()).toEqual(META.map((k) => `/meta/${k}`).sort());
    for (const n of body) expect(n).toMatchObject({ service: 'validatord', method: 'POST', route: '/v1/validate', class: 'value-change' });
    const format: Record<(typeof META)[number], string> = {
      request_id: 'uuid',
      event_id: 'ulid',
      span_id: 'hex-id',
      validated_at: 'rfc3339',
      validated_at_ms: 'epoch-ms',
      took: 'duration',
    };
    // Now and then a random id is all digits, with a card prefix, and passes Luhn (~1 in 50,000):
    // redaction masks it on that side, and the pair is noise for that reason instead.
    const REDACTED_ONE_SIDE = 'redacted on one side: a secret is not compared';
    for (const k of META) {
      const entries = byPath.get(`/meta/${k}`)!;
      // Order-free: which reasons appear, not where they sort ("redacted…" sorts before "volatile…").
      const volatile = `volatile ${format[k]} (compared by format)`;
      const reasons = new Set(entries.map((e) => e.reason));
      expect(reasons.has(volatile), `${k}: ${[...reasons].join(' | ')}`).toBe(true);
      expect([...reasons].filter((r) => r !== volatile && r !== REDACTED_ONE_SIDE), k).toEqual([]);
    }
    // Random ids and nanosecond timestamps differ in every pair; milliseconds and durations may
    // coincide between the two instances, and then there was nothing to suppress.
    const total = (k: string) => byPath.get(`/meta/${k}`)!.reduce((n, e) => n + e.count, 0);
    for (const k of ['request_id', 'event_id', 'span_id', 'validated_at']) expect(total(k), k).toBe(withMeta);
    for (const k of ['validated_at_ms', 'took']) {
      expect(total(k), k).toBeGreaterThan(0);
      expect(total(k), k).toBeLessThanOrEqual(withMeta);
    }
  });

  it('stored every span that was sent: collector accepted == stored, harness spans all delivered', async () => {
    const m = /collector: (\d+) spans accepted, (\d+) stored, (\d+) failed · harness: (\d+) spans ended, (\d+) undelivered/.exec(replay.stdout);
    expect(m, replay.stdout).not.toBeNull();
    const [accepted, stored, failed, ended, undelivered] = m!.slice(1).map(Number) as [number, number, number, number, number];
    // Per pair: the pair span, two CLIENT spans and the runtimes' two SERVER spans; plus the run span.
    // … plus the run's two lifecycle records (run.start, run.end).
    expect(ended).toBe(1 + 3 * ENTRIES + 2);
    expect(undelivered).toBe(0);
    expect(failed).toBe(0);
    expect(stored).toBe(accepted);
    // The runtimes' own inner spans (cache, storaged, validate) come on top, a route-dependent number.
    expect(accepted).toBeGreaterThanOrEqual(1 + 5 * ENTRIES + 2);
    const store = await SpanStore.open(join(dir, 'store.duckdb'));
    try {
      expect(await store.count({ runId: report.runId })).toBe(accepted);
    } finally {
      await store.close();
    }
  });
});
