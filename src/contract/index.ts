/**
 * The telemetry contract: every `gauntlet.*` span attribute, event, metric name and closed
 * vocabulary, defined once. The bottom layer: it imports nothing of ours, and every stage that
 * emits or reads telemetry takes its names from here.
 */
export * from './attributes.ts';
export * from './vocabularies.ts';
export * as LoadMetrics from './load-metrics.ts';
export * as StackTelemetry from './stack.ts';
