import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, readCaseFile, readConfig } from '../src/config/index.ts';
import { GauntletError } from '../src/util/errors.ts';
import { jsonSchemaOf } from '../src/app/schema.ts';
import { runCli, REPO_ROOT } from './support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectConfigError(text: string, name: string, expected: { path: string; line?: number; message: RegExp }) {
  const file = join(dir, name);
  await writeFile(file, text);
  const err = await readConfig(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GauntletError);
  const g = err as GauntletError;
  expect(g.code).toBe('GAUNTLET_CONFIG_INVALID');
  expect(g.facts.file).toBe(file);
  expect(g.facts.path).toBe(expected.path);
  if (expected.line !== undefined) expect(g.facts.line).toBe(expected.line);
  expect(g.message).toMatch(expected.message);
}

const base = (rt: string) => `stack:\n  services:\n    validatord:\n      primary: rust\n      candidate: go\n      runtimes:\n        rust: { url: "http://127.0.0.1:3100" }\n${rt}`;

describe('config validation names file, line and JSON path', () => {
  it.each([
    ['bad url', base('        go: { url: "not a url" }\n'), 'stack.services.validatord.runtimes.go.url', 8, /url/i],
    ['unknown key', base('        go: { url: "http://127.0.0.1:4110", colour: red }\n'), 'stack.services.validatord.runtimes.go', 8, /colour/],
    ['both url and reference', base('        go: { url: "http://127.0.0.1:4110", reference: { flavour: go } }\n'), 'stack.services.validatord.runtimes.go', 8, /exactly one/],
    ['candidate not defined', base('        golang: { url: "http://127.0.0.1:4110" }\n'), 'stack.services.validatord.candidate', 5, /"go" is not defined/],
    ['non-loopback receiver', base('        go: { url: "http://127.0.0.1:4110" }\ncollector:\n  host: 0.0.0.0\n'), 'collector.host', 10, /loopback/],
  ])('%s', async (name, text, path, line, message) => {
    await expectConfigError(text, `${name.replace(/ /g, '-')}.yaml`, { path, line, message });
  });

  it('reports YAML syntax errors with a line', async () => {
    const file = join(dir, 'syntax.yaml');
    await writeFile(file, 'stack:\n  services: [\n');
    await expect(readConfig(file)).rejects.toMatchObject({ code: 'GAUNTLET_CONFIG_INVALID', facts: { file } });
  });

  it('accepts a TypeScript config through defineConfig, validated by the same schema', async () => {
    const file = join(dir, 'gauntlet.config.ts');
    await writeFile(
      file,
      `import { defineConfig } from '${join(REPO_ROOT, 'src/config/index.ts')}';\nexport default defineConfig({ stack: { services: { validatord: { primary: 'rust', candidate: 'go', runtimes: { rust: { url: 'http://127.0.0.1:3100' }, go: { url: 'http://127.0.0.1:4110' } } } } } });\n`,
    );
    const loaded = await readConfig(file);
    expect(loaded.config.stack.services.validatord!.runtimes.go!.url).toBe('http://127.0.0.1:4110');
    expect(loaded.config.probe.timeoutMs).toBe(10_000);
    const bad = join(dir, 'bad.config.ts');
    await writeFile(bad, `export default { stack: { services: { validatord: { primary: 'rust', candidate: 'go', runtimes: { rust: { url: 'nope' }, go: { url: 'http://127.0.0.1:4110' } } } } } };\n`);
    await expect(readConfig(bad)).rejects.toMatchObject({ code: 'GAUNTLET_CONFIG_INVALID', facts: { path: 'stack.services.validatord.runtimes.rust.url' } });
  });

  it('the real CLI loads a .ts config outside any ESM package (no "type": "module" nearby)', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'gauntlet-ts-config-'));
    try {
      await writeFile(
        join(outside, 'gauntlet.config.ts'),
        `import { defineConfig } from '${join(REPO_ROOT, 'src/config/index.ts')}';\nexport default defineConfig({ store: { path: 'custom.duckdb' }, stack: { services: { v: { primary: 'a', candidate: 'b', runtimes: { a: { url: 'http://127.0.0.1:9' }, b: { url: 'http://127.0.0.1:9' } } } } } });\n`,
      );
      const r = await runCli(['runs'], { cwd: outside });
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(join(outside, 'custom.duckdb'));
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  }, 60_000);

  it('the default config targets the reference twins on ephemeral loopback ports', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'gauntlet-empty-'));
    const loaded = await readConfig(undefined, empty, {});
    await rm(empty, { recursive: true, force: true });
    expect(loaded.file).toBeUndefined();
    const svc = loaded.config.stack.services.validatord!;
    expect(svc.runtimes.rust!.reference).toEqual({ flavour: 'rust' });
    expect(svc.runtimes.go!.reference).toEqual({ flavour: 'go' });
    expect(loaded.config.collector).toMatchObject({ host: '127.0.0.1', port: 0 });
  });

  it('case files: duplicate ids and bad paths are named', async () => {
    const file = join(dir, 'dup.cases.yaml');
    await writeFile(file, 'service: validatord\ncases:\n  - id: a\n    request: { path: /x }\n  - id: a\n    request: { path: /y }\n');
    const err = (await readCaseFile(file).catch((e: unknown) => e)) as GauntletError;
    expect(err.code).toBe('GAUNTLET_CASES_INVALID');
    expect(err.facts.path).toBe('cases[1].id');
    expect(err.facts.line).toBe(5);
    expect(err.message).toMatch(/duplicate/);
    const badPath = join(dir, 'path.cases.yaml');
    await writeFile(badPath, 'service: validatord\ncases:\n  - id: a\n    request:\n      path: nope\n');
    const err2 = (await readCaseFile(badPath).catch((e: unknown) => e)) as GauntletError;
    expect(err2.facts).toMatchObject({ file: badPath, path: 'cases[0].request.path', line: 5 });
  });

  it('the CLI exits 2 naming the file and the JSON path', async () => {
    const file = join(dir, 'cli-bad.yaml');
    await writeFile(file, base('        go: { url: 12 }\n'));
    const r = await runCli(['parity', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('stack.services.validatord.runtimes.go.url');
    expect(r.stderr).toContain(`${file}:8`);
  });

  it('gauntlet schema prints the JSON Schema generated from the zod schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(schema).toEqual(jsonSchemaOf('config'));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['stack', 'parity', 'collector', 'store', 'probe']));
    const cases = await runCli(['schema', 'cases']);
    expect(JSON.parse(cases.stdout)).toHaveProperty('properties.cases');
    expect(ConfigSchema.safeParse({}).success).toBe(false);
  });

  it('unknown commands and options are usage errors (exit 2)', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['parity', '--nope'])).code).toBe(2);
    expect((await runCli(['analyze'])).code).toBe(2);
  });
});

