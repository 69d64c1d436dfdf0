import { z } from 'zod';

/**
 * `gauntlet review RANGE`: the per-component review scrum. The diff of a git range is split into
 * one bundle per component (path globs, first match wins), each bundle is size-guarded, and every
 * reviewer — a command (prompt on stdin, answer on stdout) or an OpenAI-compatible endpoint — reads
 * every bundle. No reviewer model ships with gauntlet: you configure your own.
 */
const KIB = 1024;

export const ReviewComponentSchema = z
  .object({
    name: z.string().min(1).describe('Component name shown in the summary, e.g. validatord'),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .describe('Path globs relative to the repository root (`*` matches any run of characters, `/` included); a file belongs to the first component that matches'),
  })
  .strict();

const NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'reviewer names are letters, digits, dot, dash, underscore');

export const ReviewerSchema = z
  .object({
    name: NAME.describe('Reviewer name (unique): dedupe is per (reviewer, location)'),
    lineage: z.string().min(1).describe('Model family; convergence counts distinct lineages, so three answers from one family are one vote'),
    model: z.string().min(1).optional().describe('Model id (gen_ai.request.model; required for an endpoint)'),
    provider: z.string().min(1).optional().describe('gen_ai.provider.name of the spans, e.g. openai, ollama (default: openai for an endpoint, the reviewer name for a command)'),
    command: z.array(z.string().min(1)).min(1).optional().describe('argv of a command: the prompt arrives on stdin, the answer is read from stdout (run in the config file’s directory)'),
    endpoint: z
      .object({
        baseUrl: z.url({ protocol: /^https?$/ }).describe('Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1 (POST {baseUrl}/chat/completions)'),
        apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('Name of the environment variable holding the API key (the key itself is never in the config, a report or a span)'),
        maxTokens: z.number().int().positive().max(1_000_000).optional().describe('max_tokens of the request'),
        temperature: z.number().min(0).max(2).optional(),
      })
      .strict()
      .optional(),
    timeoutMs: z.number().int().positive().max(3_600_000).default(300_000).describe('A call running longer is stopped and reported as failed'),
    maxOutputBytes: z.number().int().positive().max(64 * 1024 * 1024).default(1024 * 1024).describe('An answer larger than this is cut off and the call reported as failed'),
  })
  .strict()
  .refine((r) => (r.command === undefined) !== (r.endpoint === undefined), { message: 'set exactly one of `command` or `endpoint`' })
  .refine((r) => r.endpoint === undefined || r.model !== undefined, { message: 'an endpoint reviewer needs `model`', path: ['model'] });

export const ReviewGuardSchema = z
  .object({
    warnBytes: z.number().int().positive().default(60 * KIB).describe('Warn when a bundle is larger than this (bytes; default 60 KiB)'),
    failBytes: z.number().int().positive().default(100 * KIB).describe('Refuse (exit 2) when a bundle is larger than this, unless overridden (bytes; default 100 KiB)'),
    override: z.boolean().default(false).describe('Review bundles over failBytes anyway (or --allow-large)'),
  })
  .strict()
  .refine((g) => g.warnBytes <= g.failBytes, { message: 'warnBytes must not exceed failBytes' });

export const ReviewConfigSchema = z
  .object({
    components: z.array(ReviewComponentSchema).default([]).describe('Bundles c1, c2, … in this order; files matching none go to a last bundle named `other`'),
    reviewers: z
      .array(ReviewerSchema)
      .default([])
      .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, { message: 'reviewer names must be unique' }),
    guard: ReviewGuardSchema.default(ReviewGuardSchema.parse({})),
    convergence: z.number().int().min(1).max(100).default(2).describe('Distinct lineages that must name the same location for it to count as convergent'),
    concurrency: z.number().int().min(1).max(64).default(2).describe('Reviewer calls in flight at once'),
  })
  .strict();

export type ReviewConfig = z.infer<typeof ReviewConfigSchema>;
export type ReviewerConfig = z.infer<typeof ReviewerSchema>;
export type ReviewComponent = z.infer<typeof ReviewComponentSchema>;
export type ReviewGuard = z.infer<typeof ReviewGuardSchema>;
