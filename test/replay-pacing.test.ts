import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacingFromOptions, scheduleOffsets } from '../src/drive/pacing.ts';
import { driveReplay, planReplay } from '../src/drive/replay.ts';
import type { ServiceEndpoints } from '../src/drive/stack.ts';
import type { RecordedExchange } from '../src/record/format.ts';
import { startTelemetry } from '../src/telemetry/tracing.ts';
import { GauntletError } from '../src/util/errors.ts';
import { parseCLI } from '../src/cli/parse.ts';
import { parseByteSize, parseListen, parsePositive } from '../src/record/units.ts';
import { startServer, type TestServer } from './support/servers.ts';

const T0 = Date.parse('2026-11-27T12:00:00.000Z');

function recorded(offsetsMs: number[], method = 'GET', path = '/v1/items/7'): RecordedExchange[] {
  return offsetsMs.map((o, i) => ({
    seq: i + 1,
    ts: new Date(T0 + o).toISOString(),
    request: { method, path, query: 'full=1', headers: { host: 'recorder:8080', 'accept-encoding': 'gzip', 'x-request-id': `r-${i}` }, bodyEncoding: 'utf8' },
    response: { status: 200, headers: {}, bodyEncoding: 'utf8', latencyMs: 1 },
  }));
}

describe('replay pacing', () => {
  it('schedules from the recorded timestamps (absolute, scaled), a fixed rate, or not at all', () => {
    const ts = [1000, 1050, 1300, 3000];
    expect(scheduleOffsets({ mode: 'recorded', speed: 1 }, ts)).toEqual([0, 50, 300, 2000]);
    expect(scheduleOffsets({ mode: 'recorded', speed: 2 }, ts)).toEqual([0, 25, 150, 1000]);
    expect(scheduleOffsets({ mode: 'recorded', speed: 0.5 }, ts)).toEqual([0, 100, 600, 4000]);
    expect(scheduleOffsets({ mode: 'rate', perSecond: 100 }, ts)).toEqual([0, 10, 20, 30]);
    expect(scheduleOffsets({ mode: 'fast' }, ts)).toEqual([0, 0, 0, 0]);
  });

  it('accepts one pacing option at a time; default is as recorded', () => {
    expect(pacingFromOptions({})).toEqual({ mode: 'recorded', speed: 1 });
    expect(pacingFromOptions({ speed: 2 })).toEqual({ mode: 'recorded', speed: 2 });
    expect(() => pacingFromOptions({ speed: 2, fast: true })).toThrow(GauntletError);
  });

  it('plans: route from templates, unsafe methods gated by safe routes, hop headers not resent', () => {
    const xs = [...recorded([0, 10]), ...recorded([20], 'POST', '/v1/items/9'), ...recorded([30], 'DELETE', '/v1/items/9'), ...recorded([40], 'POST', '/v1/search')];
    const plan = planReplay(xs, { routes: ['/v1/items/{id}'], safeRoutes: [{ method: 'POST', route: '/v1/search' }, { method: 'POST', route: '/v1/items/*' }], allowUnsafe: false, limit: 100 });
    expect(plan.entries.map((e) => `${e.method} ${e.route}`)).toEqual(['GET /v1/items/{id}', 'GET /v1/items/{id}', 'POST /v1/items/{id}', 'POST /v1/search']);
    expect(plan.skippedUnsafe).toEqual({ 'DELETE /v1/items/{id}': 1 });
    expect(plan.entries[0]!.path).toBe('/v1/items/7?full=1');
    expect(plan.entries[0]!.headers).toEqual({ 'x-request-id': 'r-0' });
    const all = planReplay(xs, { routes: [], safeRoutes: [], allowUnsafe: true, limit: 3 });
    expect(all.entries).toHaveLength(3);
    expect(all.overLimit).toBe(2);
    expect(all.entries[0]!.route).toBe('/v1/items/7');
  });

  describe('against two live runtimes', () => {
    let a: TestServer;
    let b: TestServer;
    let service: ServiceEndpoints;
    const telemetry = startTelemetry({ endpoint: undefined, runId: 'r-pacing' });
    beforeAll(async () => {
      a = await startServer((_req, res) => res.end('{"ok":true}'));
      b = await startServer((req, res) => res.end(req.headers['x-request-id'] === 'r-3' ? '{"ok":false}' : '{"ok":true}'));
      const rt = (name: string, role: 'primary' | 'candidate', url: string) => ({ name, role, url, headers: {}, managed: false });
      service = { service: 'items', primary: rt('a', 'primary', a.url), candidate: rt('b', 'candidate', b.url), others: [] };
      // Warm undici and the JIT: the first exchange of a process is slow, and these tests time sends.
      await drive(planReplay(recorded([0, 0, 0, 0]), { routes: [], safeRoutes: [], allowUnsafe: false, limit: 10 }).entries, { mode: 'fast' });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await telemetry.shutdown();
    });

    const drive = (entries: ReturnType<typeof planReplay>['entries'], pacing: Parameters<typeof driveReplay>[0]['pacing'], maxDurationMs = 60_000) =>
      driveReplay({ session: { runId: 'r-pacing', telemetry }, service, entries, pacing, concurrency: 64, maxDurationMs, probe: { timeoutMs: 5000, maxBodyBytes: 1 << 20 } });

    // Timed against the wall clock on a shared machine: a retry absorbs a descheduled moment.
    it('--speed 2 on a recording spanning 2 s with uneven gaps finishes within 5% of 1 s', { retry: 2 }, async () => {
      // Uneven gaps, and a burst: a replay that slept "gap after the previous send" would drift.
      const offsets = [0, 5, 10, 180, 400, 410, 415, 900, 1200, 1210, 1500, 1800, 1805, 1990, 2000];
      const plan = planReplay(recorded(offsets), { routes: [], safeRoutes: [], allowUnsafe: false, limit: 1000 });
      const r = await drive(plan.entries, { mode: 'recorded', speed: 2 });
      expect(r.pairs).toBe(offsets.length);
      expect(r.exchanges).toBe(2 * offsets.length);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(950);
      expect(r.elapsedMs).toBeLessThanOrEqual(1050);
      expect(r.maxLagMs).toBeLessThan(50);
    });

    it('--rate paces evenly; the time bound stops sending and counts what was not sent', async () => {
      const plan = planReplay(recorded(Array.from({ length: 30 }, () => 0)), { routes: [], safeRoutes: [], allowUnsafe: false, limit: 1000 });
      const r = await drive(plan.entries, { mode: 'rate', perSecond: 50 }, 290);
      expect(r.pairs).toBe(15);
      expect(r.notSent).toBe(15);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(280);
    });

    it('reports live match/differ counts from probe results (display only)', async () => {
      const seen: number[] = [];
      const plan = planReplay(recorded([0, 0, 0, 0, 0, 0]), { routes: [], safeRoutes: [], allowUnsafe: false, limit: 1000 });
      const r = await driveReplay({
        session: { runId: 'r-pacing', telemetry },
        service,
        entries: plan.entries,
        pacing: { mode: 'fast' },
        concurrency: 2,
        maxDurationMs: 60_000,
        probe: { timeoutMs: 5000, maxBodyBytes: 1 << 20 },
        onProgress: (l) => seen.push(l.diverge),
      });
      expect(r.pairs).toBe(6);
      expect(seen.at(-1)).toBe(1);
    });
  });
});

