// Front door of the record stage: recording format, reader/writer, recording proxy, HAR import, redaction.
export {
  RECORDING_FORMAT,
  RECORDING_VERSION,
  SUPPORTED_VERSIONS,
  RecordedExchangeSchema,
  RecordingHeaderSchema,
  decodeBody,
  encodeBody,
  makeHeader,
  type RecordedExchange,
  type RecordingHeader,
} from './format.ts';
export { openRecording, readRecording, recordingOf, describeSkipped, type ReadOptions, type ReadStats, type RecordingStream } from './reader.ts';
export { RecordingWriter, segmentPath, PARTIAL_SUFFIX, type WriterOptions, type WriterStats } from './writer.ts';
export { startRecordProxy, type RecordProxy, type RecordProxyOptions, type RecordProxyStats } from './proxy.ts';
export { assertLoopbackListen, forwardExchange, originForm, parseUpstream, startProxyServer, type ForwardOptions, type ForwardOutcome, type ProxyServer, type Upstream } from './forward.ts';
export { BodyCapture, endToEndHeaders, flattenHeaders } from './capture.ts';
export { importHar, type HarImportResult, type UnsupportedReason } from './har.ts';
export {
  REDACTED,
  DEFAULT_REDACTION,
  makeRedactionRules,
  redactBody,
  redactExchange,
  redactHeaders,
  redactQuery,
  redactUrl,
  type RedactionConfig,
  type RedactionRules,
} from './redact.ts';
export { routeMatcher, unsafeGate, SAFE_METHODS } from './routes.ts';
export { parseByteSize, parseListen, parsePositive } from './units.ts';
