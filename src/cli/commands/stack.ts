import type { Outcome, Output } from '../../app/output.ts';
import { runStack, type StackAction } from '../../app/stack.ts';
import type { CommandOptions } from '../table.ts';

export function stackCommand(o: CommandOptions<'stack'>, positionals: string[], out: Output): Promise<Outcome> {
  return runStack({ action: positionals[0] as StackAction, file: o.file, config: o.config, json: o.json, name: positionals[1], lines: o.lines }, out);
}
