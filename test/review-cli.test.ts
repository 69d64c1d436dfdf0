import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTraces, SpanStore, type StoredSpan } from '../src/collect/index.ts';
import { REPO_ROOT, runCli } from './support/cli.ts';

/**
 * `gauntlet review` end to end, loopback only: a git repository made here, reviewers that are real
 * processes (a node script answering from files written here), an OpenAI-compatible endpoint
 * stubbed on 127.0.0.1, and an OTLP/HTTP stub on 127.0.0.1 receiving the GenAI spans.
 */
const KEY = 'sk-test-0123456789abcdef-never-written';
let dir: string;
let repo: string;
let chat: Server;
let otlp: Server;
const chatRequests: Array<{ auth: string | undefined; body: { model: string; messages: Array<{ content: string }> } }> = [];
const spans: StoredSpan[] = [];
let otlpBodies = '';
let otlpUrl = '';

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });

/** Known answers, per reviewer and bundle id. */
const ANSWERS: Record<string, Record<string, string>> = {
  'qwen-a': {
    c1: [
      '**BLOCK:** unchecked length',
      '- WHERE: `src/validatord/main.go:3`',
      'NOTE: naming',
      'WHERE: src/validatord/main.go:5',
      'NOTE: naming again',
      'WHERE: src/validatord/main.go:5',
      'WARN: wrong file',
      'WHERE: src/vectord/index.go:1',
      'WHERE: b/src/validatord/main.go:4',
    ].join('\n'),
    c2: 'BLOCK: off by one\nWHERE: src/vectord/index.go:2',
  },
  'qwen-b': { c1: 'BLOCK: unchecked length\nWHERE: src/validatord/main.go:3', c2: 'BLOCK: off by one\nWHERE: src/vectord/index.go:2' },
  llama: {
    c1: 'WARN: naming\nWHERE: src/validatord/main.go:5\nBLOCK: race\nWHERE: src/validatord/main.go:7\nRETRACT: src/validatord/main.go:7',
    c2: 'BLOCK: off by one\nWHERE: src/vectord/index.go:2',
  },
};
const bundleOf = (prompt: string) => /bundle (c\d+)/.exec(prompt)![1]!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-review-'));
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'src/validatord'), { recursive: true });
  await mkdir(join(repo, 'src/vectord'), { recursive: true });
  await mkdir(join(repo, 'docs'), { recursive: true });
  git('init', '-q', '-b', 'main');
  await writeFile(join(repo, 'src/validatord/main.go'), 'package main\n');
  await writeFile(join(repo, 'src/vectord/index.go'), 'package vectord\n');
  git('add', '-A');
  git('commit', '-qm', 'base');
  git('tag', 'base');
  // ~46 KiB of change in validatord, a small one in vectord and one in docs (no component: `other`).
  const big = Array.from({ length: 750 }, (_, i) => `// line ${String(i).padStart(5, '0')} of the validatord change, padded to forty bytes`).join('\n');
  await writeFile(join(repo, 'src/validatord/main.go'), `package main\n\nfunc main() {}\n${big}\n`);
  await writeFile(join(repo, 'src/vectord/index.go'), 'package vectord\n\nfunc Index() int { return 1 }\n');
  await writeFile(join(repo, 'docs/notes.md'), '# notes\n');
  git('add', '-A');
  git('commit', '-qm', 'change');

  // The command reviewer: a real process answering from the table above (written as files).
  for (const [name, byBundle] of Object.entries(ANSWERS)) for (const [id, text] of Object.entries(byBundle)) {
    await mkdir(join(dir, 'answers', name), { recursive: true });
    await writeFile(join(dir, 'answers', name, `${id}.txt`), text);
  }
  await writeFile(
    join(dir, 'reviewer.mjs'),
    [
      "import { readFileSync, existsSync } from 'node:fs';",
      "let prompt = ''; process.stdin.setEncoding('utf8'); for await (const c of process.stdin) prompt += c;",
      'const id = /bundle (c\\d+)/.exec(prompt)[1];',
      "const file = new URL(`./answers/${process.argv[2]}/${id}.txt`, import.meta.url);",
      "process.stdout.write(existsSync(file) ? readFileSync(file, 'utf8') : 'No findings.');",
    ].join('\n'),
  );
  await writeFile(join(dir, 'sleepy.mjs'), "process.stdin.resume(); setTimeout(() => process.stdout.write('NOTE: late'), 60_000);");
  await writeFile(join(dir, 'chatty.mjs'), "process.stdin.resume(); process.stdout.write('x'.repeat(200_000));");

  chat = createServer(async (req, res) => {
    const parsed = JSON.parse((await body(req)).toString()) as (typeof chatRequests)[number]['body'];
    chatRequests.push({ auth: req.headers.authorization, body: parsed });
    const prompt = parsed.messages[0]!.content;
    const content = ANSWERS.llama![bundleOf(prompt)] ?? 'No findings.';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ model: 'llama-stub-1', choices: [{ message: { role: 'assistant', content } }], usage: { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: content.length } }));
  });
  otlp = createServer(async (req, res) => {
    const b = await body(req);
    otlpBodies += b.toString('latin1');
    spans.push(...decodeTraces(b, req.headers['content-type'] ?? ''));
    res.setHeader('content-type', 'application/x-protobuf');
    res.end();
  });
  const chatPort = await listen(chat);
  const otlpPort = await listen(otlp);
  const reviewer = (name: string, lineage: string) => `    - { name: ${name}, lineage: ${lineage}, command: [node, reviewer.mjs, ${name}], timeoutMs: 30000 }`;
  await writeFile(
    join(dir, 'gauntlet.config.yaml'),
    [
      'stack: { services: {} }',
      'review:',
      '  components:',
      "    - { name: validatord, paths: ['src/validatord/*'] }",
      "    - { name: vectord, paths: ['src/vectord/*'] }",
      '  reviewers:',
      reviewer('qwen-a', 'qwen'),
      reviewer('qwen-b', 'qwen'),
      `    - { name: llama, lineage: llama, model: llama-3, endpoint: { baseUrl: 'http://127.0.0.1:${chatPort}/v1', apiKeyEnv: REVIEW_TEST_KEY } }`,
      '    - { name: sleepy, lineage: s, command: [node, sleepy.mjs], timeoutMs: 500 }',
      '    - { name: chatty, lineage: c, command: [node, chatty.mjs], maxOutputBytes: 1000 }',
      '  concurrency: 3',
    ].join('\n'),
  );
  otlpUrl = `http://127.0.0.1:${otlpPort}`;
}, 60_000);

