import type { GauntletConfig } from '../config/index.ts';
import type { ProbeSubscriber } from '../probe/index.ts';
import { makeRedactionRules, redactBody, redactHeaders, redactUrl, type RedactionRules } from '../record/index.ts';
import { createSpanSubscriber } from '../telemetry/probe-spans.ts';
import type { HarnessTelemetry } from '../telemetry/tracing.ts';

/**
 * The span subscriber every driver records its exchanges with, configured once from the config:
 * secrets never reach a span (the recording redaction rules apply to bodies, URLs and recorded
 * headers), and the response headers the noise model compares are recorded.
 */
export function driverSpans(tracer: HarnessTelemetry['tracer'], cfg: GauntletConfig, rules: RedactionRules = makeRedactionRules(cfg.redact)): ProbeSubscriber {
  return createSpanSubscriber(tracer, {
    maxEventBodyBytes: cfg.probe.maxEventBodyBytes,
    redactBody: (text, contentType) => redactBody(text, contentType, rules),
    redactUrl: (url) => redactUrl(url, rules),
    redactHeaders: (headers) => redactHeaders(headers, rules),
    // Compared headers and the volatile ones (reported as noise): both must be on the span to be judged.
    recordHeaders: [...cfg.noise.headers.compare, ...Object.keys(cfg.noise.headers.volatile)],
  });
}
