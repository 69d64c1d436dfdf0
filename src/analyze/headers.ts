import { ATTR_HTTP_RESPONSE_HEADER } from '@opentelemetry/semantic-conventions';
import type { AttrValue } from '../collect/index.ts';
import type { NoiseRules } from '../config/schema.ts';
import { globToRegExp } from '../util/glob.ts';
import type { PairFinding } from './compare.ts';

/** What a header comparison needs of one side of a pair. */
export interface HeaderSide {
  runtime: string;
  url: string;
  contentType: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

export type HeaderRules = NoiseRules['headers'];

const HEADER_PREFIX = ATTR_HTTP_RESPONSE_HEADER('');

/** The response headers a CLIENT span recorded (`http.response.header.<name>`, semconv string[]). */
export function headersOfAttributes(attributes: Readonly<Record<string, AttrValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (!k.startsWith(HEADER_PREFIX) || v === null || v === undefined) continue;
    out[k.slice(HEADER_PREFIX.length)] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

// Compiled once per rules object: a replay compares headers on every one of its pairs.
const compiledNames = new WeakMap<HeaderRules, (name: string) => boolean>();
function comparedNames(rules: HeaderRules): (name: string) => boolean {
  let test = compiledNames.get(rules);
  if (!test) {
    const res = [...rules.compare, ...Object.keys(rules.volatile)].map((g) => globToRegExp(g.toLowerCase()));
    test = (name: string) => res.some((re) => re.test(name));
    compiledNames.set(rules, test);
  }
  return test;
}

/**
 * `Location` targets the same resource when both resolve (against their own request URL) to the
 * same path, query and fragment on their own origin: `http://a:1/x` from a:1 and `/x` from b:2 agree.
 */
function locationKey(value: string, requestUrl: string): string {
  try {
    const base = new URL(requestUrl);
    const u = new URL(value.trim(), base);
    const rest = `${u.pathname}${u.search}${u.hash}`;
    return u.origin === base.origin ? rest : u.href;
  } catch {
    return value.trim();
  }
}

const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

/**
 * `text/plain; Charset="UTF-8"` and `text/plain;charset=utf-8` are one value; a missing charset is
 * not (a text/* body without one is decoded by guesswork). JSON is UTF-8 by definition (RFC 8259
 * defines no charset parameter), so `application/json; charset=utf-8` equals `application/json`.
 */
function contentTypeKey(value: string): string {
  const [rawType, ...params] = value.split(';');
  const type = rawType!.trim().toLowerCase();
  const norm = params
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase();
      let v = eq === -1 ? '' : p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (name === 'charset') v = v.toLowerCase();
      return `${name}=${v}`;
    })
    .filter((p) => !(isJson(type) && p === 'charset=utf-8'))
    .sort();
  return [type, ...norm].join(';');
}

/** Comma lists whose order carries no meaning (RFC 9110: Allow, Vary; CORS method/header lists). */
const tokenSetKey = (value: string) => [...new Set(value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))].sort().join(', ');

/** `Cache-Control: Max-Age=60, public` ≡ `public, max-age=60`. */
const directivesKey = (value: string) =>
  value
    .split(',')
    .map((d) => d.trim().replace(/\s*=\s*/, '=').replace(/^[^=]+/, (n) => n.toLowerCase()))
    .filter(Boolean)
    .sort()
    .join(', ');

const SET_VALUED = new Set(['allow', 'vary', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers']);

function comparableValue(name: string, value: string, side: HeaderSide): string {
  if (name === 'location') return locationKey(value, side.url);
  if (name === 'content-type') return contentTypeKey(value);
  if (name === 'cache-control') return directivesKey(value);
  if (SET_VALUED.has(name)) return tokenSetKey(value);
  return value.trim();
}

function headerOf(side: HeaderSide, name: string): string | undefined {
  if (name === 'content-type') return side.contentType ?? side.headers?.['content-type'];
  return side.headers?.[name];
}

const HINTS: Record<string, string> = {
  location: 'emit the same redirect target on both (an absolute URL on one side and a relative one on the other is fine; a different path is not)',
  'content-type': 'declare the same media type and parameters (e.g. charset) on both',
  'cache-control': 'send the same caching directives from both, or caches will treat the two differently',
  vary: 'vary on the same request headers on both, or shared caches will mix responses',
  allow: 'advertise the same methods in Allow on both',
  'www-authenticate': 'challenge with the same scheme and realm on both',
};

function cause(name: string, left: HeaderSide, right: HeaderSide, l: string | undefined, r: string | undefined): string {
  if (l === undefined) return `${right.runtime} sends ${name} and ${left.runtime} does not`;
  if (r === undefined) return `${left.runtime} sends ${name} and ${right.runtime} does not`;
  return `the runtimes send different ${name} values`;
}

/**
 * Compare the configured response headers of one pair. Differences of every compared or volatile
 * header are findings of class `header` at `/headers/<name>`; the noise model then moves the
 * volatile ones (Date, Server, ETag, Last-Modified by default) to noise with their reason. A
 * media-type mismatch is left to the `content-type` finding; only parameters are compared here.
 */
export function compareHeaders(left: HeaderSide, right: HeaderSide, rules: HeaderRules): PairFinding[] {
  const compared = comparedNames(rules);
  const names = new Set<string>();
  for (const side of [left, right]) {
    for (const name of Object.keys(side.headers ?? {})) if (compared(name)) names.add(name);
    if (side.contentType !== undefined && compared('content-type')) names.add('content-type');
  }
  const findings: PairFinding[] = [];
  for (const name of [...names].sort()) {
    const l = headerOf(left, name);
    const r = headerOf(right, name);
    if (name === 'content-type' && (l === undefined || r === undefined || contentTypeKey(l).split(';')[0] !== contentTypeKey(r).split(';')[0])) continue;
    if (l !== undefined && r !== undefined && comparableValue(name, l, left) === comparableValue(name, r, right)) continue;
    findings.push({
      kind: 'header',
      class: 'header',
      path: `/headers/${name}`,
      ...(l !== undefined ? { left: l } : {}),
      ...(r !== undefined ? { right: r } : {}),
      cause: cause(name, left, right, l, r),
      hint: HINTS[name] ?? (name.startsWith('access-control-') ? 'configure CORS identically on both (allowed origins, methods, headers, credentials)' : `send the same ${name} from both`),
    });
  }
  return findings;
}

/** The noise reason for a header finding, when its header is declared volatile. */
export function volatileHeaderReason(f: PairFinding, rules: HeaderRules): string | undefined {
  if (f.kind !== 'header' || !f.path.startsWith('/headers/')) return undefined;
  const name = f.path.slice('/headers/'.length);
  const entry = Object.entries(rules.volatile).find(([n]) => n.toLowerCase() === name);
  return entry ? `volatile header ${name}: ${entry[1]}` : undefined;
}
