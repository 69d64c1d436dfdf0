import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, commandHelp, globalHelp, parseCLI } from '../src/cli/parse.ts';
import { main } from '../src/cli/main.ts';
import { PHASES } from '../src/config/index.ts';

const BIN = fileURLToPath(new URL('../bin/gauntlet.mjs', import.meta.url));

/** A stream that keeps what is written to it. */
function sink(): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY: false, write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('per-command help, generated from the option table', () => {
  it.each(COMMAND_NAMES)('gauntlet %s --help (and gauntlet help <cmd>) names every option of its table', async (name) => {
    expect(parseCLI([name, '--help'])).toMatchObject({ command: 'help', topic: name });
    expect(parseCLI(['help', name])).toMatchObject({ command: 'help', topic: name });
    const stdout = sink();
    const stderr = sink();
    expect(await main([name, '--help'], { stdout, stderr })).toBe(0);
    expect(stderr.text).toBe('');
    const text = stdout.text;
    expect(text).toBe(commandHelp(name) + '\n');
    expect(text.startsWith(`gauntlet ${name} — `)).toBe(true);
    expect(text).toMatch(/^Usage:\n {2}gauntlet /m);
    for (const [option, spec] of Object.entries(COMMANDS[name].options)) {
      expect(text, `--${option} in the help of ${name}`).toContain(`--${option}`);
      expect(text).toContain(spec.description);
    }
    expect(text).toMatch(/Exit codes: 0 ok .* 2 bad usage\/config\/input · 70 internal error · 130 interrupted/);
  });

  it('help of one command shows its options only', () => {
    expect(commandHelp('schema')).not.toContain('--store');
    expect(commandHelp('runs')).not.toContain('--repeat');
    expect(commandHelp('daemon')).toContain('--flavour rust|go');
  });

  it('run lists --phase/--skip, every phase and the exit codes 0/1/2/70/130', () => {
    const text = commandHelp('run');
    expect(text).toContain('--phase P,Q');
    expect(text).toContain('--skip P,Q');
    for (const phase of PHASES) expect(text).toContain(phase);
    for (const code of ['0 ok', '1 the gate failed', '2 bad usage', '70 internal error', '130 interrupted']) expect(text).toContain(code);
  });

  it('global help lists every command and points to per-command help', () => {
    const text = globalHelp();
    for (const name of COMMAND_NAMES) expect(text).toContain(`gauntlet ${name}`);
    expect(text).toContain('gauntlet help COMMAND');
    expect(parseCLI([])).toMatchObject({ command: 'help' });
    expect(parseCLI(['help'])).not.toHaveProperty('topic');
  });

  it('help for an unknown command is a usage error', () => {
    expect(() => parseCLI(['help', 'nope'])).toThrow(/unknown command "nope"/);
  });

  it.each(['run', 'replay', 'mirror'])('the real bin: gauntlet %s --help exits 0 with its own options', (name) => {
    const r = spawnSync(process.execPath, [BIN, name, '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(commandHelp(name as 'run') + '\n');
    for (const option of Object.keys(COMMANDS[name as 'run'].options)) expect(r.stdout).toContain(`--${option}`);
  });

  it('the real bin: an unknown option exits 2 and names the command’s help', () => {
    const r = spawnSync(process.execPath, [BIN, 'replay', 'r.ndjson', '--bogus'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/GAUNTLET_USAGE: Unknown option '--bogus'/);
    expect(r.stderr).toContain('see gauntlet replay --help');
  });
});
