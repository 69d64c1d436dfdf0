import { describe, expect, it } from 'vitest';
import { ReviewConfigSchema } from '../src/config/index.ts';
import { guardOf, kb, makeBundles, parseAnswer, reviewOutcome, splitDiff, summaryLine, tallyBundle, type Bundle, type CallResult } from '../src/review/index.ts';

/** A `git diff`-shaped section adding `lines` lines to `path`. */
const section = (path: string, lines: number, filler = 'x') =>
  [`diff --git a/${path} b/${path}`, 'index 1111111..2222222 100644', `--- a/${path}`, `+++ b/${path}`, `@@ -1,0 +1,${lines} @@`, ...Array.from({ length: lines }, (_, i) => `+${filler}${i}`), ''].join('\n');

const GUARD = ReviewConfigSchema.parse({}).guard;

describe('review: splitting a diff into files', () => {
  it('names each section by its new path; a deletion by its old one; a pure rename by "rename to"', () => {
    const diff = [
      section('src/a.ts', 2),
      ['diff --git a/gone.ts b/gone.ts', 'deleted file mode 100644', '--- a/gone.ts', '+++ /dev/null', '@@ -1 +0,0 @@', '-x', ''].join('\n'),
      ['diff --git a/old name.ts b/new name.ts', 'similarity index 100%', 'rename from old name.ts', 'rename to new name.ts', ''].join('\n'),
      ['diff --git a/img.png b/img.png', 'new file mode 100644', 'Binary files /dev/null and b/img.png differ', ''].join('\n'),
      ['diff --git "a/caf\\303\\251.ts" "b/caf\\303\\251.ts"', '--- "a/caf\\303\\251.ts"', '+++ "b/caf\\303\\251.ts"', '@@ -0,0 +1 @@', '+y', ''].join('\n'),
    ].join('');
    const files = splitDiff(diff);
    expect(files.map((f) => f.path)).toEqual(['src/a.ts', 'gone.ts', 'new name.ts', 'img.png', 'café.ts']);
    // The sections partition the diff: nothing lost, nothing doubled.
    expect(files.map((f) => f.text).join('')).toBe(diff);
  });
});

describe('review: bundles and the size guard', () => {
  const components = [
    { name: 'validatord', paths: ['src/daemons/validatord/*'] },
    { name: 'vectord', paths: ['src/daemons/vectord/*'] },
    { name: 'daemons', paths: ['src/daemons/*'] },
  ];

  it('first matching component wins, ids follow the component order, unmatched files go to `other`, sizes are the bytes of the bundle', () => {
    const a = section('src/daemons/validatord/main.ts', 3);
    const b = section('src/daemons/common/args.ts', 2);
    const c = section('README.md', 1);
    const d = section('src/daemons/validatord/wire.ts', 4);
    const bundles = makeBundles(splitDiff(a + b + c + d), components, GUARD);
    expect(bundles.map((x) => [x.id, x.name, x.files])).toEqual([
      ['c1', 'validatord', ['src/daemons/validatord/main.ts', 'src/daemons/validatord/wire.ts']],
      ['c3', 'daemons', ['src/daemons/common/args.ts']],
      ['c4', 'other', ['README.md']],
    ]);
    expect(bundles[0]!.bytes).toBe(Buffer.byteLength(a + d));
    expect(bundles[0]!.diff).toBe(a + d);
  });

  it('warns over warnBytes, fails over failBytes, and an override turns the failure into a flagged review', () => {
    const g = { warnBytes: 60 * 1024, failBytes: 100 * 1024, override: false };
    expect(guardOf(60 * 1024, g)).toBe('ok');
    expect(guardOf(60 * 1024 + 1, g)).toBe('warn');
    expect(guardOf(100 * 1024, g)).toBe('warn');
    expect(guardOf(100 * 1024 + 1, g)).toBe('fail');
    expect(guardOf(100 * 1024 + 1, { ...g, override: true })).toBe('override');
    expect(kb(46 * 1024 + 100)).toBe('46KB');
    expect(kb(10)).toBe('1KB');
  });

  it('the config rejects a warn size over the fail size, duplicate reviewer names and a reviewer with both or neither adapter', () => {
    expect(ReviewConfigSchema.safeParse({ guard: { warnBytes: 10, failBytes: 5 } }).success).toBe(false);
    const r = { name: 'a', lineage: 'x', command: ['true'] };
    expect(ReviewConfigSchema.safeParse({ reviewers: [r, r] }).success).toBe(false);
    expect(ReviewConfigSchema.safeParse({ reviewers: [{ name: 'a', lineage: 'x' }] }).success).toBe(false);
    expect(ReviewConfigSchema.safeParse({ reviewers: [{ ...r, endpoint: { baseUrl: 'http://127.0.0.1:1/v1' }, model: 'm' }] }).success).toBe(false);
    expect(ReviewConfigSchema.safeParse({ reviewers: [{ name: 'a', lineage: 'x', endpoint: { baseUrl: 'http://127.0.0.1:1/v1' } }] }).success).toBe(false);
    expect(ReviewConfigSchema.safeParse({ reviewers: [r] }).success).toBe(true);
  });
});

