import { collect } from '../../app/collect.ts';
import type { Outcome, Output } from '../../app/output.ts';
import type { CommandOptions } from '../table.ts';

export function collectCommand(o: CommandOptions<'collect'>, _positionals: string[], out: Output): Promise<Outcome> {
  return collect({ config: o.config, store: o.store, listen: o.listen!, allowRemote: o['allow-remote'] }, out);
}
