/**
 * `gauntlet review RANGE`: the per-component review scrum. git diff → bundles (by component
 * globs) → size guard → every reviewer on every bundle (bounded pool, one GenAI span per call) →
 * findings → tally by lineage → terminal summary, JSON, Markdown. Outcome `failed` (exit 1) on a
 * convergent BLOCK or a bundle no reviewer answered for; bad range, unknown reviewer, no reviewer
 * configured and a guard failure are input errors (exit 2).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace, context as otelContext, type Tracer } from '@opentelemetry/api';
import type { ReviewerConfig, ReviewGuard } from '../config/index.ts';
import {
  apiKeyOf,
  callCommand,
  callEndpoint,
  kb,
  makeBundles,
  parseAnswer,
  redact,
  renderJson,
  renderMarkdown,
  reviewOutcome,
  reviewPrompt,
  ReviewerCallError,
  splitDiff,
  summaryLine,
  tallyBundle,
  REVIEW_REPORT_VERSION,
  type Answer,
  type Bundle,
  type CallResult,
  type ReviewReport,
} from '../review/index.ts';
import { openStoreForRun, startReceiver, type Receiver, type SpanStore } from '../collect/index.ts';
import { startTelemetry } from '../telemetry/tracing.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { GauntletError } from '../util/errors.ts';
import { given, loadSources, type Outcome, type Output, type Sources } from './output.ts';

export interface ReviewOptions extends Sources {
  range: string;
  /** Repository directory (default: the current directory). */
  repo?: string | undefined;
  /** Only these reviewers (names from review.reviewers). */
  reviewers?: readonly string[] | undefined;
  json?: string | undefined;
  markdown?: string | undefined;
  warnBytes?: number | undefined;
  failBytes?: number | undefined;
  allowLarge?: boolean | undefined;
  /** OTLP/HTTP base URL for the reviewer-call spans (default: $OTEL_EXPORTER_OTLP_ENDPOINT; none: no export). */
  otlpEndpoint?: string | undefined;
  /** Keep the spans in this span store instead (DuckDB, via the embedded receiver, under the review's run id). */
  store?: string | undefined;
  quiet?: boolean | undefined;
}

const inputError = (message: string, hint?: string) => new GauntletError('GAUNTLET_INPUT_INVALID', message, hint ? { hint } : {});

/** `git diff RANGE` in `repo`, paths unquoted; a git failure (bad range, not a repository) is an input error. */
export function gitDiff(repo: string, range: string): Promise<string> {
  if (!range || range.startsWith('-')) return Promise.reject(new GauntletError('GAUNTLET_USAGE', `not a git range: ${JSON.stringify(range)}`, { hint: 'e.g. gauntlet review HEAD~3..HEAD' }));
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotePath=false', '-C', repo, 'diff', '--no-color', '--no-ext-diff', '--no-textconv', range, '--'],
      { maxBuffer: 512 * 1024 * 1024, timeout: 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const why = (stderr || err.message).trim().split('\n')[0];
          return reject(inputError(`git diff ${range} failed in ${repo}: ${why}`, 'RANGE is a git range such as main..HEAD or HEAD~3..HEAD; --repo DIR picks the repository'));
        }
        resolve(stdout);
      },
    );
  });
}

