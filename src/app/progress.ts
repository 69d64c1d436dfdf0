/**
 * Progress of long work on stderr: rewritten in place on a terminal; in CI logs (stderr is a file
 * or a pipe) a plain line every `everyMs`, so a long run is never silent until its end.
 */
import type { Output } from './output.ts';

export interface Progress {
  /** The current state, as one line of text. */
  update(text: string): void;
  /** Clear the terminal line (on a TTY); nothing to do in a log. */
  done(): void;
}

export function progressReporter(out: Pick<Output, 'stderr'>, opts: { ttyEveryMs?: number; logEveryMs?: number; now?: () => number } = {}): Progress {
  const now = opts.now ?? (() => performance.now());
  const tty = out.stderr.isTTY === true;
  const every = tty ? (opts.ttyEveryMs ?? 100) : (opts.logEveryMs ?? 10_000);
  let last = now();
  let shown = false;
  return {
    update(text) {
      if (now() - last < every) return;
      last = now();
      shown = true;
      out.stderr.write(tty ? `\r\u001b[K${text}` : `${text}\n`);
    },
    done() {
      if (tty && shown) out.stderr.write('\r\u001b[K');
    },
  };
}
