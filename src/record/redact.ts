import { LosslessNumber, stringify } from 'lossless-json';
import { compileGlobs, escapeToken, parseBody, type JsonValue, type PathMatcher } from '../shape/index.ts';

/**
 * Redaction applied before anything reaches disk, a span or a report. Header and query names are
 * matched case-insensitively; values are replaced, names kept, so a reader still sees that a
 * credential was sent.
 */
export const REDACTED = '[REDACTED]';

export const DEFAULT_SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-amz-security-token',
];

const SECRET_QUERY = /(^|[_-])(token|key|apikey|api_key|secret|password|passwd|pwd|auth|signature|sig|session|credential)s?$/i;

/**
 * JSON keys redacted by default (besides the secret header names: a body echoing `cookie` or
 * `authorization` carries the credential itself). Narrower than the query rule: `key` or `session` are ordinary
 * field names in bodies, while a key *ending* in password/secret/token (`clientSecret`,
 * `access_token`) practically never holds anything else.
 */
const SECRET_JSON_KEY = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|credentials?)$/i;

/**
 * Default body patterns. Card numbers need a known card prefix (and pass the Luhn check below), so
 * epoch timestamps and other long digit runs are left alone; and they must stand alone, not be the
 * all-digit groups of a UUID or another hyphenated id (`40000061-1111-4111-a111-…` passes Luhn: an
 * A/A replay of 10,000 answers with request ids found one redacted into a false divergence).
 */
export const DEFAULT_BODY_PATTERNS = [
  String.raw`\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*`,
  String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`,
  String.raw`(?<![0-9A-Za-z])(?<![0-9A-Za-z]-)(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|3[47]\d{2}|6(?:011|5\d{2}))(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![0-9A-Za-z])(?!-[0-9A-Za-z])`,
];

export interface RedactionRules {
  headers: ReadonlySet<string>;
  queryParams: ReadonlySet<string>;
  /** JSON Pointer globs (`/password`, `/**\/token`) whose values are replaced. */
  bodyPointers: PathMatcher | undefined;
  /** Applied to string values of JSON bodies, to the whole text of other text bodies, and to header values. */
  bodyPatterns: readonly RegExp[];
}

export interface RedactionConfig {
  headers?: string[];
  queryParams?: string[];
  bodyPointers?: string[];
  bodyPatterns?: string[];
}

export function makeRedactionRules(extra: RedactionConfig = {}): RedactionRules {
  return {
    headers: new Set([...DEFAULT_SECRET_HEADERS, ...(extra.headers ?? []).map((h) => h.toLowerCase())]),
    queryParams: new Set((extra.queryParams ?? []).map((q) => q.toLowerCase())),
    bodyPointers: compileGlobs(extra.bodyPointers),
    // The config schema checks each pattern compiles, so a bad one is reported with its line there.
    bodyPatterns: [...DEFAULT_BODY_PATTERNS, ...(extra.bodyPatterns ?? [])].map((p) => new RegExp(p, 'g')),
  };
}

export const DEFAULT_REDACTION: RedactionRules = makeRedactionRules();

function redactText(text: string, rules: RedactionRules): string {
  let out = text;
  for (const re of rules.bodyPatterns) {
    re.lastIndex = 0;
    out = out.replace(re, (m) => (isCardLike(m) && !luhn(m) ? m : REDACTED));
  }
  return out;
}

const isCardLike = (s: string) => /^[\d -]+$/.test(s);

function luhn(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export function redactHeaders(headers: Record<string, string>, rules: RedactionRules = DEFAULT_REDACTION): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = rules.headers.has(k.toLowerCase()) ? REDACTED : redactText(v, rules);
  return out;
}

const isSecretParam = (name: string, rules: RedactionRules) => rules.queryParams.has(name.toLowerCase()) || SECRET_QUERY.test(name);

/**
 * Redact a raw query string (no leading `?`) in place: only the values of secret parameters
 * change, so order, repeats and the escaping of everything else survive for a faithful replay.
 */
export function redactQuery(query: string, rules: RedactionRules = DEFAULT_REDACTION): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return isSecretParam(name, rules) ? `${rawName}=${encodeURIComponent(REDACTED)}` : pair;
    })
    .join('&');
}

