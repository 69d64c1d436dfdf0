import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, readStackFile, tomlKeyLines } from '../src/config/index.ts';
import { REPO_ROOT, runCli } from './support/cli.ts';

/** Bad stack files: exit 2 before anything starts, naming file:line and the field. */
describe('stack files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-stack-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const CASES: Array<{ name: string; text: string; line: number; path?: string; message: RegExp }> = [
    {
      name: 'port.toml',
      text: '[daemons.a]\nreference = { service = "validatord", flavour = "rust" }\n# the port\nport = "3221"\n',
      line: 4,
      path: 'daemons.a.port',
      message: /expected number/,
    },
    {
      name: 'both.toml',
      text: 'name = "x"\n\n[daemons.a]\nreference = { service = "vectord", flavour = "go" }\ncommand = ["sleep", "100"]\n',
      line: 3,
      path: 'daemons.a',
      message: /set exactly one of `reference` or `command`/,
    },
    {
      name: 'unknown-key.toml',
      text: '[daemons.a]\ncommand = ["x"]\nprot = 3221\n',
      line: 3,
      path: 'daemons.a.prot',
      message: /Unrecognized key/,
    },
    {
      name: 'service.toml',
      text: '[daemons.a]\nreference.service = "billingd"\nreference.flavour = "go"\n',
      line: 2,
      path: 'daemons.a.reference.service',
      message: /validatord|vectord|storaged/,
    },
    {
      name: 'nested.toml',
      text: '[daemons.a]\ncommand = ["x"]\n\n[daemons.a.restart]\npolicy = "sometimes"\n',
      line: 5,
      path: 'daemons.a.restart.policy',
      message: /always|on-failure/,
    },
    { name: 'syntax.toml', text: '[daemons.a]\ncommand = ["x"\nport = 1\n', line: 3, message: /not valid TOML/ },
    {
      name: 'bad.yaml',
      text: 'daemons:\n  a:\n    command: [x]\n    port: -1\n',
      line: 4,
      path: 'daemons.a.port',
      message: />=0|too small/i,
    },
    {
      name: 'bad.json',
      text: '{\n  "daemons": {\n    "a": { "reference": { "service": "vectord", "flavour": "java" } }\n  }\n}\n',
      line: 3,
      path: 'daemons.a.reference.flavour',
      message: /rust|go/,
    },
  ];

  for (const c of CASES) {
    it(`${c.name}: exit 2 naming ${c.name}:${c.line}${c.path ? ` at ${c.path}` : ''}`, async () => {
      const file = join(dir, c.name);
      await writeFile(file, c.text);
      const r = await runCli(['stack', 'up', '--file', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`GAUNTLET_STACK_INVALID: ${file}:${c.line}${c.path ? ` at ${c.path}:` : ':'}`);
      expect(r.stderr).toMatch(c.message);
      expect(r.stdout).toBe('');
    });
  }

  it('a missing file, an unknown extension, and no file at all are usage errors (exit 2)', async () => {
    const missing = await runCli(['stack', 'status', '--file', join(dir, 'nope.toml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`GAUNTLET_STACK_INVALID: ${join(dir, 'nope.toml')}: cannot read stack file: ENOENT`);
    const ini = join(dir, 'stack.ini');
    await writeFile(ini, 'x');
    const unknown = await runCli(['stack', 'up', '--file', ini]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown stack file type ".ini"');
    const none = await runCli(['stack', 'status'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('which stack? give --file FILE');
    const action = await runCli(['stack', 'restart']);
    expect(action.code).toBe(2);
    expect(action.stderr).toContain('stack needs an action: up, down, status or logs (got "restart")');
  });

  it('the shipped example parses: five reference twins on fixed ports, state beside it', async () => {
    const loaded = await readStackFile(join(REPO_ROOT, 'harness/stack/lakehouse-persistent.toml'));
    expect(loaded.name).toBe('lakehouse-persistent');
    expect(loaded.stateDir).toBe(join(REPO_ROOT, 'harness/stack/.gauntlet/stack/lakehouse-persistent'));
    expect(Object.fromEntries(Object.entries(loaded.stack.daemons).map(([n, d]) => [n, [d.reference?.service, d.reference?.flavour, d.port]]))).toEqual({
      'validatord-rust': ['validatord', 'rust', 3221],
      'validatord-go': ['validatord', 'go', 3222],
      'vectord-rust': ['vectord', 'rust', 3231],
      'vectord-go': ['vectord', 'go', 3232],
      'storaged-rust': ['storaged', 'rust', 3241],
    });
    expect(loaded.stack.daemons['validatord-rust']!.restart).toEqual({ policy: 'always', backoffMs: 500, maxBackoffMs: 30_000 });
  });

  it('the shipped config points its runtimes at the shipped stack, whose spans go to its collector port', async () => {
    const loaded = await readConfig(join(REPO_ROOT, 'harness/stack/gauntlet.persistent.yaml'));
    expect(loaded.config.stack.persistent).toBe('lakehouse-persistent.toml');
    const stack = await readStackFile(join(loaded.baseDir, loaded.config.stack.persistent!));
    expect(stack.stack.otlpEndpoint).toBe(`http://127.0.0.1:${loaded.config.collector.port}`);
    // The TOML names its schema for taplo / Even Better TOML, like the YAML files do for yaml-language-server.
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(stack.file, 'utf8')).split('\n')[0]).toBe('#:schema ../../schemas/stack.json');
  });

  it('tomlKeyLines: headers, dotted and quoted keys, arrays of tables', () => {
    const lines = tomlKeyLines('a = 1\n[t."x.y"]\nb.c = 2\n[[arr]]\nk = 1\n[[arr]]\nk = 2\n');
    const at = (...p: string[]) => lines.get(p.join('\u0000'));
    expect(at('a')).toBe(1);
    expect(at('t', 'x.y')).toBe(2);
    expect(at('t', 'x.y', 'b', 'c')).toBe(3);
    expect(at('arr', '0', 'k')).toBe(5);
    expect(at('arr', '1', 'k')).toBe(7);
  });
});
