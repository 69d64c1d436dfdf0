import { describe, expect, it } from 'vitest';
import { commandHelp } from '../src/cli/parse.ts';
import { runCli } from './support/cli.ts';

/** Issue 16: `--skip-invalid` (and the other options) belong in `import har`'s usage, not only in its option list. */
describe('gauntlet import har: usage names every option', () => {
  const form = 'gauntlet import har FILE --out FILE [--service NAME] [--host HOST] [--skip-invalid]';

  it('in the help', () => {
    expect(commandHelp('import')).toContain(`Usage:\n  ${form}\n`);
  });

  it('in the usage error, exit 2', async () => {
    const r = await runCli(['import', 'har']);
    expect(r.stderr).toContain(`GAUNTLET_USAGE: usage: ${form}`);
    expect(r.code).toBe(2);
  });
});
