/** The per-component review scrum (`gauntlet review`): pure bundling, parsing and tally, plus the reviewer adapters. */
export { splitDiff, makeBundles, guardOf, kb, bytesOf, type Bundle, type FileDiff, type GuardVerdict } from './bundle.ts';
export { reviewPrompt, PROMPT_VERSION } from './prompt.ts';
export { parseAnswer, locationKey, SEVERITIES, type Finding, type ParsedAnswer, type Rejected, type Severity } from './findings.ts';
export { tallyBundle, summaryLine, type BundleTally, type CallResult, type Location, type ReviewerRef } from './tally.ts';
export { renderJson, renderMarkdown, reviewOutcome, REVIEW_REPORT_VERSION, type ReviewReport } from './render.ts';
export { callCommand, callEndpoint, apiKeyOf, redact, ReviewerCallError, type Answer } from './reviewers.ts';
