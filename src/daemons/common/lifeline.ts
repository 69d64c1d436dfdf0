/**
 * Children die with their parent. `process.on('exit')` in the parent cannot run on SIGKILL (a CI
 * timeout, the OOM killer), so a spawned daemon watches two things itself:
 *
 * - the lifeline: an extra stdio pipe (fd `GAUNTLET_LIFELINE_FD`) the parent never writes to. The
 *   kernel closes the parent's end when the parent dies, however it dies, and the child reads EOF.
 * - the parent pid, once a second, as belt and braces: re-parenting (to PID 1 or a subreaper)
 *   changes `process.ppid`.
 *
 * Both are set up only when the parent asked (`spawnDaemon` sets the variables); a daemon started
 * by hand runs as long as it is told to.
 */
import { Socket } from 'node:net';

export const LIFELINE_FD_ENV = 'GAUNTLET_LIFELINE_FD';
export const PARENT_PID_ENV = 'GAUNTLET_PARENT_PID';
const PPID_CHECK_MS = 1_000;

/** Calls `onParentGone` once when the spawning process is gone. No-op when not spawned with a lifeline. */
export function watchParent(onParentGone: (why: string) => void): void {
  const fd = Number(process.env[LIFELINE_FD_ENV]);
  const parentPid = Number(process.env[PARENT_PID_ENV]);
  // Not for our own children: they have no such fd, and their parent is us.
  delete process.env[LIFELINE_FD_ENV];
  delete process.env[PARENT_PID_ENV];

  let gone = false;
  const fire = (why: string) => {
    if (gone) return;
    gone = true;
    onParentGone(why);
  };
  if (Number.isInteger(fd) && fd > 2) {
    try {
      const lifeline = new Socket({ fd, readable: true, writable: false });
      lifeline.on('end', () => fire('lifeline closed'));
      lifeline.on('close', () => fire('lifeline closed'));
      lifeline.on('error', () => fire('lifeline failed'));
      lifeline.resume(); // the parent never writes; reading is how EOF is seen
      lifeline.unref(); // the lifeline alone keeps nothing alive
    } catch {
      // An fd that is not a pipe (started by hand with the variable set): the pid check remains.
    }
  }
  if (Number.isInteger(parentPid) && parentPid > 0) {
    const timer = setInterval(() => {
      if (process.ppid !== parentPid) fire(`parent ${parentPid} is gone (ppid is now ${process.ppid})`);
    }, PPID_CHECK_MS);
    timer.unref();
    if (process.ppid !== parentPid) fire(`parent ${parentPid} is gone`);
  }
}
