/** A gauntlet config's runtimes against a running persistent stack (`stack: { persistent: FILE }`). */
import { readStackFile } from '../../config/index.ts';
import { GauntletError } from '../../util/errors.ts';
import { readStackStatus } from './control.ts';
import type { DaemonState } from './state.ts';

export interface PersistentStack {
  file: string;
  daemons: DaemonState[];
}

/** The healthy-or-not daemons of a running stack; GAUNTLET_STACK_NOT_UP (exit 2) when its supervisor is not running. */
export async function readPersistentStack(file: string): Promise<PersistentStack> {
  const loaded = await readStackFile(file);
  const status = await readStackStatus(loaded.stateDir);
  if (!status.running || !status.state) {
    throw new GauntletError('GAUNTLET_STACK_NOT_UP', 'the persistent stack is not running', { file: loaded.file, hint: `start it with \`gauntlet stack up --file ${file}\`` });
  }
  return { file: loaded.file, daemons: Object.values(status.state.daemons).sort((a, b) => a.name.localeCompare(b.name)) };
}

/**
 * The daemon of the stack that serves a reference runtime: same service and flavour, and the same
 * fault switches (GAUNTLET_FAULT*, GAUNTLET_VOLATILE_FIELDS in its env) — a runtime that asks for a
 * slowed twin must not silently get a healthy one. `taken` keeps two runtimes (an A/A secondary)
 * on two daemons when the stack has them.
 */
export function pickPersistentDaemon(
  stack: PersistentStack,
  want: { service: string; flavour: string; env: Record<string, string>; runtime: string; path: string },
  taken: Set<string>,
): DaemonState {
  const faultKeys = (env: Record<string, string>) =>
    JSON.stringify(
      Object.entries(env)
        .filter(([k]) => k.startsWith('GAUNTLET_FAULT') || k === 'GAUNTLET_VOLATILE_FIELDS')
        .sort(),
    );
  const matches = stack.daemons.filter((d) => d.reference?.service === want.service && d.reference.flavour === want.flavour && faultKeys(d.env) === faultKeys(want.env));
  const pick = matches.find((d) => !taken.has(d.name)) ?? matches[0];
  if (!pick) {
    const have = stack.daemons.map((d) => `${d.name} (${d.what})`).join(', ') || 'none';
    throw new GauntletError('GAUNTLET_STACK_NOT_UP', `the persistent stack has no ${want.service}/${want.flavour} twin${faultKeys(want.env) !== '[]' ? ' with these fault switches' : ''} (have: ${have})`, {
      file: stack.file,
      path: want.path,
      runtime: want.runtime,
      hint: `add a daemon with reference = { service = "${want.service}", flavour = "${want.flavour}" } to the stack file and run \`gauntlet stack up\``,
    });
  }
  if (pick.health !== 'ok') {
    throw new GauntletError('GAUNTLET_STACK_NOT_UP', `persistent daemon ${pick.name} is ${pick.status}, health ${pick.health}${pick.lastError ? ` (${pick.lastError})` : ''}`, {
      file: stack.file,
      runtime: want.runtime,
      hint: 'see `gauntlet stack status` and `gauntlet stack logs ' + pick.name + '`',
    });
  }
  taken.add(pick.name);
  return pick;
}
