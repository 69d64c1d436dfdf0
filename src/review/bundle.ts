/**
 * Pure: a unified diff (`git diff`) split into per-file sections, and the sections grouped into
 * per-component bundles by path globs, with the size guard's verdict for each bundle.
 */
import { globToRegExp } from '../util/glob.ts';
import type { ReviewComponent, ReviewGuard } from '../config/review-schema.ts';

export interface FileDiff {
  /** The path as the diff names it (the new path; the old one for a deletion). */
  readonly path: string;
  /** The section's text, from its `diff --git` line up to the next one. */
  readonly text: string;
}

export type GuardVerdict = 'ok' | 'warn' | 'fail' | 'override';

export interface Bundle {
  /** c1, c2, … in the order of the components; `other` gets the next number. */
  readonly id: string;
  readonly name: string;
  readonly files: readonly string[];
  readonly diff: string;
  /** UTF-8 bytes of `diff`. */
  readonly bytes: number;
  readonly guard: GuardVerdict;
}

const C_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };

/** git's C-style quoting of unusual paths (`"caf\303\251.ts"`): octal escapes are UTF-8 bytes. */
function unquote(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const oct = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (oct) {
      bytes.push(parseInt(oct[0], 8));
      i += 3;
    } else {
      const next = body[++i] ?? '';
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `--- a/x`, `+++ b/x`, `/dev/null`: the path without its a/ or b/ prefix. */
function sidePath(line: string): string | undefined {
  const raw = unquote(line.slice(4).replace(/\t.*$/, '').trim());
  if (raw === '/dev/null') return undefined;
  return raw.replace(/^[ab]\//, '');
}

/** A section without ---/+++ lines (binary, mode or pure rename): `rename to`, else the header split in the middle. */
function headerPath(header: string, lines: readonly string[]): string {
  const renamed = lines.find((l) => l.startsWith('rename to ') || l.startsWith('copy to '));
  if (renamed) return unquote(renamed.replace(/^(rename|copy) to /, ''));
  const rest = header.slice('diff --git '.length);
  const quoted = /^"(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"$/.exec(rest);
  if (quoted) return unquote(`"${quoted[1]}"`).replace(/^b\//, '');
  // `a/P b/P`: both halves are the same length when the path did not change.
  const half = (rest.length - 1) / 2;
  return rest.slice(half + 1).replace(/^b\//, '');
}

/** Split `git diff` output at its `diff --git` lines. Text before the first one is dropped. */
export function splitDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  const starts: number[] = [];
  const re = /^diff --git .*$/gm;
  for (let m = re.exec(diff); m; m = re.exec(diff)) starts.push(m.index);
  for (let i = 0; i < starts.length; i++) {
    const text = diff.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : diff.length);
    const lines = text.split('\n');
    let path: string | undefined;
    let oldPath: string | undefined;
    for (const l of lines.slice(1)) {
      if (l.startsWith('@@')) break;
      if (l.startsWith('+++ ')) path = sidePath(l);
      else if (l.startsWith('--- ')) oldPath = sidePath(l);
    }
    files.push({ path: path ?? oldPath ?? headerPath(lines[0]!, lines), text });
  }
  return files;
}

export const bytesOf = (s: string): number => Buffer.byteLength(s, 'utf8');

export function guardOf(bytes: number, guard: ReviewGuard): GuardVerdict {
  if (bytes > guard.failBytes) return guard.override ? 'override' : 'fail';
  return bytes > guard.warnBytes ? 'warn' : 'ok';
}

/**
 * One bundle per component that has changes (ids follow the component order, so c2 is always the
 * second component), plus `other` for files no glob matches. Empty bundles are left out.
 */
export function makeBundles(files: readonly FileDiff[], components: readonly ReviewComponent[], guard: ReviewGuard): Bundle[] {
  const matchers = components.map((c) => c.paths.map(globToRegExp));
  const groups: FileDiff[][] = Array.from({ length: components.length + 1 }, () => []);
  for (const f of files) {
    const i = matchers.findIndex((ms) => ms.some((re) => re.test(f.path)));
    groups[i === -1 ? components.length : i]!.push(f);
  }
  const bundles: Bundle[] = [];
  groups.forEach((g, i) => {
    if (g.length === 0) return;
    const diff = g.map((f) => f.text).join('');
    const bytes = bytesOf(diff);
    bundles.push({ id: `c${i + 1}`, name: i < components.length ? components[i]!.name : 'other', files: g.map((f) => f.path), diff, bytes, guard: guardOf(bytes, guard) });
  });
  return bundles;
}

/** The summary's size: whole KiB, at least 1 for a non-empty bundle (46 KB = 46 × 1024 bytes, rounded). */
export const kb = (bytes: number): string => `${bytes > 0 ? Math.max(1, Math.round(bytes / 1024)) : 0}KB`;
