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

export interface RedactionRules {
  headers: ReadonlySet<string>;
  queryParams: ReadonlySet<string>;
}

export function makeRedactionRules(extra: { headers?: string[]; queryParams?: string[] } = {}): RedactionRules {
  return {
    headers: new Set([...DEFAULT_SECRET_HEADERS, ...(extra.headers ?? []).map((h) => h.toLowerCase())]),
    queryParams: new Set((extra.queryParams ?? []).map((q) => q.toLowerCase())),
  };
}

export const DEFAULT_REDACTION: RedactionRules = makeRedactionRules();

export function redactHeaders(headers: Record<string, string>, rules: RedactionRules = DEFAULT_REDACTION): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = rules.headers.has(k.toLowerCase()) ? REDACTED : v;
  return out;
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
    if (rules.queryParams.has(key.toLowerCase()) || SECRET_QUERY.test(key)) url.searchParams.set(key, REDACTED);
  }
  return url.toString();
}
