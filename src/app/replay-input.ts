/**
 * Recordings to replay, opened as streams: every header is read and checked before anything
 * starts (bad input costs nothing), the exchanges are read as they are sent — memory stays flat
 * whatever the size of the files, and a limit stops the reading.
 */
import type { LoadedConfig } from '../config/index.ts';
import { mergeRecordings, streamReplay, type ReplayPlan } from '../drive/index.ts';
import { describeSkipped, openRecording, type RecordingStream } from '../record/index.ts';
import { GauntletError } from '../util/errors.ts';

export interface OpenedReplay {
  service: string;
  files: string[];
  plan: ReplayPlan;
  /** Warnings about skipped invalid lines, known once the plan has been read. */
  skippedWarnings(): string[];
  /** Close every file (when the plan is never consumed). */
  close(): Promise<void>;
}

export async function openReplay(
  files: readonly string[],
  loaded: LoadedConfig,
  opts: { service?: string | undefined; skipInvalid?: boolean; limit: number; allowUnsafe: boolean; hint: string },
): Promise<OpenedReplay> {
  const cfg = loaded.config;
  const streams: RecordingStream[] = [];
  const close = async () => {
    await Promise.all(streams.map((s) => s.exchanges.return(undefined)));
  };
  let service = opts.service;
  try {
    for (const file of files) {
      const s = await openRecording(file, { skipInvalid: opts.skipInvalid === true, limit: opts.limit });
      streams.push(s);
      if (opts.service === undefined) {
        if (service !== undefined && service !== s.header.service) {
          throw new GauntletError('GAUNTLET_INPUT_INVALID', `recording is of service "${s.header.service}" but an earlier one is of "${service}"`, { file, line: 1, path: 'service', hint: 'replay one service per run, or force it with --service' });
        }
        service = s.header.service;
      }
      if (!(service! in cfg.stack.services)) {
        throw new GauntletError('GAUNTLET_INPUT_INVALID', `service "${service}" is not in the stack (have: ${Object.keys(cfg.stack.services).join(', ')})`, { file, line: 1, path: 'service', hint: opts.hint });
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  const plan = streamReplay(mergeRecordings(streams), { routes: cfg.stack.services[service!]!.routes, safeRoutes: cfg.replay.safeRoutes, allowUnsafe: opts.allowUnsafe, limit: opts.limit });
  return {
    service: service!,
    files: [...files],
    plan,
    skippedWarnings: () => streams.map((s) => describeSkipped(s.stats)).filter((w): w is string => w !== undefined),
    close,
  };
}