describe('config discovery (a CI hazard when it silently falls back)', () => {
  it('walks up to the repository root, honours GAUNTLET_CONFIG, and says on stderr when the embedded default is used', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'gauntlet-discovery-'));
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(repo, '.git'));
      await mkdir(join(repo, 'services', 'orders'), { recursive: true });
      const cfg = (store: string) => `stack: { services: { v: { primary: a, candidate: b, runtimes: { a: { url: "http://127.0.0.1:9" }, b: { url: "http://127.0.0.1:9" } } } } }\nstore: { path: ${store} }\n`;
      await writeFile(join(repo, 'gauntlet.config.yaml'), cfg('root.duckdb'));
      // From a subdirectory: the repository's config, found by walking up.
      const sub = await runCli(['runs'], { cwd: join(repo, 'services', 'orders') });
      expect(sub.stderr).toBe('');
      expect(sub.stdout).toContain(join(repo, 'root.duckdb'));
      // GAUNTLET_CONFIG wins over discovery.
      await writeFile(join(repo, 'other.yaml'), cfg('other.duckdb'));
      const env = await runCli(['runs'], { cwd: join(repo, 'services'), env: { GAUNTLET_CONFIG: join(repo, 'other.yaml') } });
      expect(env.stdout).toContain(join(repo, 'other.duckdb'));
      // Nothing here or above (the walk stops at the repository root): the embedded default, said so.
      await rm(join(repo, 'gauntlet.config.yaml'));
      const none = await runCli(['runs'], { cwd: join(repo, 'services', 'orders') });
      expect(none.code).toBe(0);
      expect(none.stderr).toMatch(/^note: no gauntlet\.config\.\{ts,mjs,js,yaml,yml,json\} here or above .*using the embedded default/m);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  }, 60_000);
});
