import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf, exitCodeOfError, exitCodeOfOutcome } from '../src/cli/exit-codes.ts';
import { main } from '../src/cli/main.ts';
import { GauntletError, type ErrorCode } from '../src/util/errors.ts';

describe('error code → exit code (the only mapping)', () => {
  it.each([
    ['GAUNTLET_USAGE', 2],
    ['GAUNTLET_CONFIG_INVALID', 2],
    ['GAUNTLET_CONFIG_NOT_FOUND', 2],
    ['GAUNTLET_CASES_INVALID', 2],
    ['GAUNTLET_INPUT_INVALID', 2],
    ['GAUNTLET_RECORDING_LINE', 2],
    ['GAUNTLET_RECORDING_VERSION', 2],
    ['GAUNTLET_RUN_NOT_FOUND', 2],
    ['GAUNTLET_OTLP_INVALID', 2],
    ['GAUNTLET_NOTHING_TO_RUN', 2],
    ['GAUNTLET_STORE', 70],
    ['GAUNTLET_DAEMON_START', 70],
    ['GAUNTLET_INTERNAL', 70],
    ['GAUNTLET_INTERRUPTED', 130],
  ] satisfies Array<[ErrorCode, number]>)('%s → %i', (code, exit) => {
    expect(exitCodeOfError(code)).toBe(exit);
    expect(exitCodeOf(new GauntletError(code, 'x'), false)).toBe(exit);
  });

  it('errors without a code: 70, or 130 once a signal arrived', () => {
    expect(exitCodeOf(new TypeError('bug'), false)).toBe(EXIT.internal);
    expect(exitCodeOf(new TypeError('bug'), true)).toBe(EXIT.interrupted);
  });

  it.each([
    ['ok', 0],
    ['failed', 1],
    ['interrupted', 130],
  ] as const)('outcome %s → %i', (outcome, exit) => {
    expect(exitCodeOfOutcome(outcome)).toBe(exit);
  });

  it('a judge invariant is internal, not bad input', async () => {
    const { adjustPValues } = await import('../src/judge/adjust.ts');
    expect(() => adjustPValues([2], 'holm')).toThrow(expect.objectContaining({ code: 'GAUNTLET_INTERNAL' }));
    expect(exitCodeOfError('GAUNTLET_INTERNAL')).toBe(70);
  });

  it('main: bad usage exits 2 with the code on stderr', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) } } as unknown as Pick<NodeJS.Process, 'stdout' | 'stderr'>;
    expect(await main(['parity', '--repeat', '0'], io)).toBe(2);
    expect(err).toMatch(/GAUNTLET_USAGE: --repeat must be a whole number from 1 to 999999, got "0"/);
  });
});