/** Strip userinfo and redact credential-looking query parameters. Unparseable input is returned redacted whole. */
export function redactUrl(raw: string, rules: RedactionRules = DEFAULT_REDACTION): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return REDACTED;
  }
  if (url.username || url.password) {
    url.username = url.username ? 'REDACTED' : '';
    url.password = '';
  }
  for (const key of [...url.searchParams.keys()]) {
    if (isSecretParam(key, rules)) url.searchParams.set(key, REDACTED);
  }
  return url.toString();
}

/** Walk a parsed JSON body, replacing secrets; returns whether anything changed. */
/** A URL or path with a query inside a string value (`"next":"/x?token=…"`) gets the query rule. */
function redactEmbeddedQuery(text: string, rules: RedactionRules): string {
  const q = text.indexOf('?');
  if (q === -1 || text.indexOf('=', q) === -1 || /\s/.test(text)) return text;
  const hash = text.indexOf('#', q);
  const end = hash === -1 ? text.length : hash;
  return `${text.slice(0, q + 1)}${redactQuery(text.slice(q + 1, end), rules)}${text.slice(end)}`;
}

function redactJson(value: JsonValue, path: string, rules: RedactionRules, changed: { any: boolean }): JsonValue {
  if (typeof value === 'string') {
    // JSON carried as a string (an echoed or double-encoded body) is redacted as JSON too.
    const inner = /^\s*[[{]/.test(value) ? redactBody(value, 'application/json', rules) : value;
    const out = redactText(redactEmbeddedQuery(inner, rules), rules);
    if (out !== value) changed.any = true;
    return out;
  }
  if (value === null || typeof value !== 'object' || value instanceof LosslessNumber) return value;
  if (Array.isArray(value)) return value.map((v, i) => redactJson(v, `${path}/${i}`, rules, changed));
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, JsonValue>)) {
    const child = `${path}/${escapeToken(k)}`;
    // Secret-looking keys redact scalars only: an object under `password` is structure (a schema
    // describing the field, say), and redacting it would break the replayed request for nothing.
    const byKey = (SECRET_JSON_KEY.test(k) || rules.headers.has(k.toLowerCase())) && (v === null || typeof v !== 'object' || v instanceof LosslessNumber);
    if ((byKey || rules.bodyPointers?.(child)) && v !== REDACTED) {
      out[k] = REDACTED;
      changed.any = true;
    } else {
      out[k] = redactJson(v, child, rules, changed);
    }
  }
  return out;
}

const looksJson = (text: string, contentType: string | undefined) => (contentType ?? '').includes('json') || /^\s*[[{]/.test(text);

/**
 * Redact a text body. JSON bodies are handled structurally (pointer globs and secret-looking keys
 * replace values; patterns apply to string values only, so numbers are never touched) and
 * re-serialised only when something changed — number lexemes are kept either way. Form bodies get
 * the query rule; any other text gets the patterns.
 */
export function redactBody(text: string, contentType: string | undefined, rules: RedactionRules = DEFAULT_REDACTION): string {
  if (text === '') return text;
  if (looksJson(text, contentType)) {
    const parsed = parseBody(text);
    if (parsed.ok) {
      const changed = { any: false };
      const out = redactJson(parsed.value, '', rules, changed);
      return changed.any ? (stringify(out) ?? text) : text;
    }
  }
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) return redactText(redactQuery(text, rules), rules);
  return redactText(text, rules);
}

interface RecordedPart {
  headers: Record<string, string>;
  body?: string | undefined;
  bodyEncoding: 'utf8' | 'base64';
}

function redactPart<T extends RecordedPart>(part: T, rules: RedactionRules): T {
  const out = { ...part, headers: redactHeaders(part.headers, rules) };
  // A base64 body is binary: there is no text to redact in it.
  if (part.body !== undefined && part.bodyEncoding === 'utf8') {
    out.body = redactBody(part.body, part.headers['content-type'], rules);
    // The recorded length no longer describes the (redacted) body; a tool resending it would break.
    if (out.body !== part.body) delete out.headers['content-length'];
  }
  return out;
}

/** Redact a whole exchange — headers, query and text bodies of both sides — before it is written anywhere. */
export function redactExchange<T extends { request: RecordedPart & { query: string }; response: RecordedPart }>(x: T, rules: RedactionRules = DEFAULT_REDACTION): T {
  return { ...x, request: { ...redactPart(x.request, rules), query: redactQuery(x.request.query, rules) }, response: redactPart(x.response, rules) };
}
