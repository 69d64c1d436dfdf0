/**
 * The harness's own span/metric attribute names. These are public API (dashboards, queries and
 * production pipelines depend on them): keep them stable and documented in the README.
 * Standard HTTP attributes come from @opentelemetry/semantic-conventions, never from here.
 */
export const ATTR_GAUNTLET_RUN_ID = 'gauntlet.run.id';
export const ATTR_GAUNTLET_DRIVER = 'gauntlet.driver';
export const ATTR_GAUNTLET_SERVICE = 'gauntlet.service';
export const ATTR_GAUNTLET_RUNTIME = 'gauntlet.runtime';
/** primary | candidate | secondary: which side of the comparison this exchange is. */
export const ATTR_GAUNTLET_RUNTIME_ROLE = 'gauntlet.runtime.role';
export const ATTR_GAUNTLET_CASE = 'gauntlet.case';
export const ATTR_GAUNTLET_PAIR_ID = 'gauntlet.pair.id';
export const ATTR_GAUNTLET_ROUTE = 'gauntlet.route';
export const ATTR_GAUNTLET_RESPONSE_SHAPE = 'gauntlet.response.shape';
export const ATTR_GAUNTLET_RESPONSE_SHAPE_HASH = 'gauntlet.response.shape.hash';
export const ATTR_GAUNTLET_RESPONSE_BODY_HASH = 'gauntlet.response.body.hash';
export const ATTR_GAUNTLET_RESPONSE_CONTENT_TYPE = 'gauntlet.response.content_type';
export const ATTR_GAUNTLET_RESPONSE_BODY_TRUNCATED = 'gauntlet.response.body.truncated';
export const ATTR_GAUNTLET_TIMING_CONNECT_MS = 'gauntlet.timing.connect_ms';
export const ATTR_GAUNTLET_TIMING_TTFB_MS = 'gauntlet.timing.ttfb_ms';
export const ATTR_GAUNTLET_TIMING_TOTAL_MS = 'gauntlet.timing.total_ms';
export const ATTR_GAUNTLET_ERROR_MESSAGE = 'gauntlet.error.message';

/**
 * Response headers the probe records on its CLIENT span, as semconv `http.response.header.<name>`
 * (ATTR_HTTP_RESPONSE_HEADER, a one-item string[]), so the analyser can compare them. An allowlist:
 * headers that carry behaviour (redirects, caching, CORS, auth challenges) or are known noise — never
 * credentials (Set-Cookie, Authorization), and values still pass the default redaction.
 * Content-Type is not repeated here: it is `gauntlet.response.content_type`.
 */
export const RECORDED_RESPONSE_HEADERS: readonly string[] = [
  'location',
  'cache-control',
  'vary',
  'allow',
  'www-authenticate',
  'date',
  'server',
  'etag',
  'last-modified',
];
/** Every `access-control-*` (CORS) response header is recorded too. */
export const RECORDED_RESPONSE_HEADER_PREFIX = 'access-control-';

/** On the run span: the noise rules (JSON) the run was judged with, so a re-analysis needs no config. */
export const ATTR_GAUNTLET_RUN_NOISE = 'gauntlet.run.noise';

/** On the run span: pairs driven, pairs planned, and whether the run was cut short (SIGINT). */
export const ATTR_GAUNTLET_RUN_PAIRS = 'gauntlet.run.pairs';
export const ATTR_GAUNTLET_RUN_PAIRS_PLANNED = 'gauntlet.run.pairs_planned';
export const ATTR_GAUNTLET_RUN_INCOMPLETE = 'gauntlet.run.incomplete';

/**
 * Run lifecycle records: a `gauntlet run.start` span, exported and flushed before anything is sent,
 * and a `gauntlet run.end` span once the run has finished. A run with a start and no end never
 * finished (killed, crashed, out of memory): it is incomplete, whatever else it stored.
 */
export const SPAN_RUN_START = 'gauntlet run.start';
export const SPAN_RUN_END = 'gauntlet run.end';
/** On run.start: the command (run, parity, replay, load, smoke, mirror) and the phases it plans. */
export const ATTR_GAUNTLET_RUN_COMMAND = 'gauntlet.run.command';
export const ATTR_GAUNTLET_RUN_PHASES = 'gauntlet.run.phases';
/** On run.end: complete | interrupted | failed. */
export const ATTR_GAUNTLET_RUN_OUTCOME = 'gauntlet.run.outcome';

/** On a smoke check's root span: the check's expectations as JSON, so judging needs no suite file. */
export const ATTR_GAUNTLET_CHECK = 'gauntlet.check';
/** On a smoke check's root span: its position in the phase (report order). */
export const ATTR_GAUNTLET_CHECK_INDEX = 'gauntlet.check.index';
/** On the smoke phase span: how many check × runtime traces were sent (so lost telemetry is a failure). */
export const ATTR_GAUNTLET_SMOKE_EXPECTED = 'gauntlet.smoke.expected';

/** Span event carrying the (size-capped, redacted) response body. */
export const EVENT_GAUNTLET_RESPONSE_BODY = 'gauntlet.response.body';
/** Attribute of that event holding the body text. */
export const ATTR_GAUNTLET_BODY_TEXT = 'gauntlet.body.text';
/** Span event carrying the (redacted) request body, so a finding can show what was sent. */
export const EVENT_GAUNTLET_REQUEST_BODY = 'gauntlet.request.body';
/** On that event: the request body was cut at the event size cap. */
export const ATTR_GAUNTLET_REQUEST_BODY_TRUNCATED = 'gauntlet.request.body.truncated';

/** Resource attribute naming the runtime flavour of a daemon (rust, go, …). */
export const RESOURCE_GAUNTLET_RUNTIME = 'gauntlet.runtime';

/** The instrumentation scope of every span the harness itself emits. */
export const TRACER_NAME = 'gauntlet';

/** On run spans: what the run was given (case, suite and recording files) and which services it drove. */
export const ATTR_GAUNTLET_RUN_CASE_FILES = 'gauntlet.run.case_files';
export const ATTR_GAUNTLET_RUN_SUITE_FILES = 'gauntlet.run.suite_files';
export const ATTR_GAUNTLET_RUN_RECORDINGS = 'gauntlet.run.recordings';
export const ATTR_GAUNTLET_RUN_SERVICES = 'gauntlet.run.services';
/** On the replay run span: pacing, entries not sent (unsafe methods) by kind, entries not sent at all. */
export const ATTR_GAUNTLET_REPLAY_PACING = 'gauntlet.replay.pacing';
export const ATTR_GAUNTLET_REPLAY_SKIPPED_UNSAFE = 'gauntlet.replay.skipped_unsafe';
export const ATTR_GAUNTLET_REPLAY_NOT_SENT = 'gauntlet.replay.not_sent';

export { DRIVERS, type Driver } from './vocabularies.ts';
