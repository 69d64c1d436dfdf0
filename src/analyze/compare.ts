import { compareBodies, dialectOf, parseBody, snippet, type Difference, type DiffOptions } from '../shape/index.ts';
import type { ObservedExchange } from './exchanges.ts';
import { compareHeaders, type HeaderRules } from './headers.ts';

/** Body diff options plus the response headers to compare (headers.ts). */
export type PairOptions = DiffOptions & { headers?: HeaderRules };

export type FindingKind = 'transport' | 'status' | 'header' | 'shape' | 'value' | 'body' | 'trace';

/** A difference between the two sides of one pair, in the report's taxonomy. */
export interface PairFinding {
  kind: FindingKind;
  class: string;
  /** JSON Pointer into the body ('' = whole body), or `/headers/<name>` for header findings. */
  path: string;
  left?: string;
  right?: string;
  detail?: string;
  cause: string;
  hint: string;
  sub?: PairFinding[];
  /**
   * What else tells this divergence apart from another of the same class and path: for a status
   * finding, the status pair ('422→400'). Reports aggregate and key findings on it.
   */
  identity?: string;
}

function mediaType(ct: string | undefined): string | undefined {
  return ct?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function fromDifference(d: Difference): PairFinding {
  return {
    kind: d.kind,
    class: d.class,
    path: d.path,
    ...(d.left !== undefined ? { left: d.left } : {}),
    ...(d.right !== undefined ? { right: d.right } : {}),
    ...(d.detail !== undefined ? { detail: d.detail } : {}),
    cause: d.cause,
    hint: d.hint,
    ...(d.sub?.length ? { sub: d.sub.map(fromDifference) } : {}),
  };
}

const describeSide = (x: ObservedExchange): string => (x.status !== undefined ? `HTTP ${x.status}` : `${x.errorType}`);

const statusClass = (status: number) => Math.floor(status / 100);
const BODY_SNIPPET = 160;

/** A body as one line for a status finding: compact JSON when it parses, else the text, capped. */
function bodySnippet(x: ObservedExchange): string {
  const text = x.body ?? '';
  if (text === '') return '(empty)';
  const parsed = parseBody(text);
  const out = parsed.ok ? snippet(parsed.value, BODY_SNIPPET) : JSON.stringify(text.length > BODY_SNIPPET ? `${text.slice(0, BODY_SNIPPET - 1)}…` : text);
  return x.bodyTruncated && !out.endsWith('…') ? `${out}…` : out;
}

/** What a 4xx against a 2xx says, by the refusing side's code; the last entry is the catch-all. */
const REFUSALS: ReadonlyArray<{ codes: readonly number[]; what: string; verb: string; hint: string }> = [
  {
    codes: [400, 422, 413, 415],
    what: 'validation differs',
    verb: 'rejected',
    hint: "replay the request against both and compare the two implementations' input validation (accepted number forms such as 1e3 or 10.0 for integers, unknown fields, limits)",
  },
  { codes: [404, 410], what: 'lookup differs', verb: 'did not find the resource for', hint: 'compare the data each side reads and how ids/paths are parsed and routed' },
  { codes: [401, 403], what: 'authorization differs', verb: 'refused', hint: "compare the two implementations' authentication and permission checks for this route" },
  { codes: [405], what: 'method handling differs', verb: 'refused the method of', hint: 'compare the methods each side registers for this route' },
  { codes: [], what: 'the outcome differs', verb: 'refused', hint: "replay the request against both and compare the two implementations' handlers for this route" },
];

/**
 * The status finding. Its cause follows the evidence: a 2xx against a 4xx means the two validate the
 * request differently, whatever the bodies say; naming an error-mapping API is only offered for a
 * declared Rust/Go pair answering in the same class.
 */
function statusFinding(left: ObservedExchange, right: ObservedExchange, opts: DiffOptions): PairFinding {
  const l = left.status as number;
  const r = right.status as number;
  const f: PairFinding = { kind: 'status', class: 'status', path: '', left: String(l), right: String(r), cause: '', hint: '', identity: `${l}→${r}` };
  const lc = statusClass(l);
  const rc = statusClass(r);
  if (lc !== rc) f.detail = `bodies (not diffed: different status classes) — ${left.runtime}: ${bodySnippet(left)} · ${right.runtime}: ${bodySnippet(right)}`;
  const rustGo = dialectOf(opts.runtimes) === 'rust-go';
  if ((lc === 2 && rc === 4) || (lc === 4 && rc === 2)) {
    const [ok, no] = lc === 2 ? [left, right] : [right, left];
    const refusal = REFUSALS.find((x) => x.codes.includes(no.status as number)) ?? REFUSALS[REFUSALS.length - 1]!;
    f.cause = `${refusal.what}: ${ok.runtime} accepted the request (${ok.status}) where ${no.runtime} ${refusal.verb} it (${no.status})`;
    f.hint = refusal.hint;
  } else if (lc === 5 || rc === 5) {
    const failed = lc === 5 ? left : right;
    f.cause = `${failed.runtime} failed with a server error (${failed.status}) where ${(failed === left ? right : left).runtime} answered ${failed === left ? r : l}`;
    f.hint = `look for the error or panic in ${failed.runtime}'s logs and spans for this request`;
  } else if (lc !== rc) {
    f.cause = `${left.runtime} answered ${l}, ${right.runtime} answered ${r}: the two implementations take different paths for this request`;
    f.hint = "compare the two implementations' handlers for this route (redirects, caching and content negotiation included)";
  } else {
    f.cause = `${left.runtime} answered ${l}, ${right.runtime} answered ${r}: same outcome, different status code`;
    f.hint = rustGo
      ? 'align the error mapping (e.g. Rust `IntoResponse` for the error enum vs Go `http.Error` status)'
      : "align the status codes the two implementations map this outcome to";
  }
  return f;
}

/**
 * Compare the two sides of a pair. Transport trumps everything (there is nothing else to compare).
 * A status difference within one class (422 vs 400) still has its bodies compared: an error-envelope
 * difference teaches something. Across classes (200 vs 404) the bodies are different messages, so
 * they are shown, not diffed: field-by-field findings there would only be a cascade of wrong causes.
 */
export function comparePair(left: ObservedExchange, right: ObservedExchange, pairOpts: PairOptions = {}): PairFinding[] {
  const { headers: headerRules, ...options } = pairOpts;
  const opts: DiffOptions = options.runtimes ? options : { ...options, runtimes: [left.runtime, right.runtime] };
  const leftFailed = left.status === undefined;
  const rightFailed = right.status === undefined;
  if (leftFailed || rightFailed) {
    if (leftFailed && rightFailed && left.errorType === right.errorType) return [];
    const failed = leftFailed ? left : right;
    return [
      {
        kind: 'transport',
        class: 'transport',
        path: '',
        left: describeSide(left),
        right: describeSide(right),
        detail: failed.errorMessage ? `${failed.runtime}: ${failed.errorMessage}` : `${failed.runtime} failed`,
        cause: `${failed.runtime} did not answer (${failed.errorType}) while ${(failed === left ? right : left).runtime} did`,
        hint: `check that ${failed.runtime} is up at ${failed.url || 'its configured URL'} and answers within the probe timeout`,
      },
    ];
  }
  const findings: PairFinding[] = [];
  if (left.status !== right.status) {
    const status = statusFinding(left, right, opts);
    if (statusClass(left.status as number) !== statusClass(right.status as number)) return [status];
    findings.push(status);
  }
  const lt = mediaType(left.contentType);
  const rt = mediaType(right.contentType);
  if (lt !== rt) {
    findings.push({
      kind: 'header',
      class: 'content-type',
      path: '/headers/content-type',
      ...(left.contentType ? { left: left.contentType } : {}),
      ...(right.contentType ? { right: right.contentType } : {}),
      cause: 'the runtimes declare different media types for the same response',
      hint:
        dialectOf(opts.runtimes) === 'rust-go'
          ? 'set the Content-Type explicitly on both (axum `Json` sets application/json; Go needs `w.Header().Set`)'
          : "set the Content-Type explicitly in both implementations' handlers",
    });
  }
  if (headerRules) findings.push(...compareHeaders(left, right, headerRules));
  if (left.bodyHash !== undefined && left.bodyHash === right.bodyHash) return findings;
  const diffs = compareBodies(
    { ...(left.contentType ? { contentType: left.contentType } : {}), text: left.body ?? '' },
    { ...(right.contentType ? { contentType: right.contentType } : {}), text: right.body ?? '' },
    opts,
  );
  // The header finding above already covers a media-type mismatch.
  for (const d of diffs) if (!(d.class === 'content-type' && lt !== rt)) findings.push(fromDifference(d));
  return findings;
}
