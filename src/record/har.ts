import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { describeJsonSyntaxProblem, findJsonSyntaxProblem, formatPath, readDataFile } from '../config/index.ts';
import { GauntletError } from '../util/errors.ts';
import { isHopByHop } from './capture.ts';
import { encodeBody, makeHeader, type RecordedExchange } from './format.ts';
import { DEFAULT_REDACTION, redactExchange, type RedactionRules } from './redact.ts';
import { RecordingWriter } from './writer.ts';

/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) as browsers, mitmproxy and Charles
 * write it. Lenient (`loose`): tools add `_`-prefixed fields and omit optional ones.
 */
const NameValue = z.object({ name: z.string(), value: z.string() }).loose();
const HarEntrySchema = z
  .object({
    startedDateTime: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date (ISO 8601 expected)'),
    time: z.number().optional(),
    request: z
      .object({
        method: z.string().min(1),
        url: z.string().min(1),
        headers: z.array(NameValue).default([]),
        postData: z
          .object({
            mimeType: z.string().optional(),
            text: z.string().optional(),
            encoding: z.string().optional(),
            params: z.array(z.object({ name: z.string(), value: z.string().optional(), fileName: z.string().optional(), contentType: z.string().optional() }).loose()).optional(),
          })
          .loose()
          .optional(),
      })
      .loose(),
    response: z
      .object({
        status: z.number(),
        headers: z.array(NameValue).default([]),
        content: z.object({ mimeType: z.string().optional(), text: z.string().optional(), encoding: z.string().optional() }).loose().optional(),
      })
      .loose(),
  })
  .loose();
type HarEntry = z.infer<typeof HarEntrySchema>;

const HarFileSchema = z.object({ log: z.object({ entries: z.array(z.unknown()) }).loose() }).loose();
/** Used only to produce a line-accurate error once we know the file is invalid. */
const HarFileStrictSchema = z.object({ log: z.object({ entries: z.array(HarEntrySchema) }).loose() }).loose();

export type UnsupportedReason = 'websocket' | 'data-url' | 'non-http' | 'connect' | 'no-response' | 'other-host' | 'invalid';

export interface HarImportResult {
  entries: number;
  imported: number;
  /** Every entry not imported, by reason — nothing is dropped silently. */
  unsupported: Partial<Record<UnsupportedReason, number>>;
  /** Imported entries per host, so a page's third-party traffic is visible. */
  hosts: Record<string, number>;
  files: string[];
}

function unsupportedReason(e: HarEntry, url: URL | undefined, host: string | undefined): UnsupportedReason | undefined {
  const upgrade = e.request.headers.find((h) => h.name.toLowerCase() === 'upgrade')?.value.toLowerCase();
  if ('_webSocketMessages' in e || e.response.status === 101 || upgrade === 'websocket' || /^wss?:/i.test(e.request.url)) return 'websocket';
  if (/^data:/i.test(e.request.url)) return 'data-url';
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'non-http';
  if (e.request.method.toUpperCase() === 'CONNECT') return 'connect';
  // Browsers log blocked, cancelled and failed requests with status 0: there is no answer to keep.
  if (e.response.status < 100 || e.response.status > 599) return 'no-response';
  if (host !== undefined && url.host !== host && url.hostname !== host) return 'other-host';
  return undefined;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** HAR header list → recording headers: HTTP/2 pseudo-headers and hop-by-hop headers go. */
function headersOf(list: ReadonlyArray<{ name: string; value: string }>, drop: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of list) {
    const n = name.toLowerCase();
    if (!TOKEN.test(n) || isHopByHop(n) || drop.has(n)) continue;
    out[n] = out[n] === undefined ? value : `${out[n]}${n === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

const REQUEST_DROP = new Set(['host']);
// HAR stores the decoded body, so the wire's encoding and length no longer describe it.
const RESPONSE_DROP = new Set(['content-encoding', 'content-length']);

function requestBody(e: HarEntry, headers: Record<string, string>): Buffer | undefined {
  const pd = e.request.postData;
  if (!pd) return undefined;
  if (pd.text !== undefined) return pd.encoding === 'base64' ? Buffer.from(pd.text, 'base64') : Buffer.from(pd.text);
  if (!pd.params?.length) return undefined;
  const mime = pd.mimeType ?? headers['content-type'] ?? 'application/x-www-form-urlencoded';
  if (!mime.startsWith('multipart/form-data')) return Buffer.from(pd.params.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value ?? '')}`).join('&'));
  // Only params were kept (browsers drop file contents): rebuild the form with what is known.
  let boundary = /boundary=("?)([^";]+)\1/.exec(mime)?.[2];
  if (!boundary) {
    boundary = `gauntlet-${Date.now().toString(16)}`;
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  }
  const parts = pd.params.map((p) => {
    const file = p.fileName !== undefined ? `; filename="${p.fileName}"` : '';
    const type = p.contentType ? `\r\ncontent-type: ${p.contentType}` : '';
    return `--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"${file}${type}\r\n\r\n${p.value ?? ''}\r\n`;
  });
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`);
}

function toExchange(e: HarEntry, url: URL): Omit<RecordedExchange, 'seq'> {
  const reqHeaders = headersOf(e.request.headers, REQUEST_DROP);
  const reqBody = requestBody(e, reqHeaders);
  const content = e.response.content;
  const resBody = content?.text === undefined ? undefined : content.encoding === 'base64' ? Buffer.from(content.text, 'base64') : Buffer.from(content.text);
  const resHeaders = headersOf(e.response.headers, RESPONSE_DROP);
  if (content?.mimeType && resBody && !resHeaders['content-type']) resHeaders['content-type'] = content.mimeType;
  return {
    ts: new Date(e.startedDateTime).toISOString(),
    request: {
      method: e.request.method.toUpperCase(),
      path: url.pathname || '/',
      query: url.search.replace(/^\?/, ''),
      headers: reqHeaders,
      ...(reqBody ? encodeBody(reqBody) : { bodyEncoding: 'utf8' as const }),
    },
    response: {
      status: e.response.status,
      headers: resHeaders,
      ...(resBody ? encodeBody(resBody) : { bodyEncoding: 'utf8' as const }),
      latencyMs: Math.max(0, e.time ?? 0),
    },
  };
}

const HAR_HINT = 'export with "Save all as HAR" (devtools), `mitmdump --set hardump=FILE` or Charles → Export → HAR; --skip-invalid counts bad entries instead';

/** Re-read through the YAML loader, which knows lines, to name where the problem is. */
/** A schema error of a HAR that is valid JSON, with the line of the offending value. */
async function throwLineAccurate(file: string, schema: z.ZodType): Promise<void> {
  try {
    await readDataFile(file, schema, 'GAUNTLET_INPUT_INVALID', 'HAR file');
  } catch (err) {
    if (err instanceof GauntletError) throw new GauntletError(err.code, err.message, { ...err.facts, hint: HAR_HINT }, { cause: err });
    throw err;
  }
}

async function readHar(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `cannot read HAR file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // JSON.parse gives an offset at best; say where, in JSON's words, with line and column.
    const problem = findJsonSyntaxProblem(text);
    const facts = problem ? { file, line: problem.line, column: problem.column, hint: HAR_HINT } : { file, hint: HAR_HINT };
    throw new GauntletError('GAUNTLET_INPUT_INVALID', problem ? describeJsonSyntaxProblem(problem) : `not valid JSON: ${(err as Error).message}`, facts);
  }
  const parsed = HarFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GauntletError('GAUNTLET_INPUT_INVALID', `not a HAR file: ${issue.message}`, { file, path: formatPath(issue.path), hint: HAR_HINT });
  }
  return parsed.data.log.entries;
}

