/**
 * Attribute limits the receiver applies before storing, in the OTel SDK's terms: at most
 * `maxAttributes` attributes per span / event / link (the first ones are kept, the rest dropped and
 * counted in the span's `droppedAttributesCount`, as OTLP carries it), and string values cut to
 * `maxValueLength` characters (also inside arrays and kvlists). One sender cannot make one span
 * a 15 MiB row or a 100,000-column JSON document the analyser then parses for every read.
 */
import { setAttr } from './otlp-common.ts';
import type { AttrValue, Attributes, StoredSpan } from './types.ts';

export interface AttributeLimits {
  /** Attributes kept per span, span event and span link (the OTel SDK default is 128). */
  maxAttributes: number;
  /**
   * Characters kept of a string value. The default (1 Mi) stays above what the harness itself
   * sends: response bodies ride in span events, up to probe.maxEventBodyBytes (256 KiB default).
   */
  maxValueLength: number;
}

export const DEFAULT_ATTRIBUTE_LIMITS: AttributeLimits = { maxAttributes: 128, maxValueLength: 1024 * 1024 };

export interface LimitCounts {
  /** Attributes dropped over the count limit. */
  dropped: number;
  /** String values cut to the length limit. */
  truncated: number;
}

/** Applies the limits to decoded spans in place; returns what was dropped and truncated. */
export function applyAttributeLimits(spans: StoredSpan[], limits: AttributeLimits): LimitCounts {
  const counts: LimitCounts = { dropped: 0, truncated: 0 };
  const resources = new Set<object>();
  for (const span of spans) {
    if (!resources.has(span.resource)) {
      // Spans of one ResourceSpans share the object: limit it once (the store serialises it once too).
      resources.add(span.resource);
      limitInPlace(span.resource, limits, counts);
    }
    const dropped = limitInPlace(span.attributes, limits, counts);
    if (dropped) span.droppedAttributesCount = (span.droppedAttributesCount ?? 0) + dropped;
    for (const event of span.events) limitInPlace(event.attributes, limits, counts);
    for (const link of span.links) limitInPlace(link.attributes, limits, counts);
  }
  return counts;
}

/** Drops attributes past the count limit and cuts long strings; returns how many were dropped. */
function limitInPlace(attrs: Attributes, limits: AttributeLimits, counts: LimitCounts): number {
  let kept = 0;
  let dropped = 0;
  for (const key of Object.keys(attrs)) {
    if (kept >= limits.maxAttributes) {
      delete attrs[key];
      dropped++;
      continue;
    }
    kept++;
    setAttr(attrs, key, limitValue(attrs[key]!, limits, counts));
  }
  counts.dropped += dropped;
  return dropped;
}

function limitValue(v: AttrValue, limits: AttributeLimits, counts: LimitCounts): AttrValue {
  if (typeof v === 'string') {
    if (v.length <= limits.maxValueLength) return v;
    counts.truncated++;
    // Never end on half a surrogate pair: that would not be valid UTF-16 (or JSON) any more.
    const end = /[\uD800-\uDBFF]/.test(v[limits.maxValueLength - 1] ?? '') ? limits.maxValueLength - 1 : limits.maxValueLength;
    return v.slice(0, end);
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = limitValue(v[i]!, limits, counts);
    return v;
  }
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) setAttr(v, k, limitValue(v[k]!, limits, counts));
  }
  return v;
}
