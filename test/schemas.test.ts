import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaOf, SCHEMA_NAMES } from '../src/app/schema.ts';
import { REPO_ROOT, runCli } from './support/cli.ts';

/** Editor schemas: every file format, draft-07 with $id and title, published in schemas/ and named by the shipped YAML. */
describe('JSON Schemas for editors', () => {
  it('covers every file format gauntlet reads, draft-07, with $id and title', () => {
    expect(SCHEMA_NAMES.sort()).toEqual(['baseline', 'cases', 'config', 'ledger', 'recording-exchange', 'recording-header', 'scenarios', 'smoke', 'stack']);
    for (const name of SCHEMA_NAMES) {
      const s = jsonSchemaOf(name);
      expect(s.$schema, name).toBe('http://json-schema.org/draft-07/schema#');
      expect(s.$id, name).toMatch(new RegExp(`/schemas/${name}\\.json$`));
      expect(typeof s.title, name).toBe('string');
    }
  });

  it('the published schemas/ are exactly what the code generates (they cannot drift)', () => {
    for (const name of SCHEMA_NAMES) {
      const file = join(REPO_ROOT, 'schemas', `${name}.json`);
      expect(existsSync(file), `${file} — regenerate with: gauntlet schema --all --out-dir schemas`).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8')), `${name}: regenerate with gauntlet schema --all --out-dir schemas`).toEqual(jsonSchemaOf(name));
    }
  });

  it('every shipped YAML names its schema for the YAML language server, and the path exists', () => {
    const shipped: Array<[string, string]> = [
      ['harness/ledger.yaml', 'ledger'],
      ['harness/parity/validatord.cases.yaml', 'cases'],
      ['harness/smoke/validatord.yaml', 'smoke'],
      ['harness/smoke/vectord.yaml', 'smoke'],
      ['harness/stack/gauntlet.persistent.yaml', 'config'],
      ['load/vectord.run.yaml', 'scenarios'],
      ['load/vectord.scenarios.yaml', 'scenarios'],
    ];
    for (const [file, format] of shipped) {
      const first = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, file).not.toBeNull();
      expect(resolve(dirname(join(REPO_ROOT, file)), m![1]!)).toBe(join(REPO_ROOT, 'schemas', `${format}.json`));
    }
  });

  it('`gauntlet schema smoke` prints it; an unknown format exits 2 naming the known ones', async () => {
    const ok = await runCli(['schema', 'smoke']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(jsonSchemaOf('smoke'));
    const bad = await runCli(['schema', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('one of: config, cases, smoke, scenarios, ledger, baseline, stack, recording-header, recording-exchange');
  }, 60_000);
});
