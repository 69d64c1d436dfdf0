/**
 * Children die with their parent. `process.on('exit')` in the parent cannot run on SIGKILL (a CI
 * timeout, the OOM killer), so a spawned daemon watches two things itself:
 *
 * - the lifeline: an extra stdio pipe (fd `GAUNTLET_LIFELINE_FD`) the parent never writes to. The
 *   kernel closes the parent's end when the parent dies, however it dies, and the child reads EOF.
 * - the parent pid, once a second, as belt and braces: re-parenting (to PID 1 or a subreaper)
 *   changes `process.ppid`.
 *
 * Both are set up only when the parent asked (the variables below); a process started by hand
 * runs as long as it is told to. Parent side: spawn with `lifelineStdio()` and `lifelineEnv()`,
 * then `holdLifeline(child)`. Child side: `watchParent(onGone)` early in the entry point.
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';
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

/**
 * stdio for a child that must die with this process: stdin ignored, stdout/stderr piped, and fd 3
 * the lifeline — a pipe this process never writes to, whose end the kernel closes when we die.
 */
export function lifelineStdio(): StdioOptions {
  return ['ignore', 'pipe', 'pipe', 'pipe'];
}

/** Environment telling a child to watch the lifeline on fd 3 and this process's pid. */
export function lifelineEnv(): Record<string, string> {
  return { [LIFELINE_FD_ENV]: '3', [PARENT_PID_ENV]: String(process.pid) };
}

/** Keeps our end of the lifeline open for the child's life without keeping this process alive. */
export function holdLifeline(child: ChildProcess): void {
  const lifeline = child.stdio[3] as Socket | null | undefined;
  lifeline?.on('error', () => {}); // the child exiting closes its end: not our problem
  lifeline?.unref();
}
