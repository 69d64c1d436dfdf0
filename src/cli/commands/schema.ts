import { z } from 'zod';
import { SCHEMAS } from '../../config/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

export function jsonSchemaOf(name: keyof typeof SCHEMAS): unknown {
  return z.toJSONSchema(SCHEMAS[name], { io: 'input', unrepresentable: 'any' });
}

export async function schemaCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const name = cli.positionals[0] ?? 'config';
  if (!(name in SCHEMAS)) throw new GauntletError('GAUNTLET_USAGE', `unknown format "${name}"`, { hint: `one of: ${Object.keys(SCHEMAS).join(', ')}` });
  const text = JSON.stringify(jsonSchemaOf(name as keyof typeof SCHEMAS), null, 2) + '\n';
  if (typeof cli.options.out === 'string') await writeFileAtomic(cli.options.out, text);
  else ctx.stdout.write(text);
  return 0;
}