describe('parseCLI: record, replay, import', () => {
  it.each([
    [['record', '--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:3100', '--out', 'r.ndjson', '--max-bytes', '10MiB'], 'record'],
    [['replay', 'r.ndjson', 'r.1.ndjson', '--speed', '2', '--limit', '10', '--allow-unsafe', '--skip-invalid'], 'replay'],
    [['replay', 'r.ndjson', '--fast', '--concurrency', '8', '--json', 'o.json'], 'replay'],
    [['import', 'har', 'x.har', '--out', 'r.ndjson', '--host', 'shop.example.com'], 'import'],
  ])('%j → %s', (argv, command) => {
    expect(parseCLI(argv).command).toBe(command);
  });

  it.each([[['record', '--listen', '127.0.0.1:0']], [['replay']], [['replay', 'r.ndjson', '--bogus']], [['import', 'x.har', '--out', 'o']], [['import', 'har', 'x.har']]])('%j is a usage error', (argv) => {
    expect(() => parseCLI(argv)).toThrow(GauntletError);
  });

  it('validates sizes, counts and listen addresses with messages naming the option', () => {
    expect(parseByteSize('max-bytes', '10MiB')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('max-bytes', '512k')).toBe(512 * 1024);
    expect(() => parseByteSize('max-bytes', 'lots')).toThrow(/--max-bytes must be a size/);
    expect(parsePositive('speed', '0.5')).toBe(0.5);
    expect(() => parsePositive('limit', '2.5', { integer: true })).toThrow(/--limit must be a whole number/);
    expect(parseListen('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('host:99999')).toThrow(/--listen/);
  });
});
