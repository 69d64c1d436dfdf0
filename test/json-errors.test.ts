import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxProblem } from '../src/config/index.ts';
import { runCli } from './support/cli.ts';

/**
 * A JSON file that does not parse is reported in JSON's words with its line and column, whatever
 * the file is (config, cases, scenarios, ledger, baseline, HAR, recording) — never in the YAML
 * parser's words, which the loader used to pass on for every data file.
 */
const dir = mkdtempSync(join(tmpdir(), 'gauntlet-json-errors-'));
// Trailing comma: JSON.parse says "Expected double-quoted property name … at position 40".
const TRAILING_COMMA = '{\n  "service": "validatord",\n  "cases": [],\n}\n';
// Each file in its own folder, and commands run from another: a gauntlet.config.json written here
// must not be discovered by the other commands.
const cwd = mkdtempSync(join(tmpdir(), 'gauntlet-json-errors-cwd-'));
const write = (name: string, text: string) => {
  const file = join(mkdtempSync(join(dir, 'f-')), name);
  writeFileSync(file, text);
  return file;
};

describe('JSON syntax errors name line and column in JSON words', () => {
  it('findJsonSyntaxProblem: position of every kind of error, none for valid JSON', () => {
    expect(findJsonSyntaxProblem('{"a": [1, 2]}')).toBeUndefined();
    expect(findJsonSyntaxProblem(TRAILING_COMMA)).toEqual({ message: "Quoted object key expected but got '}'", line: 4, column: 1 });
    expect(findJsonSyntaxProblem('{"a":tru}')).toMatchObject({ line: 1, column: 6 });
    expect(findJsonSyntaxProblem('{"a":1,\n "a":2}')).toMatchObject({ message: "Duplicate key 'a' encountered", line: 2, column: 3 });
    expect(findJsonSyntaxProblem('{"a":1')).toMatchObject({ line: 1, column: 7 });
    expect(findJsonSyntaxProblem('')).toMatchObject({ line: 1, column: 1 });
  });

  const cases: Array<{ what: string; args: (file: string) => string[]; name: string; code: string }> = [
    { what: 'config', name: 'gauntlet.config.json', args: (f) => ['parity', '--config', f], code: 'GAUNTLET_CONFIG_INVALID' },
    { what: 'parity case file', name: 'cases.json', args: (f) => ['parity', f], code: 'GAUNTLET_CASES_INVALID' },
    { what: 'scenario file', name: 'scenarios.json', args: (f) => ['load', f], code: 'GAUNTLET_INPUT_INVALID' },
    { what: 'smoke suite', name: 'suite.json', args: (f) => ['smoke', f], code: 'GAUNTLET_INPUT_INVALID' },
  ];
  for (const c of cases) {
    it(`a ${c.what} with a trailing comma: exit 2, file:line:column, JSON wording`, async () => {
      const file = write(c.name, TRAILING_COMMA);
      const r = await runCli(c.args(file), { cwd });
      expect(r.stderr).toContain(`${c.code}: ${file}:4:1: not valid JSON: Quoted object key expected but got '}' (line 4, column 1)`);
      expect(r.stderr).not.toMatch(/YAML/);
      expect(r.code).toBe(2);
    });
  }

  it('a HAR that is not valid JSON: exit 2, line and column', async () => {
    const file = write('broken-syntax.har', '{\n  "log": {\n    "version": "1.2"\n    "entries": []\n  }\n}\n');
    const r = await runCli(['import', 'har', file, '--out', join(dir, 'never.ndjson'), '--service', 'validatord'], { cwd });
    expect(r.stderr).toContain(`${file}:4:5: not valid JSON: Comma ',' expected after value but got '"' (line 4, column 5)`);
    expect(r.stderr).not.toMatch(/YAML/);
    expect(r.code).toBe(2);
  });

  it('a recording line that is not valid JSON: exit 2, its line and column', async () => {
    const header = JSON.stringify({ format: 'gauntlet-recording', version: 1, service: 'validatord', createdAt: '2026-12-03T00:00:00.000Z', source: 'record', origin: 'http://127.0.0.1:1', segment: 0 });
    const file = write('broken.ndjson', `${header}\n{"seq": 1, "method": "GET",}\n`);
    const r = await runCli(['replay', file, '--fast'], { cwd });
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2 .*not valid JSON: Quoted object key expected but got '\\}' \\(column 28\\)`));
    expect(r.code).toBe(2);
  });
});
