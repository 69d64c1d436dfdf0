import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { GauntletError } from '../util/errors.ts';
import { formatPath } from '../config/index.ts';
import { RecordedExchangeSchema, type RecordedExchange, type RecordingHeader } from './format.ts';

export interface WriterOptions {
  /** Rotate to the next segment before a file grows past this many bytes. */
  maxBytes?: number;
  /** Stop recording (and count what is dropped) once all segments together reach this. */
  maxTotalBytes?: number;
}

export interface WriterStats {
  /** Completed files under their final names, in order. */
  files: string[];
  exchanges: number;
  /** Exchanges not written because the total cap was reached. */
  dropped: number;
  bytes: number;
}

/** `traffic.ndjson` → segment 2 → `traffic.2.ndjson`. Segment 0 keeps the name asked for. */
export function segmentPath(file: string, segment: number): string {
  if (segment === 0) return file;
  const ext = extname(file);
  return ext ? `${file.slice(0, -ext.length)}.${segment}${ext}` : `${file}.${segment}`;
}

export const PARTIAL_SUFFIX = '.partial';

/**
 * Appends exchanges to a recording. The file being written is `<name>.partial` and is renamed to
 * its final name only once complete (rotated or closed), so a crash or a reader racing the writer
 * never sees a half-written recording under the final name. Each segment starts with its own
 * header, so every file stands alone; `seq` continues across segments.
 */
export class RecordingWriter {
  private handle: FileHandle | undefined;
  private segment = 0;
  private segmentBytes = 0;
  private segmentExchanges = 0;
  private seq = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly done: WriterStats = { files: [], exchanges: 0, dropped: 0, bytes: 0 };

  private constructor(
    readonly file: string,
    private readonly header: RecordingHeader,
    private readonly opts: WriterOptions,
  ) {}

  static async open(file: string, header: RecordingHeader, opts: WriterOptions = {}): Promise<RecordingWriter> {
    const w = new RecordingWriter(file, header, opts);
    try {
      await mkdir(dirname(file), { recursive: true });
      await w.openSegment();
    } catch (err) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot write recording: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file }, { cause: err });
    }
    return w;
  }

  private get currentPath(): string {
    return segmentPath(this.file, this.segment);
  }

  private async openSegment(): Promise<void> {
    this.handle = await open(this.currentPath + PARTIAL_SUFFIX, 'w');
    this.segmentBytes = 0;
    this.segmentExchanges = 0;
    await this.writeLine(JSON.stringify({ ...this.header, segment: this.segment }) + '\n');
  }

  private async writeLine(line: string): Promise<void> {
    const bytes = Buffer.from(line);
    await this.handle!.write(bytes);
    this.segmentBytes += bytes.length;
    this.done.bytes += bytes.length;
  }

  /** Flush to disk and give the segment its final name. */
  private async finishSegment(): Promise<void> {
    const handle = this.handle!;
    this.handle = undefined;
    await handle.sync();
    await handle.close();
    await rename(this.currentPath + PARTIAL_SUFFIX, this.currentPath);
    this.done.files.push(this.currentPath);
  }

  /**
   * Append one exchange (its `seq` is assigned here, in append order). Resolves false when the
   * total cap dropped it. Appends are serialised, so lines never interleave.
   */
  append(exchange: Omit<RecordedExchange, 'seq'>): Promise<boolean> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new Error('recording writer is closed');
      const seq = this.seq + 1;
      // Never write a line the reader would reject: a recording must always read back.
      const checked = RecordedExchangeSchema.safeParse({ seq, ...exchange });
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        throw new GauntletError('GAUNTLET_RECORDING_LINE', `refusing to record an invalid exchange: ${issue.message}`, { file: this.file, path: formatPath(issue.path) });
      }
      const line = JSON.stringify({ seq, ...exchange }) + '\n';
      const size = Buffer.byteLength(line);
      if (this.opts.maxTotalBytes !== undefined && this.done.bytes + size > this.opts.maxTotalBytes) {
        this.done.dropped++;
        return false;
      }
      if (this.opts.maxBytes !== undefined && this.segmentExchanges > 0 && this.segmentBytes + size > this.opts.maxBytes) {
        await this.finishSegment();
        this.segment++;
        await this.openSegment();
      }
      this.seq = seq;
      await this.writeLine(line);
      this.segmentExchanges++;
      this.done.exchanges++;
      return true;
    });
    this.tail = run.catch(() => {});
    return run;
  }

  stats(): WriterStats {
    return { ...this.done, files: [...this.done.files] };
  }

  /** Finish pending appends, rename the last segment. Idempotent. */
  async close(): Promise<WriterStats> {
    await this.tail;
    if (!this.closed) {
      this.closed = true;
      if (this.handle) await this.finishSegment();
    }
    return this.stats();
  }
}