describe('review: parsing an answer', () => {
  const files = ['src/a.ts', 'src/b.ts'];

  it('reads severity + WHERE blocks through Markdown decoration, several locations on one line', () => {
    const answer = [
      'Here is my review.',
      '1. **BLOCK:** unchecked index',
      '   - **WHERE:** `src/a.ts:12`',
      '* WARN — leaks a handle',
      '  WHERE: src/b.ts:3, src/a.ts:40-44',
      'NOTE: naming',
      'WHERE: src/b.ts:9',
    ].join('\n');
    const p = parseAnswer(answer, files);
    expect(p.findings.map((f) => [f.severity, `${f.path}:${f.line}`, f.title])).toEqual([
      ['BLOCK', 'src/a.ts:12', 'unchecked index'],
      ['WARN', 'src/b.ts:3', 'leaks a handle'],
      ['WARN', 'src/a.ts:40', 'leaks a handle'],
      ['NOTE', 'src/b.ts:9', 'naming'],
    ]);
    expect(p.rejected).toEqual([]);
    expect(p.whereLines).toBe(4);
  });

  it('rejects paths not in the bundle byte for byte (no guessing at b/ or ./ prefixes) and locations without a line', () => {
    const p = parseAnswer(['BLOCK: x', 'WHERE: b/src/a.ts:1', 'WHERE: ./src/a.ts:2', 'WHERE: src/c.ts:3', 'WHERE: src/a.ts', 'WHERE: src/a.ts:4'].join('\n'), files);
    expect(p.findings.map((f) => `${f.path}:${f.line}`)).toEqual(['src/a.ts:4']);
    expect(p.rejected).toEqual([
      { where: 'b/src/a.ts:1', reason: 'not in bundle' },
      { where: './src/a.ts:2', reason: 'not in bundle' },
      { where: 'src/c.ts:3', reason: 'not in bundle' },
      { where: 'src/a.ts', reason: 'no line number' },
    ]);
  });

  it('dedupes one location within an answer, keeping the highest severity', () => {
    const p = parseAnswer(['NOTE: a', 'WHERE: src/a.ts:7', 'BLOCK: b', 'WHERE: src/a.ts:7', 'WARN: c', 'WHERE: src/a.ts:7'].join('\n'), files);
    expect(p.findings).toEqual([{ severity: 'BLOCK', title: 'b', path: 'src/a.ts', line: 7, retracted: false }]);
  });

  it('flags a BLOCK retracted in the same answer, by a RETRACT line or by prose naming its location', () => {
    const p = parseAnswer(
      ['BLOCK: race', 'WHERE: src/a.ts:5', 'BLOCK: overflow', 'WHERE: src/b.ts:8', 'BLOCK: nil deref', 'WHERE: src/b.ts:20', 'RETRACT: src/a.ts:5', 'On reflection I withdraw the finding at src/b.ts:8, it is checked above.'].join('\n'),
      files,
    );
    expect(p.findings.map((f) => [`${f.path}:${f.line}`, f.retracted])).toEqual([
      ['src/a.ts:5', true],
      ['src/b.ts:8', true],
      ['src/b.ts:20', false],
    ]);
  });
});

