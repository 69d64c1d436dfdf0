/**
 * One string per header, as recordings, spans and comparisons hold them: repeated values joined as
 * HTTP allows (RFC 9110 §5.3 — comma; `cookie` with `; `, RFC 6265), names lower-cased, absent
 * values left out.
 */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const k = key.toLowerCase();
    out[k] = Array.isArray(v) ? v.join(k === 'cookie' ? '; ' : ', ') : v;
  }
  return out;
}