/**
 * Convert a HAR export to a recording, redacted like `gauntlet record`. Entries are written in
 * start-time order (pacing replays them by timestamp); anything not replayable over HTTP is
 * counted by reason.
 */
export async function importHar(opts: { file: string; out: string; service: string; host?: string; rules?: RedactionRules; skipInvalid?: boolean }): Promise<HarImportResult> {
  const entries = await readHar(opts.file);
  const result: HarImportResult = { entries: entries.length, imported: 0, unsupported: {}, hosts: {}, files: [] };
  const count = (r: UnsupportedReason) => (result.unsupported[r] = (result.unsupported[r] ?? 0) + 1);
  const keep: Array<Omit<RecordedExchange, 'seq'>> = [];
  for (const raw of entries) {
    const parsed = HarEntrySchema.safeParse(raw);
    if (!parsed.success) {
      if (opts.skipInvalid) {
        count('invalid');
        continue;
      }
      await throwLineAccurate(opts.file, HarFileStrictSchema);
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `invalid HAR entry: ${parsed.error.issues[0]!.message}`, { file: opts.file });
    }
    let url: URL | undefined;
    try {
      url = new URL(parsed.data.request.url);
    } catch {
      url = undefined;
    }
    const reason = unsupportedReason(parsed.data, url, opts.host);
    if (reason) {
      count(reason);
      continue;
    }
    keep.push(toExchange(parsed.data, url!));
    result.hosts[url!.host] = (result.hosts[url!.host] ?? 0) + 1;
  }
  // An empty recording would replay nothing and pass: say why nothing was imported instead.
  if (keep.length === 0) {
    const why = Object.entries(result.unsupported).map(([r, n]) => `${n} ${r}`).join(', ');
    throw new GauntletError('GAUNTLET_INPUT_INVALID', entries.length === 0 ? 'the HAR file has no entries' : `none of the ${entries.length} HAR entries can be replayed (${why})`, {
      file: opts.file,
      hint: entries.length === 0 ? HAR_HINT : 'only HTTP/1.1 and HTTP/2 requests with a response are replayable; --host picks one host',
    });
  }
  // Stable sort: entries logged in the same millisecond keep their HAR order.
  keep.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  const writer = await RecordingWriter.open(opts.out, makeHeader(opts.service, 'har', { origin: basename(opts.file) }));
  try {
    for (const x of keep) await writer.append(redactExchange(x, opts.rules ?? DEFAULT_REDACTION));
  } finally {
    const stats = await writer.close();
    result.imported = stats.exchanges;
    result.files = stats.files;
  }
  return result;
}
