import type { StoredSpan } from '../collect/index.ts';
import type { Matcher, SpanAssertion, SpanSelector } from '../config/smoke-schema.ts';
import { ABSENT, compare, describeComparison, describeMatcher, matchValue, type Observed } from './trace-assert-match.ts';

/**
 * Trace assertions in Tracetest's style: a selector picks spans of one trace, then count, duration
 * and attribute checks run on what it picked. Spans are the only input — these run after a run,
 * from the store, so they judge production traces the same way as the harness's own.
 */

/** Span attribute, else resource attribute (Tracetest lets selectors use both the same way). */
export function spanAttribute(span: StoredSpan, key: string): Observed {
  if (Object.hasOwn(span.attributes, key)) return span.attributes[key];
  if (key === 'service.name' && span.serviceName !== null) return span.serviceName;
  if (Object.hasOwn(span.resource, key)) return span.resource[key];
  return ABSENT;
}

export function spanDurationMs(span: StoredSpan): number {
  return Number(span.endNs - span.startNs) / 1e6;
}

/** `span[kind=SERVER][service.name=validatord][http.route=/v1/validate]` — how messages name a selector. */
export function describeSelector(sel: SpanSelector): string {
  const parts: string[] = [];
  if (sel.kind) parts.push(`[kind=${sel.kind}]`);
  if (sel.service) parts.push(`[service.name${describeMatcher(sel.service)}]`);
  if (sel.name) parts.push(`[name${describeMatcher(sel.name)}]`);
  for (const [k, m] of Object.entries(sel.attributes ?? {})) parts.push(`[${k}${describeMatcher(m)}]`);
  return `span${parts.join('') || '[*]'}`;
}

function matches(m: Matcher | undefined, v: Observed): boolean {
  return m === undefined || matchValue(m, v) === undefined;
}

export function selectSpans(spans: readonly StoredSpan[], sel: SpanSelector): StoredSpan[] {
  return spans.filter(
    (s) =>
      (sel.kind === undefined || s.kind === sel.kind) &&
      matches(sel.service, s.serviceName ?? ABSENT) &&
      matches(sel.name, s.name) &&
      Object.entries(sel.attributes ?? {}).every(([k, m]) => matches(m, spanAttribute(s, k))),
  );
}

/** `SERVER validatord "GET /healthz"` — what a trace held, for a selector that matched nothing. */
function sketch(spans: readonly StoredSpan[]): string {
  const shown = spans.slice(0, 6).map((s) => `${s.kind} ${s.serviceName ?? '?'} ${JSON.stringify(s.name)}`);
  return spans.length > 6 ? `${shown.join(', ')}, … (${spans.length} spans)` : shown.join(', ') || 'no spans';
}

const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;

/**
 * Evaluate one assertion on the spans of a trace. Returns failure messages, each naming the
 * selector, what was checked (attribute / duration / count), the expectation and the observed value.
 * Duration and attribute checks apply to every matched span (a p100, not an average).
 */
export function evaluateSpanAssertion(trace: readonly StoredSpan[], a: SpanAssertion): string[] {
  const sel = describeSelector(a.select);
  const picked = selectSpans(trace, a.select);
  if (a.count === undefined && picked.length === 0) return [`no span matched ${sel} (trace had: ${sketch(trace)})`];
  const out: string[] = [];
  if (a.count !== undefined) {
    const broken = compare(a.count, picked.length);
    if (broken) out.push(`${sel} count: expected ${broken}, observed ${picked.length}${picked.length === 0 ? ` (trace had: ${sketch(trace)})` : ''}`);
  }
  for (const span of picked) {
    if (a.durationMs) {
      const d = spanDurationMs(span);
      const broken = compare(a.durationMs, d);
      if (broken) out.push(`${sel} duration: expected ${broken} ms, observed ${ms(d)}`);
    }
    for (const [key, m] of Object.entries(a.attributes ?? {})) {
      const failure = matchValue(m, spanAttribute(span, key));
      if (failure) out.push(`${sel} attr ${key}: expected ${failure.expected}, observed ${failure.observed}`);
    }
  }
  return out;
}

/** One line per assertion for reports that list what was checked (not only what failed). */
export function describeSpanAssertion(a: SpanAssertion): string {
  const parts = [describeSelector(a.select)];
  parts.push(a.count ? `count ${describeComparison(a.count)}` : 'count >= 1');
  if (a.durationMs) parts.push(`duration ${describeComparison(a.durationMs, ' ms')}`);
  for (const [k, m] of Object.entries(a.attributes ?? {})) parts.push(`attr ${k}${describeMatcher(m)}`);
  return parts.join(' · ');
}
