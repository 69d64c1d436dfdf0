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
    [['daemon', 'vectord', '--flavour', 'go']],
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
