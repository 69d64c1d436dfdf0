import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli.ts';

/**
 * The mirror's copy side lowers its own CPU priority (mirror.copyNice / --copy-nice, default 19) so
 * the client's path is scheduled first; 0 leaves it alone. Checked in a child process: renicing the
 * test worker itself would slow every test after it.
 */
function niceAfter(arg: string): { lowered: boolean; nice: number } {
  const code = `const m = await import('./src/drive/mirror/proxy-host.ts'); const os = await import('node:os');
const lowered = ${arg === 'default' ? 'm.lowerOwnPriority()' : `m.lowerOwnPriority(${arg})`};
process.stdout.write(JSON.stringify({ lowered, nice: os.getPriority() }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { lowered: boolean; nice: number };
}

describe('mirror copy side priority (Linux)', () => {
  it('defaults to nice 19, takes a configured niceness, and leaves the priority alone at 0', () => {
    expect(niceAfter('default')).toEqual({ lowered: true, nice: 19 });
    expect(niceAfter('7')).toEqual({ lowered: true, nice: 7 });
    expect(niceAfter('0')).toEqual({ lowered: false, nice: 0 });
  });
});
