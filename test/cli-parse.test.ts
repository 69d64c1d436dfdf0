import { describe, expect, it } from 'vitest';
import { parseCLI } from '../src/cli/parse.ts';
import { GauntletError } from '../src/util/errors.ts';

describe('parseCLI is pure and strict', () => {
  it.each([
    [[], 'help'],
    [['--help'], 'help'],
    [['--version'], 'version'],
    [['run'], 'run'],
    [['parity', 'a.yaml', 'b.yaml', '--json', 'out.json'], 'parity'],
    [['analyze', '--run', 'r-1'], 'analyze'],
    [['schema', 'cases'], 'schema'],
    [['daemon', 'validatord', '--flavour', 'go', '--port', '4110'], 'daemon'],
  ])('%j → %s', (argv, command) => {
    expect(parseCLI(argv).command).toBe(command);
  });

  it('keeps positionals and options', () => {
    const p = parseCLI(['parity', 'a.yaml', '--json', 'o.json', '--fail-on-divergence', '-c', 'g.yaml']);
    expect(p.positionals).toEqual(['a.yaml']);
    expect(p.options).toMatchObject({ json: 'o.json', 'fail-on-divergence': true, config: 'g.yaml' });
  });

  it.each([
    [['nope']],
    [['parity', '--bogus']],
    [['analyze']],
    [['daemon', 'validatord', '--flavour', 'java']],
    [['daemon', 'chatd', '--flavour', 'go']],
    [['schema', 'a', 'b']],
  ])('%j is a usage error', (argv) => {
    expect(() => parseCLI(argv)).toThrow(GauntletError);
    try {
      parseCLI(argv);
    } catch (e) {
      expect((e as GauntletError).code).toBe('GAUNTLET_USAGE');
    }
  });
});

describe('typed options, from the table', () => {
  const options = (argv: string[]) => parseCLI(argv).options as Record<string, unknown>;

  it('parses numbers, sizes, durations, lists, enums and times to their types, with defaults', () => {
    expect(options(['parity', '--repeat', '30'])).toMatchObject({ repeat: 30, quiet: false, 'fail-on-divergence': false });
    expect(options(['record', '--listen', '0', '--upstream', 'http://x', '--out', 'o', '--max-bytes', '10MiB'])).toMatchObject({ 'max-bytes': 10 * 1024 * 1024, 'allow-remote': false });
    expect(options(['mirror', '--sample', '0.25', '--queue', '100', '--max-body-bytes', '512k'])).toMatchObject({ sample: 0.25, queue: 100, 'max-body-bytes': 512 * 1024 });
    expect(options(['watch', '--interval', '1m30s'])).toMatchObject({ interval: '1m30s' });
    expect(options(['run', '--phase', 'smoke, parity', '--skip', 'load'])).toMatchObject({ phase: ['smoke', 'parity'], skip: ['load'] });
    expect(options(['ingest', 'k6', 'a.json', '--runtimes', 'rust,go'])).toMatchObject({ runtimes: ['rust', 'go'] });
    expect(options(['analyze', '--run', 'r'])).toMatchObject({ source: 'store', window: '5m', metric: 'http' });
    expect(options(['analyze', '--source', 'prometheus', '--url', 'u', '--end', '2026-11-27T15:00:00Z'])).toMatchObject({ end: Date.parse('2026-11-27T15:00:00Z') / 1000 });
    expect(options(['daemon', 'validatord', '--flavour', 'go', '--port', '4110'])).toMatchObject({ flavour: 'go', port: 4110 });
    expect(options(['replay', 'r.ndjson', '--speed', '2', '--max-duration', '1.5'])).toMatchObject({ speed: 2, 'max-duration': 1.5, fast: false });
  });

  it.each([
    [['parity', '--repeat', 'ten'], /--repeat must be a whole number from 1 to 999999, got "ten"/],
    [['parity', '--repeat', '1.5'], /--repeat must be a whole number/],
    [['watch', '--max-cycles', '0'], /--max-cycles must be a whole number from 1/],
    [['load', 'f.yaml', '--workers', '100'], /--workers must be a whole number from 1 to 99, got "100"/],
    [['mirror', '--sample', '2'], /--sample must be a number greater than 0 and at most 1, got "2"/],
    [['replay', 'r', '--speed', '0'], /--speed must be a number greater than 0/],
    [['record', '--listen', '0', '--upstream', 'u', '--out', 'o', '--max-bytes', 'lots'], /--max-bytes must be a size such as 1048576, 512k or 10MiB, got "lots"/],
    [['watch', '--interval', '15 seconds'], /--interval must be a duration such as 500ms, 15s, 5m or 1h30m, got "15 seconds"/],
    [['watch', '--interval', '0s'], /--interval must be longer than 0/],
    [['analyze', '--source', 'prometheus', '--url', 'u', '--window', 'soon'], /--window must be a duration/],
    [['analyze', '--source', 'prometheus', '--url', 'u', '--metric', 'otel'], /--metric must be one of http, spanmetrics, gauntlet, got "otel"/],
    [['analyze', '--source', 'prometheus', '--url', 'u', '--end', 'yesterday'], /--end must be RFC 3339/],
    [['run', '--phase', 'smoke,soak'], /unknown phase "soak" in --phase/],
    [['ingest', 'k6', 'a', '--runtimes', 'rust'], /--runtimes takes two names, A,B \(got "rust"\)/],
    [['daemon', 'validatord', '--flavour', 'go', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['replay', 'r', '--speed', '2', '--fast'], /choose one pacing: --speed, --fast/],
    [['gate'], /gate needs --run ID/],
    [['baseline', 'save', '--run', 'r'], /usage: gauntlet baseline save --run ID --out FILE/],
  ])('%j → a usage error naming the option', (argv, message) => {
    expect(() => parseCLI(argv)).toThrow(message);
    expect(() => parseCLI(argv)).toThrow(expect.objectContaining({ code: 'GAUNTLET_USAGE' }));
  });

  it('an unknown option names the command’s help', () => {
    expect(() => parseCLI(['gate', '--run', 'r', '--nope'])).toThrow(expect.objectContaining({ code: 'GAUNTLET_USAGE', facts: { hint: 'see gauntlet gate --help' } }));
  });
});
