import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { findJsonSyntaxProblem, formatPath } from '../config/index.ts';
import { GauntletError } from '../util/errors.ts';
import { RECORDING_FORMAT, RecordedExchangeSchema, RecordingHeaderSchema, SUPPORTED_VERSIONS, type RecordedExchange, type RecordingHeader } from './format.ts';

export interface ReadOptions {
  /** Skip lines that are not valid exchanges (counting them) instead of failing on the first. */
  skipInvalid?: boolean;
  /** Stop after this many exchanges. */
  limit?: number;
}

export interface SkippedLine {
  line: number;
  path: string;
  message: string;
}

export interface ReadStats {
  file: string;
  lines: number;
  exchanges: number;
  skipped: number;
  /** The first few skipped lines, so a report can show what was wrong without listing thousands. */
  firstSkipped: SkippedLine[];
}

const KEEP_SKIPPED = 5;
const SKIP_HINT = 'fix or delete the line, or pass --skip-invalid to skip bad lines and count them';

function lineError(file: string, line: number, path: string | undefined, message: string, hint = SKIP_HINT): GauntletError {
  return new GauntletError('GAUNTLET_RECORDING_LINE', message, { file, line, ...(path ? { path } : {}), hint });
}

/** Parse one exchange line; returns the problem instead of throwing so skipping stays cheap. */
function parseExchangeLine(text: string): { ok: true; value: RecordedExchange } | { ok: false; path: string; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const problem = findJsonSyntaxProblem(text);
    return { ok: false, path: '(line)', message: problem ? `not valid JSON: ${problem.message} (column ${problem.column})` : `not valid JSON: ${(err as Error).message}` };
  }
  const parsed = RecordedExchangeSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, ...describeIssue(parsed.error) };
}

function describeIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0]!;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return { path: formatPath(issue.path), message: `${issue.message}${more}` };
}

/** Check line 1: the format and version come first, so an old or foreign file gets a message about that, not about a field. */
function parseHeader(file: string, text: string | undefined): RecordingHeader {
  if (text === undefined || text.trim() === '') {
    throw lineError(file, 1, undefined, 'empty recording: line 1 must be the header {"format":"gauntlet-recording","version":1,…}', 'record traffic with `gauntlet record` or convert a HAR file with `gauntlet import har`');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const problem = findJsonSyntaxProblem(text);
    throw lineError(file, 1, undefined, `not a gauntlet recording: line 1 is not valid JSON (${problem ? `${problem.message}, column ${problem.column}` : (err as Error).message})`, 'a HAR file is converted with `gauntlet import har FILE --out REC.ndjson`');
  }
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (obj.format !== RECORDING_FORMAT) {
    const looksHar = 'log' in obj;
    throw lineError(file, 1, 'format', `not a gauntlet recording: header format is ${JSON.stringify(obj.format) ?? 'missing'} (expected "${RECORDING_FORMAT}")`,
      looksHar ? 'this looks like a HAR file: convert it with `gauntlet import har FILE --out REC.ndjson`' : 'record traffic with `gauntlet record`');
  }
  if (typeof obj.version !== 'number' || !SUPPORTED_VERSIONS.includes(obj.version)) {
    throw new GauntletError('GAUNTLET_RECORDING_VERSION', `recording format version ${JSON.stringify(obj.version) ?? '(missing)'} is not supported; this gauntlet reads version ${SUPPORTED_VERSIONS.join(', ')}`, {
      file,
      line: 1,
      path: 'version',
      hint: typeof obj.version === 'number' && obj.version > Math.max(...SUPPORTED_VERSIONS) ? 'upgrade gauntlet to one that reads this version' : 're-record the traffic with this gauntlet',
    });
  }
  const parsed = RecordingHeaderSchema.safeParse(raw);
  if (!parsed.success) throw lineError(file, 1, describeIssue(parsed.error).path, `invalid header: ${describeIssue(parsed.error).message}`, 'the header is written by `gauntlet record`/`import`; restore it');
  return parsed.data;
}

export interface RecordingStream {
  header: RecordingHeader;
  exchanges: AsyncGenerator<RecordedExchange>;
  /** Filled in as `exchanges` is consumed. */
  stats: ReadStats;
}

/**
 * Open a recording as a stream: the header is read and checked at once, exchanges one line at a
 * time. An invalid line throws GAUNTLET_RECORDING_LINE naming file:line and the JSON path, unless
 * `skipInvalid`, which counts it instead.
 */
export async function openRecording(file: string, opts: ReadOptions = {}): Promise<RecordingStream> {
  try {
    await access(file);
  } catch (err) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot read recording: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const lines = rl[Symbol.asyncIterator]();
  const first = await lines.next();
  let header: RecordingHeader;
  try {
    header = parseHeader(file, first.done ? undefined : first.value);
  } catch (err) {
    rl.close();
    throw err;
  }
  const stats: ReadStats = { file, lines: 1, exchanges: 0, skipped: 0, firstSkipped: [] };
  const limit = opts.limit ?? Infinity;
  async function* exchanges(): AsyncGenerator<RecordedExchange> {
    try {
      for (let next = await lines.next(); !next.done && stats.exchanges < limit; next = await lines.next()) {
        stats.lines++;
        const text = next.value;
        if (text.trim() === '') continue;
        const parsed = parseExchangeLine(text);
        if (parsed.ok) {
          stats.exchanges++;
          sourceFile.set(parsed.value, file);
          yield parsed.value;
        } else if (opts.skipInvalid) {
          stats.skipped++;
          if (stats.firstSkipped.length < KEEP_SKIPPED) stats.firstSkipped.push({ line: stats.lines, path: parsed.path, message: parsed.message });
        } else {
          throw lineError(file, stats.lines, parsed.path, parsed.message);
        }
      }
    } finally {
      rl.close();
    }
  }
  return { header, exchanges: exchanges(), stats };
}

/**
 * Which recording file an exchange was read from. Kept beside the exchange (not in it) so the
 * recording format stays as written; replay uses it to keep case ids of several recordings apart.
 */
const sourceFile = new WeakMap<RecordedExchange, string>();
export const recordingOf = (x: RecordedExchange): string | undefined => sourceFile.get(x);

/** The whole recording in memory (replay sorts by timestamp), with the reader's counts. */
export async function readRecording(file: string, opts: ReadOptions = {}): Promise<{ header: RecordingHeader; exchanges: RecordedExchange[]; stats: ReadStats }> {
  const stream = await openRecording(file, opts);
  const exchanges: RecordedExchange[] = [];
  for await (const x of stream.exchanges) exchanges.push(x);
  return { header: stream.header, exchanges, stats: stream.stats };
}

/** "skipped 3 invalid lines (first: rec.ndjson:7 at request.method: …)" — for stderr. */
export function describeSkipped(stats: ReadStats): string | undefined {
  if (stats.skipped === 0) return undefined;
  const first = stats.firstSkipped[0];
  const where = first ? ` (first: ${stats.file}:${first.line} at ${first.path}: ${first.message})` : '';
  return `skipped ${stats.skipped} invalid line${stats.skipped === 1 ? '' : 's'} of ${stats.file}${where}`;
}
