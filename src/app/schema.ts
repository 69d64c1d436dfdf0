/** `schema [config|cases]`: the JSON Schema of a file format, generated from its zod schema. */
import { z } from 'zod';
import { SCHEMAS } from '../config/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import type { Outcome, Output } from './output.ts';

export type SchemaName = keyof typeof SCHEMAS;
export const SCHEMA_NAMES = Object.keys(SCHEMAS) as SchemaName[];

export function jsonSchemaOf(name: SchemaName): unknown {
  return z.toJSONSchema(SCHEMAS[name], { io: 'input', unrepresentable: 'any' });
}

export async function printSchema(input: { name: string; out?: string | undefined }, out: Output): Promise<Outcome> {
  if (!(input.name in SCHEMAS)) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `unknown format "${input.name}"`, { hint: `one of: ${SCHEMA_NAMES.join(', ')}` });
  const text = JSON.stringify(jsonSchemaOf(input.name as SchemaName), null, 2) + '\n';
  if (input.out !== undefined) await writeFileAtomic(input.out, text);
  else out.stdout.write(text);
  return 'ok';
}