describe('review: tally by lineage', () => {
  const bundle: Bundle = { id: 'c1', name: 'validatord', files: ['src/a.ts', 'src/b.ts'], diff: 'x'.repeat(46 * 1024), bytes: 46 * 1024, guard: 'ok' };
  const call = (name: string, lineage: string, answer: string): CallResult => ({ reviewer: { name, lineage }, parsed: parseAnswer(answer, bundle.files), durationMs: 1, outputBytes: answer.length });

  it('three answers from one lineage are one vote; two lineages converge; a retracted BLOCK is no BLOCK vote', () => {
    const block = 'BLOCK: bad\nWHERE: src/a.ts:1\n';
    const results = [
      call('qwen-7b', 'qwen', block + 'NOTE: n\nWHERE: src/b.ts:2\n'),
      call('qwen-14b', 'qwen', block),
      call('qwen-32b', 'qwen', block + 'WARN: w\nWHERE: src/b.ts:3\n'),
      call('llama', 'llama', 'BLOCK: bad\nWHERE: src/b.ts:3\nRETRACT: src/b.ts:3\nWARN: x\nWHERE: src/a.ts:9\n'),
    ];
    const t = tallyBundle(bundle, results, 2);
    const at = (k: string) => t.locations.find((l) => `${l.path}:${l.line}` === k)!;
    expect(at('src/a.ts:1')).toMatchObject({ lineages: ['qwen'], blockLineages: ['qwen'], convergent: false, convergentBlock: false });
    expect(at('src/a.ts:1').reviewers).toEqual(['qwen-14b', 'qwen-32b', 'qwen-7b']);
    expect(at('src/b.ts:3')).toMatchObject({ lineages: ['llama', 'qwen'], blockLineages: [], convergent: true, convergentBlock: false, severity: 'WARN' });
    expect(t.distinct).toBe(4);
    expect(t.convergent).toBe(1);
    expect(t.convergentBlocks).toBe(0);
    expect(t.retractedBlocks).toEqual([{ reviewer: 'llama', path: 'src/b.ts', line: 3, title: 'bad' }]);
    expect(summaryLine(t)).toBe('c1 validatord (46KB) → 1 convergent / 4 distinct · 1 retracted BLOCK');
    expect(reviewOutcome([t]).outcome).toBe('ok');

    const withLlama = tallyBundle(bundle, [...results, call('llama-2', 'llama', block)], 2);
    expect(withLlama.convergentBlocks).toBe(1);
    expect(summaryLine(withLlama)).toMatch(/^c1 validatord \(46KB\) → 2 convergent \/ 4 distinct · 1 convergent BLOCK/);
    expect(reviewOutcome([withLlama])).toMatchObject({ outcome: 'failed', convergentBlocks: 1 });
  });

  it('a bundle every reviewer failed on fails the review; one failure among answers does not', () => {
    const failed: CallResult = { reviewer: { name: 'x', lineage: 'x' }, error: 'timeout', durationMs: 5, outputBytes: 0 };
    const none = tallyBundle(bundle, [failed], 2);
    expect(summaryLine(none)).toBe('c1 validatord (46KB) → 0 convergent / 0 distinct · 1 reviewer call failed');
    expect(reviewOutcome([none]).reasons).toEqual(['c1 validatord: no reviewer answered']);
    expect(reviewOutcome([tallyBundle(bundle, [failed, call('y', 'y', 'No findings.')], 2)]).outcome).toBe('ok');
  });
});
