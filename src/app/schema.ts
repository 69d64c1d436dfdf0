/**
 * `schema [FORMAT] [--out FILE]`, `schema --all --out-dir DIR`: the JSON Schema of every file
 * format gauntlet reads, generated from its zod schema (the single source of the types). Draft-07
 * with `$id` and `title`, the draft the YAML language server supports; the shipped YAML files name
 * their schema on their first line (`# yaml-language-server: $schema=…`).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { BaselineSchema, CaseFileSchema, ConfigSchema, LedgerSchema, ScenarioFileSchema, SmokeSuiteSchema, StackFileSchema } from '../config/index.ts';
import { RecordedExchangeSchema, RecordingHeaderSchema } from '../record/index.ts';
import { writeFileAtomic, writeFileSet } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import type { Outcome, Output } from './output.ts';

const FORMATS = {
  config: { schema: ConfigSchema, title: 'gauntlet config (gauntlet.config.yaml)' },
  cases: { schema: CaseFileSchema, title: 'gauntlet parity case file' },
  smoke: { schema: SmokeSuiteSchema, title: 'gauntlet smoke suite' },
  scenarios: { schema: ScenarioFileSchema, title: 'gauntlet load scenario file' },
  ledger: { schema: LedgerSchema, title: 'gauntlet known-divergence ledger' },
  baseline: { schema: BaselineSchema, title: 'gauntlet baseline' },
  stack: { schema: StackFileSchema, title: 'gauntlet persistent stack file (gauntlet stack up)' },
  'recording-header': { schema: RecordingHeaderSchema, title: 'gauntlet recording: the header line (line 1)' },
  'recording-exchange': { schema: RecordedExchangeSchema, title: 'gauntlet recording: one exchange line' },
} as const;

export type SchemaName = keyof typeof FORMATS;
export const SCHEMA_NAMES = Object.keys(FORMATS) as SchemaName[];
/** Where the schemas are published in this repository (and what `$id` points at). */
export const SCHEMA_ID_BASE = 'https://gauntlet.dev/schemas/';

export function jsonSchemaOf(name: SchemaName): Record<string, unknown> {
  const f = FORMATS[name];
  const schema = z.toJSONSchema(f.schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, $id: `${SCHEMA_ID_BASE}${name}.json`, title: f.title };
}

const text = (name: SchemaName) => JSON.stringify(jsonSchemaOf(name), null, 2) + '\n';

export async function printSchema(input: { name: string; out?: string | undefined; all?: boolean; outDir?: string | undefined }, out: Output): Promise<Outcome> {
  if (input.all) {
    if (input.outDir === undefined) throw new GauntletError('GAUNTLET_CONFIG_INVALID', 'schema --all needs --out-dir DIR');
    const files = SCHEMA_NAMES.map((name) => ({ path: join(input.outDir!, `${name}.json`), data: () => text(name) }));
    await writeFileSet(files);
    out.stdout.write(files.map((f) => f.path).join('\n') + '\n');
    return 'ok';
  }
  if (!(input.name in FORMATS)) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `unknown format "${input.name}"`, { hint: `one of: ${SCHEMA_NAMES.join(', ')}` });
  if (input.out !== undefined) await writeFileAtomic(input.out, text(input.name as SchemaName));
  else out.stdout.write(text(input.name as SchemaName));
  return 'ok';
}
