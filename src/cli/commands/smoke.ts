import type { Outcome, Output } from '../../app/output.ts';
import { runSmoke } from '../../app/smoke.ts';
import type { CommandOptions } from '../table.ts';

export function smokeCommand(o: CommandOptions<'smoke'>, suites: string[], out: Output): Promise<Outcome> {
  return runSmoke({ config: o.config, store: o.store, suites, run: o.run, json: o.json, junit: o.junit, quiet: o.quiet }, out);
}