afterAll(async () => {
  chat?.close();
  otlp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const review = (args: string[], env: Record<string, string> = {}) =>
  runCli(['review', ...args, '--config', join(dir, 'gauntlet.config.yaml'), '--repo', repo], { cwd: dir, env: { REVIEW_TEST_KEY: KEY, ...env } });
const sizeOf = (path: string) => Buffer.byteLength(git('diff', '--no-color', 'base..HEAD', '--', path));
// The summary rounds to whole KiB, and a non-empty bundle is at least 1KB.
const KB = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))}KB`;

describe('gauntlet review on a real repository', () => {
  it('all reviewers: bundles and sizes, dedupe, path rejection, retraction, lineage convergence, exit 1 on a convergent BLOCK; JSON, Markdown and GenAI spans without the key', async () => {
    const json = join(dir, 'out', 'review.json');
    const md = join(dir, 'out', 'review.md');
    const r = await review(['base..HEAD', '--reviewer', 'qwen-a,qwen-b,llama', '--json', json, '--markdown', md, '--otlp-endpoint', otlpUrl]);
    expect(r.stderr).toBe('');
    const c1 = sizeOf('src/validatord');
    expect(c1).toBeGreaterThan(44 * 1024);
    expect(c1).toBeLessThan(60 * 1024);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`c1 validatord (${KB(c1)}) → 1 convergent / 3 distinct · 1 retracted BLOCK · 2 rejected paths`);
    expect(lines).toContain(`c2 vectord (${KB(sizeOf('src/vectord'))}) → 1 convergent / 1 distinct · 1 convergent BLOCK`);
    expect(lines).toContain(`c3 other (${KB(sizeOf('docs'))}) → 0 convergent / 0 distinct`);
    expect(r.stdout).toContain('rejected from qwen-a: src/vectord/index.go:1 (not in bundle)');
    expect(r.stdout).toContain('rejected from qwen-a: b/src/validatord/main.go:4 (not in bundle)');
    expect(r.stdout).toContain('retracted BLOCK by llama at src/validatord/main.go:7');
    expect(r.code).toBe(1);

    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.outcome).toBe('failed');
    expect(report.convergentBlocks).toBe(1);
    const [b1, b2] = report.bundles;
    expect(b1.bytes).toBe(c1);
    expect(b1.files).toEqual(['src/validatord/main.go']);
    // qwen-a named main.go:5 twice: one finding. main.go:3 by two qwen reviewers is one lineage: not convergent.
    expect(b1.calls.find((c: { reviewer: { name: string } }) => c.reviewer.name === 'qwen-a').findings).toBe(2);
    const at = (b: { locations: Array<{ path: string; line: number }> }, k: string) => b.locations.find((l) => `${l.path}:${l.line}` === k) as Record<string, unknown>;
    expect(at(b1, 'src/validatord/main.go:3')).toMatchObject({ reviewers: ['qwen-a', 'qwen-b'], lineages: ['qwen'], convergent: false });
    expect(at(b1, 'src/validatord/main.go:5')).toMatchObject({ lineages: ['llama', 'qwen'], convergent: true, convergentBlock: false });
    expect(at(b2, 'src/vectord/index.go:2')).toMatchObject({ blockLineages: ['llama', 'qwen'], convergentBlock: true });
    const llama = b1.calls.find((c: { reviewer: { name: string } }) => c.reviewer.name === 'llama');
    expect(llama).toMatchObject({ model: 'llama-stub-1', outputTokens: ANSWERS.llama!.c1!.length });

    const markdown = await readFile(md, 'utf8');
    expect(markdown).toContain(`### c1 validatord (${KB(c1)}) → 1 convergent / 3 distinct`);
    expect(markdown).toContain('**Failed:** c2 vectord: 1 convergent BLOCK');

    // The endpoint got the key in its header, and nowhere else has it.
    expect(chatRequests.length).toBe(3);
    expect(chatRequests.every((q) => q.auth === `Bearer ${KEY}` && q.body.model === 'llama-3')).toBe(true);
    for (const text of [r.stdout, r.stderr, JSON.stringify(report), markdown, otlpBodies]) expect(text).not.toContain(KEY);

    // One GenAI inference span per (bundle, reviewer), under one root span.
    const calls = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(calls.length).toBe(9);
    expect(spans.filter((s) => s.name === 'gauntlet review').length).toBe(1);
    for (const s of calls) expect(s.kind).toBe('CLIENT');
    const llamaC1 = calls.find((s) => s.attributes['gauntlet.review.reviewer'] === 'llama' && s.attributes['gauntlet.review.bundle'] === 'c1')!;
    expect(llamaC1.name).toBe('chat llama-3');
    expect(llamaC1.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'llama-3', 'gen_ai.response.model': 'llama-stub-1', 'gauntlet.review.lineage': 'llama' });
    expect(Number(llamaC1.attributes['gen_ai.usage.output_tokens'])).toBe(ANSWERS.llama!.c1!.length);
    expect(Number(llamaC1.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(c1 / 4);
    expect(Number(llamaC1.attributes['gauntlet.review.bundle_bytes'])).toBe(c1);
    const qwenC1 = calls.find((s) => s.attributes['gauntlet.review.reviewer'] === 'qwen-a' && s.attributes['gauntlet.review.bundle'] === 'c1')!;
    expect(qwenC1.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(Number(qwenC1.attributes['gauntlet.review.rejected_paths'])).toBe(2);
  }, 90_000);

  it('one lineage only: the same BLOCK from two qwen reviewers is not convergent (exit 0); --json - prints only JSON on stdout; the warn size warns', async () => {
    const r = await review(['base..HEAD', '--reviewer', 'qwen-a,qwen-b', '--json', '-', '--warn-bytes', '30KiB']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe('ok');
    expect(report.bundles[1]).toMatchObject({ id: 'c2', convergent: 0, distinct: 1, convergentBlocks: 0 });
    expect(r.stderr).toMatch(/^warning: c1 validatord is \d+KB \(\d+ bytes\), over the warn size 30720/m);
    expect(r.stderr).toContain(`c2 vectord (${KB(sizeOf('src/vectord'))}) → 0 convergent / 1 distinct`);
  }, 60_000);

  it('the size guard: over the fail size is exit 2 naming the bundle, before any reviewer runs; --allow-large reviews it', async () => {
    const before = chatRequests.length;
    const refused = await review(['base..HEAD', '--fail-bytes', '40KiB', '--warn-bytes', '20KiB']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/size guard: c1 validatord is \d+KB \(\d+ bytes\) — over the fail size of 40960 bytes/);
    expect(refused.stdout).toBe('');
    expect(chatRequests.length).toBe(before);
    const allowed = await review(['base..HEAD', '--fail-bytes', '40KiB', '--warn-bytes', '20KiB', '--allow-large', '--reviewer', 'qwen-b', '-q']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^c1 validatord \(\d+KB\) → 0 convergent \/ 1 distinct · over the fail size \(overridden\)$/m);
  }, 60_000);

  it('usage and config errors exit 2: bad range, unknown reviewer, missing API key', async () => {
    const bad = await review(['nope..HEAD']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("git diff nope..HEAD failed");
    const unknown = await review(['base..HEAD', '--reviewer', 'qwen-a,gpt']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown reviewer: gpt');
    const noKey = await review(['base..HEAD', '--reviewer', 'llama'], { REVIEW_TEST_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('$REVIEW_TEST_KEY');
  }, 60_000);

  it('reviewer calls are bounded: a timeout and an oversized answer are reported failures, and a bundle nobody answered fails the review', async () => {
    const r = await review(['base..HEAD', '--reviewer', 'sleepy,chatty', '-q']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^c1 validatord \(\d+KB\) → 0 convergent \/ 0 distinct · 2 reviewer calls failed$/m);
    const full = await review(['HEAD~1..HEAD', '--reviewer', 'sleepy,chatty']);
    expect(full.stdout).toContain('sleepy failed: no answer within 500 ms (stopped)');
    expect(full.stdout).toContain('chatty failed: answer larger than 1000 bytes (stopped)');
    expect(full.stdout).toContain('FAILED (c1 validatord: no reviewer answered');
  }, 60_000);
  it('--store keeps the GenAI spans in the span store under the review run id, where bundle size and engagement can be queried', async () => {
    const storePath = join(dir, 'store', 'spans.duckdb');
    await mkdir(join(dir, 'store'), { recursive: true });
    const r = await review(['base..HEAD', '--reviewer', 'qwen-b,llama', '--store', storePath, '--json', '-']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.runId).toMatch(/^review-\d{14}-[0-9a-f]{6}$/);
    const store = await SpanStore.open(storePath);
    try {
      const stored = await store.spansForRun(report.runId);
      const calls = stored.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
      // 3 bundles × 2 reviewers, plus the root.
      expect(calls.length).toBe(6);
      expect(stored.length).toBe(7);
      const llamaC1 = calls.find((s) => s.attributes['gauntlet.review.reviewer'] === 'llama' && s.attributes['gauntlet.review.bundle'] === 'c1')!;
      expect(Number(llamaC1.attributes['gauntlet.review.bundle_bytes'])).toBe(report.bundles[0].bytes);
      expect(Number(llamaC1.attributes['gen_ai.usage.output_tokens'])).toBe(ANSWERS.llama!.c1!.length);
      expect(JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(KEY);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('the shipped example config (harness/review, stub reviewers that are not a model) works against another repository', async () => {
    const r = await runCli(['review', 'base..HEAD', '--config', join(REPO_ROOT, 'harness/review/gauntlet.review.yaml'), '--repo', repo, '--json', '-'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.reviewers.map((x: { name: string; lineage: string }) => `${x.name}/${x.lineage}`)).toEqual(['stub-a/stub', 'stub-b/stub-too']);
    // The stub names the first added line of each file; two lineages → every location converges, as a NOTE.
    const byId = Object.fromEntries(report.bundles.map((b: { id: string; name: string; locations: Array<{ path: string; line: number; severity: string; convergent: boolean }> }) => [`${b.id} ${b.name}`, b.locations.map((l) => `${l.path}:${l.line} ${l.severity} ${l.convergent}`)]));
    expect(byId).toEqual({ 'c4 harness': ['src/validatord/main.go:2 NOTE true', 'src/vectord/index.go:2 NOTE true'], 'c6 docs': ['docs/notes.md:1 NOTE true'] });
    expect(r.stderr).toContain('c4 harness (');
  }, 60_000);
});
