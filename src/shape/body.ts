import { compareDifferences, diffJson } from './diff.ts';
import { dialectOf } from './explain.ts';
import { cutAt } from './json.ts';
import { parseBody } from './parse.ts';
import { resolveMaxDifferences, type DiffOptions, type Difference } from './types.ts';

export interface Body {
  contentType?: string;
  text: string;
}

/** 'application/problem+json; charset=utf-8' → 'application/problem+json'. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  return essence || undefined;
}

function isJsonMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && (mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json'));
}

/**
 * Compare two response bodies. Both parse as JSON → the structural diff; otherwise the text is
 * compared and the first differing offset shown. Media types are compared by essence only:
 * `; charset=utf-8` is implied for JSON (RFC 8259) and its presence is not a behaviour difference.
 */
export function compareBodies(left: Body, right: Body, opts: DiffOptions = {}): Difference[] {
  const out: Difference[] = [];
  const lt = mediaTypeOf(left.contentType);
  const rt = mediaTypeOf(right.contentType);
  const neutral = dialectOf(opts.runtimes) === 'neutral';
  if (lt !== rt) out.push(neutral ? neutralContentType(left.contentType, right.contentType, lt, rt) : contentTypeDifference(left.contentType, right.contentType, lt, rt));
  const lp = parseBody(left.text);
  const rp = parseBody(right.text);
  if (lp.ok && rp.ok) out.push(...diffJson(lp.value, rp.value, opts));
  else if (left.text !== right.text) {
    const jsonDeclared = isJsonMediaType(lt) || isJsonMediaType(rt);
    const d = textDifference(left.text, right.text, lp.ok, rp.ok, jsonDeclared);
    out.push(neutral ? neutralText(d, left.text, right.text, lp.ok, rp.ok) : d);
  }
  out.sort(compareDifferences);
  const max = resolveMaxDifferences(opts);
  return out.length > max ? out.slice(0, max) : out;
}

function contentTypeDifference(l: string | undefined, r: string | undefined, lt?: string, rt?: string): Difference {
  const d: Difference = { kind: 'body', class: 'content-type', path: '', cause: '', hint: '' };
  if (l !== undefined) d.left = l;
  if (r !== undefined) d.right = r;
  d.detail = `${lt ?? '(none)'} vs ${rt ?? '(none)'}`;
  const sniffed = lt === 'text/plain' || rt === 'text/plain';
  if (sniffed && (isJsonMediaType(lt) || isJsonMediaType(rt))) {
    d.cause = "text/plain vs JSON: Go's net/http sniffs `text/plain; charset=utf-8` when a handler writes without setting Content-Type (and `http.Error` always sends text/plain), while axum's `Json` sets application/json";
    d.hint = 'call `w.Header().Set("Content-Type", "application/json")` before `WriteHeader` in Go, and return JSON errors instead of `http.Error`';
  } else if (lt === undefined || rt === undefined) {
    d.cause = 'one side sends no Content-Type: an empty body (204/304) or a handler that never sets the header';
    d.hint = 'set the Content-Type explicitly on both, or agree on returning no body';
  } else {
    d.cause = `the runtimes declare different media types (${lt} vs ${rt}): e.g. application/problem+json from one error handler, application/json from the other`;
    d.hint = 'use the same media type on both sides for this route (Go `w.Header().Set`, axum `TypedHeader`/`([(CONTENT_TYPE, …)], body)`)';
  }
  return d;
}

/** The media-type finding for runtimes not declared Rust and Go: no net/http or axum story. */
function neutralContentType(l: string | undefined, r: string | undefined, lt?: string, rt?: string): Difference {
  const d = contentTypeDifference(l, r, lt, rt);
  d.cause = lt === undefined || rt === undefined
    ? 'one side sends no Content-Type: an empty body, or a handler that never sets the header'
    : `the runtimes declare different media types (${lt} vs ${rt}) for the same response`;
  d.hint = "set the same Content-Type in both implementations' handlers for this route";
  return d;
}

function neutralText(d: Difference, l: string, r: string, lJson: boolean, rJson: boolean): Difference {
  if (lJson !== rJson) {
    d.cause = `only the ${lJson ? 'left' : 'right'} body is JSON: the other is plain text (a framework or proxy error page)`;
    d.hint = 'return the same error envelope from both implementations';
  } else if (l.trimEnd() === r.trimEnd()) {
    d.cause = 'bodies differ only in trailing whitespace: one implementation appends a newline';
    d.hint = 'write the body the same way in both, or ignore trailing whitespace for this route';
  } else if (!d.cause.startsWith('the content type says JSON')) {
    d.cause = 'the text bodies differ: different messages or formatting between the implementations';
    d.hint = "compare the two implementations' handlers that produce this text; volatile parts (ids, times) belong in an ignore rule";
  }
  return d;
}

const BEFORE = 30;
const AFTER = 50;

function textDifference(l: string, r: string, lJson: boolean, rJson: boolean, jsonDeclared: boolean): Difference {
  let at = 0;
  const n = Math.min(l.length, r.length);
  while (at < n && l.charCodeAt(at) === r.charCodeAt(at)) at++;
  const d: Difference = {
    kind: 'body',
    class: 'text-change',
    path: '',
    left: around(l, at),
    right: around(r, at),
    detail: `first difference at offset ${at} (line ${lineOf(l, at)}); lengths ${l.length} vs ${r.length}`,
    cause: '',
    hint: '',
  };
  if (lJson !== rJson) {
    d.cause = `only the ${lJson ? 'left' : 'right'} body is JSON: the other is plain text (Go \`http.Error\`, a proxy/framework error page, or a panic handler)`;
    d.hint = 'return the same error envelope from both (JSON error type in Go instead of `http.Error`; an `IntoResponse` JSON body in Rust)';
  } else if (l.trimEnd() === r.trimEnd()) {
    d.cause = "bodies differ only in trailing whitespace: Go's `json.Encoder.Encode` and `http.Error` append a newline, `serde_json::to_string`/axum don't";
    d.hint = 'write `json.Marshal` output with `w.Write` in Go, or append "\\n" on the Rust side, or ignore trailing whitespace for this route';
  } else if (jsonDeclared) {
    d.cause = 'the content type says JSON but neither body parses as JSON: truncated or malformed output (a write after an error, a partial flush)';
    d.hint = 'check the handlers for errors after headers were sent (Go writes after `WriteHeader`, Rust streaming bodies)';
  } else {
    d.cause = 'the text bodies differ: different messages or formatting between the implementations';
    d.hint = 'compare the Rust and Go handlers that produce this text; volatile parts (ids, times) belong in an ignore rule';
  }
  return d;
}

/** A JSON string of the text around `at`, so invisible differences (\n, \t, \r) stay visible. */
function around(text: string, at: number): string {
  const start = Math.max(0, at - BEFORE);
  const end = Math.min(text.length, at + AFTER);
  const body = cutAt(text.slice(start, end), end - start);
  return JSON.stringify(`${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`);
}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