/** A bounded pool: at most `limit` of `jobs` run at once, results in job order. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

interface CallPlan {
  bundle: Bundle;
  reviewer: ReviewerConfig;
}

/** One reviewer call as a span that follows the OpenTelemetry GenAI semantic conventions (inference span). */
async function reviewOnce(plan: CallPlan, range: string, tracer: Tracer, parent: ReturnType<typeof otelContext.active>, cwd: string, apiKeys: Map<string, string | undefined>, signal: AbortSignal): Promise<CallResult> {
  const { bundle, reviewer: r } = plan;
  const model = r.model ?? r.name;
  const provider = r.provider ?? (r.endpoint ? 'openai' : r.name);
  const span = tracer.startSpan(
    `chat ${model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': provider,
        // Before semantic conventions v1.37 the provider was gen_ai.system; older backends still group by it.
        'gen_ai.system': provider,
        'gen_ai.request.model': model,
        ...(r.endpoint?.maxTokens ? { 'gen_ai.request.max_tokens': r.endpoint.maxTokens } : {}),
        ...(r.endpoint ? { 'server.address': new URL(r.endpoint.baseUrl).hostname } : {}),
        'gauntlet.review.range': range,
        'gauntlet.review.bundle': bundle.id,
        'gauntlet.review.component': bundle.name,
        'gauntlet.review.bundle_bytes': bundle.bytes,
        'gauntlet.review.bundle_files': bundle.files.length,
        'gauntlet.review.reviewer': r.name,
        'gauntlet.review.lineage': r.lineage,
        'gauntlet.review.adapter': r.endpoint ? 'endpoint' : 'command',
      },
    },
    parent,
  );
  const started = performance.now();
  const prompt = reviewPrompt(bundle, range);
  const ref = { name: r.name, lineage: r.lineage };
  const key = apiKeys.get(r.name);
  try {
    const answer: Answer = r.endpoint ? await callEndpoint({ ...r, endpoint: r.endpoint }, prompt, key, signal) : await callCommand({ ...r, command: r.command! }, prompt, cwd, signal);
    const parsed = parseAnswer(answer.text, bundle.files);
    const durationMs = Math.round(performance.now() - started);
    span.setAttributes({
      ...(answer.model ? { 'gen_ai.response.model': answer.model } : {}),
      ...(answer.inputTokens !== undefined ? { 'gen_ai.usage.input_tokens': answer.inputTokens } : {}),
      ...(answer.outputTokens !== undefined ? { 'gen_ai.usage.output_tokens': answer.outputTokens } : {}),
      'gauntlet.review.output_bytes': answer.outputBytes,
      'gauntlet.review.where_lines': parsed.whereLines,
      'gauntlet.review.findings': parsed.findings.length,
      'gauntlet.review.findings.block': parsed.findings.filter((f) => f.severity === 'BLOCK' && !f.retracted).length,
      'gauntlet.review.rejected_paths': parsed.rejected.length,
      'gauntlet.review.retracted_blocks': parsed.findings.filter((f) => f.retracted).length,
    });
    return { reviewer: ref, parsed, durationMs, outputBytes: answer.outputBytes, ...given({ inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, model: answer.model }) };
  } catch (err) {
    const message = redact(err instanceof Error ? err.message : String(err), [key]);
    span.setAttribute('error.type', err instanceof ReviewerCallError ? err.type : '_OTHER');
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    return { reviewer: ref, error: message, durationMs: Math.round(performance.now() - started), outputBytes: 0 };
  } finally {
    span.end();
  }
}

function chooseReviewers(all: readonly ReviewerConfig[], names: readonly string[] | undefined, configFile: string | undefined): ReviewerConfig[] {
  if (all.length === 0) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', 'no reviewer configured: review.reviewers is empty', {
      ...(configFile ? { file: configFile } : {}),
      path: 'review.reviewers',
      hint: 'gauntlet ships no reviewer model: add a command (prompt on stdin, answer on stdout) or an OpenAI-compatible endpoint — see docs/review.md',
    });
  }
  if (!names?.length) return [...all];
  const unknown = names.filter((n) => !all.some((r) => r.name === n));
  if (unknown.length) throw new GauntletError('GAUNTLET_USAGE', `unknown reviewer${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { hint: `configured: ${all.map((r) => r.name).join(', ')}` });
  return all.filter((r) => names.includes(r.name));
}

export async function review(o: ReviewOptions, out: Output): Promise<Outcome> {
  const loaded = await loadSources(o);
  const cfg = loaded.config.review;
  const reviewers = chooseReviewers(cfg.reviewers, o.reviewers, loaded.file);
  // Every key is looked up before any work, so a missing one is exit 2 and not N failed calls.
  const apiKeys = new Map(reviewers.map((r) => [r.name, apiKeyOf(r)] as const));
  const guard: ReviewGuard = { ...cfg.guard, ...given({ warnBytes: o.warnBytes, failBytes: o.failBytes }), override: o.allowLarge || cfg.guard.override };
  if (guard.warnBytes > guard.failBytes) throw new GauntletError('GAUNTLET_USAGE', `the warn size (${guard.warnBytes} bytes) is over the fail size (${guard.failBytes} bytes)`);
  const repo = o.repo ?? process.cwd();
  const diff = await gitDiff(repo, o.range);
  const bundles = makeBundles(splitDiff(diff), cfg.components, guard);
  // With --json -, stdout carries the JSON: the human summary goes to stderr.
  const term = o.json === '-' ? out.stderr : out.stdout;
  if (bundles.length === 0) {
    term.write(`review ${o.range}: no changes\n`);
  }
  const failing = bundles.filter((b) => b.guard === 'fail');
  for (const b of bundles.filter((x) => x.guard === 'warn' || x.guard === 'override')) {
    out.stderr.write(`warning: ${b.id} ${b.name} is ${kb(b.bytes)} (${b.bytes} bytes), over ${b.guard === 'warn' ? `the warn size ${guard.warnBytes}` : `the fail size ${guard.failBytes} (overridden)`}: reviewers engage less with large bundles\n`);
  }
  if (failing.length) {
    throw inputError(
      `size guard: ${failing.map((b) => `${b.id} ${b.name} is ${kb(b.bytes)} (${b.bytes} bytes)`).join(', ')} — over the fail size of ${guard.failBytes} bytes`,
      'split it into smaller components (review.components), or review it anyway with --allow-large (review.guard.override) or a larger --fail-bytes',
    );
  }

  if (o.store && o.otlpEndpoint) throw new GauntletError('GAUNTLET_USAGE', 'choose one of --store and --otlp-endpoint');
  const runId = `review-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  // With --store the spans go where every run's spans go: the embedded receiver into the span store.
  let store: SpanStore | undefined;
  let receiver: Receiver | undefined;
  if (o.store) {
    store = (await openStoreForRun(o.store, runId)).store;
    receiver = await startReceiver({ store, host: loaded.config.collector.host, port: 0, maxBodyBytes: loaded.config.collector.maxBodyBytes }).catch(async (err: unknown) => {
      await store!.close();
      throw err;
    });
  }
  const endpoint = receiver?.url ?? o.otlpEndpoint ?? (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined);
  const telemetry = startTelemetry({ endpoint, runId });
  const root = telemetry.tracer.startSpan('gauntlet review', { kind: SpanKind.INTERNAL, root: true, attributes: { 'gauntlet.review.range': o.range, 'gauntlet.review.bundles': bundles.length, 'gauntlet.review.reviewers': reviewers.length } });
  const parent = trace.setSpan(otelContext.active(), root);
  let report: ReviewReport;
  try {
    const plans: CallPlan[] = bundles.flatMap((bundle) => reviewers.map((reviewer) => ({ bundle, reviewer })));
    const cwd = loaded.file ? loaded.baseDir : process.cwd();
    const results = await pool(
      plans.map((p) => () => reviewOnce(p, o.range, telemetry.tracer, parent, cwd, apiKeys, out.signal)),
      cfg.concurrency,
    );
    const tallies = bundles.map((b) => tallyBundle(b, results.filter((_, i) => plans[i]!.bundle === b), cfg.convergence));
    report = {
      version: REVIEW_REPORT_VERSION,
      runId,
      range: o.range,
      convergence: cfg.convergence,
      reviewers: reviewers.map((r) => ({ name: r.name, lineage: r.lineage, model: r.model, kind: r.endpoint ? 'endpoint' : 'command' })),
      bundles: tallies,
      ...reviewOutcome(tallies),
    };
    root.setAttributes({ 'gauntlet.review.convergent_blocks': report.convergentBlocks, 'gauntlet.review.outcome': report.outcome });
  } finally {
    root.end();
    await telemetry.flush(5_000).catch(() => {});
    await telemetry.shutdown().catch(() => {});
    await receiver?.close().catch(() => {});
    await store?.close().catch(() => {});
  }
  if (out.signal.aborted) return 'interrupted';

  for (const t of report.bundles) {
    term.write(`${summaryLine(t)}\n`);
    if (o.quiet) continue;
    for (const l of t.locations.filter((x) => x.convergent)) term.write(`  ${l.convergentBlock ? 'BLOCK' : l.severity.padEnd(5)} ${l.path}:${l.line}  (${l.lineages.join(', ')})\n`);
    for (const x of t.retractedBlocks) term.write(`  retracted BLOCK by ${x.reviewer} at ${x.path}:${x.line}\n`);
    for (const c of t.calls) {
      for (const j of c.rejected) term.write(`  rejected from ${c.reviewer.name}: ${j.where} (${j.reason})\n`);
      if (c.error) term.write(`  ${c.reviewer.name} failed: ${c.error}\n`);
    }
  }
  if (o.json === '-') out.stdout.write(renderJson(report));
  else if (o.json) await writeFileAtomic(o.json, renderJson(report));
  if (o.markdown) await writeFileAtomic(o.markdown, renderMarkdown(report));
  term.write(`review ${o.range}: ${report.bundles.length} bundle${report.bundles.length === 1 ? '' : 's'} · ${report.convergentBlocks} convergent BLOCK · ${report.outcome === 'ok' ? 'ok' : `FAILED (${report.reasons.join('; ')})`}\n`);
  return report.outcome;
}
