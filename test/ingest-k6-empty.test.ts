import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';

/** Issue 16: `ingest k6` on an empty file said "no samples tagged with `runtime`" — the wrong reason. */
describe('gauntlet ingest k6: a file with nothing to import says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-ingest-empty-'));
  const store = join(dir, 'store.duckdb');

  it('an empty file: exit 2, "the file is empty"', async () => {
    const file = join(dir, 'empty.ndjson');
    writeFileSync(file, '\n');
    const r = await runCli(['ingest', 'k6', file, '--service', 'vectord', '--store', store], { cwd: dir });
    expect(r.stderr).toContain(`GAUNTLET_INPUT_INVALID: ${file}: the file is empty: no k6 output to import`);
    expect(r.stderr).not.toContain('tagged');
    expect(r.code).toBe(2);
  });

  it('Metric lines but no Point: exit 2, "no k6 samples"', async () => {
    const file = join(dir, 'metrics-only.ndjson');
    writeFileSync(file, '{"type":"Metric","metric":"http_reqs","data":{"type":"counter"}}\n{"type":"Metric","metric":"vus","data":{"type":"gauge"}}\n');
    const r = await runCli(['ingest', 'k6', file, '--service', 'vectord', '--store', store], { cwd: dir });
    expect(r.stderr).toContain(`${file}: no k6 samples: none of its 2 JSON lines is a "Point"`);
    expect(r.code).toBe(2);
  });

  it('samples without the runtime tag still get the tagging hint', async () => {
    const file = join(dir, 'untagged.ndjson');
    writeFileSync(file, '{"type":"Point","metric":"http_req_duration","data":{"time":"2026-12-03T10:00:00Z","value":1.5,"tags":{"name":"/x"}}}\n');
    const r = await runCli(['ingest', 'k6', file, '--service', 'vectord', '--store', store], { cwd: dir });
    expect(r.stderr).toContain('no samples tagged with `runtime` (1 http_req_duration samples had no runtime tag)');
    expect(r.code).toBe(2);
  });
});
