import type { Outcome, Output } from '../../app/output.ts';
import { printSchema } from '../../app/schema.ts';
import type { CommandOptions } from '../table.ts';

export function schemaCommand(o: CommandOptions<'schema'>, positionals: string[], out: Output): Promise<Outcome> {
  return printSchema({ name: positionals[0] ?? 'config', out: o.out, all: o.all, outDir: o['out-dir'] }, out);
}
