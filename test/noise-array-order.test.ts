import { describe, expect, it } from 'vitest';
import type { ObservedExchange, ObservedPair } from '../src/analyze/index.ts';
import { comparePair } from '../src/analyze/compare.ts';
import { NoiseModel } from '../src/analyze/noise.ts';
import { NoiseSchema } from '../src/config/schema.ts';

function exchange(runtime: string, body: string): ObservedExchange {
  return {
    traceId: 't', spanId: runtime, driver: 'parity', service: 'svc', runtime, role: 'primary', caseId: '1', pairId: 'p', route: '/v1/keys', method: 'GET',
    url: '', startNs: 0n, status: 200, errorType: undefined, errorMessage: undefined, contentType: 'application/json', body, bodyTruncated: false,
    shapeHash: undefined, bodyHash: undefined, clientMs: 1, serverMs: undefined, serverRoute: undefined,
  };
}

/**
 * Issue 12 item 3: a list built by iterating a Go map changes order between identical requests. It
 * is its own class (array-order) and a divergence — a client that relies on the order breaks — so
 * calibration does not hide it: when calibration sees the primary reorder it, the finding says the
 * order is unstable between identical requests. An `unordered` rule accepts it as noise.
 */
describe('array order instability seen by calibration', () => {
  const pair = (primary: string, calibration: string, candidate: string): ObservedPair => ({
    pairId: 'p', service: 'svc', caseId: '1', route: '/v1/keys', method: 'GET', startNs: 0n,
    primary: exchange('go', primary), calibration: exchange('go', calibration), candidate: exchange('rust', candidate), secondaries: [],
  });

  it('the diff words array-order as unstable; calibration keeps it as a finding, an unordered rule makes it noise', () => {
    const model = new NoiseModel(NoiseSchema.parse({}));
    const p = pair('{"keys":["b","a","c"]}', '{"keys":["c","b","a"]}', '{"keys":["a","b","c"]}');
    model.learn([p]);
    const raw = comparePair(p.primary!, p.candidate!, model.diffOptions(p));
    expect(raw.map((f) => `${f.class} ${f.path}`)).toEqual(['array-order /keys']);
    expect(raw[0]?.detail).toMatch(/unstable between identical requests/);
    expect(raw[0]?.cause).toMatch(/changes between identical requests/);
    const { kept } = model.filterPair(p, raw);
    expect(kept.map((f) => `${f.class} ${f.path}`)).toEqual(['array-order /keys']);
    expect(kept[0]?.detail).toMatch(/unstable between identical requests/);

    const accepting = new NoiseModel(NoiseSchema.parse({ unordered: [{ route: '/v1/keys', paths: ['/keys'] }] }));
    accepting.learn([p]);
    const accepted = accepting.filterPair(p, comparePair(p.primary!, p.candidate!, accepting.diffOptions(p)));
    expect(accepted.kept).toEqual([]);
  });

  it('without instability on the primary, a different order stays an array-order finding', () => {
    const model = new NoiseModel(NoiseSchema.parse({}));
    const p = pair('{"keys":["a","b","c"]}', '{"keys":["a","b","c"]}', '{"keys":["c","a","b"]}');
    model.learn([p]);
    const { kept } = model.filterPair(p, comparePair(p.primary!, p.candidate!, model.diffOptions(p)));
    expect(kept.map((f) => `${f.class} ${f.path} ${f.detail}`)).toEqual(['array-order /keys same 3 elements, different order']);
  });
});
