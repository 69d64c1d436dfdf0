/**
 * Pure: a reviewer's answer → findings. Reads `BLOCK:` / `WARN:` / `NOTE:` lines, the `WHERE:
 * path:line` lines after them and `RETRACT: path:line` lines; tolerates Markdown decoration
 * (bullets, bold, backticks) but not inexact paths — a path that is not one of the bundle's files,
 * byte for byte, is rejected and reported, never guessed at.
 */
export const SEVERITIES = ['BLOCK', 'WARN', 'NOTE'] as const;
export type Severity = (typeof SEVERITIES)[number];
const RANK: Record<Severity, number> = { BLOCK: 3, WARN: 2, NOTE: 1 };
export const higher = (a: Severity, b: Severity): Severity => (RANK[a] >= RANK[b] ? a : b);

export interface Finding {
  readonly severity: Severity;
  readonly title: string;
  readonly path: string;
  readonly line: number;
  /** A BLOCK this same answer took back (RETRACT line, or a line saying it retracts/withdraws it). */
  readonly retracted: boolean;
}

export interface Rejected {
  /** What the reviewer wrote after WHERE:. */
  readonly where: string;
  readonly reason: 'not in bundle' | 'no line number';
}

export interface ParsedAnswer {
  /** One per location (dedupe by (reviewer, location) within an answer): the highest severity wins. */
  readonly findings: readonly Finding[];
  readonly rejected: readonly Rejected[];
  /** WHERE lines read, before rejection and dedupe. */
  readonly whereLines: number;
}

/** Bullets, quote marks, headings, numbering, bold/italic and backticks around a line's content. */
const clean = (line: string): string =>
  line
    .replace(/[*_`]/g, '')
    .replace(/^\s*(?:[-+>#]+|\d+[.)])?\s*/, '')
    .trim();

const SEVERITY_RE = /^(BLOCK(?:ER|ING)?|WARN(?:ING)?|NOTE)\s*[:\-–—]\s*(.*)$/i;
const WHERE_RE = /^WHERE\s*:\s*(.*)$/i;
const RETRACT_RE = /^RETRACT(?:ED|ING)?\s*:\s*(.*)$/i;
const RETRACT_WORDS = /\b(retract\w*|withdraw\w*)\b/i;
const LOC_RE = /^(.+?):(\d+)(?:\s*[-–]\s*\d+)?$/;
const LOC_ANYWHERE = /(\S+?):(\d+)\b/g;

const severityOf = (word: string): Severity => {
  const w = word.toUpperCase();
  return w.startsWith('BLOCK') ? 'BLOCK' : w.startsWith('WARN') ? 'WARN' : 'NOTE';
};

/** `a.ts:3, b.ts:9` or `a.ts:3 b.ts:9` → the separate locations. */
const splitLocations = (s: string): string[] =>
  s
    .split(/[,;]|\s+(?=\S+:\d)/)
    .map((x) => x.trim().replace(/[.)]+$/, '').replace(/^\(/, ''))
    .filter(Boolean);

export const locationKey = (path: string, line: number): string => `${path}:${line}`;

export function parseAnswer(answer: string, bundleFiles: readonly string[]): ParsedAnswer {
  const inBundle = new Set(bundleFiles);
  const byKey = new Map<string, { severity: Severity; title: string; path: string; line: number }>();
  const rejected: Rejected[] = [];
  const retractions = new Set<string>();
  let severity: Severity = 'NOTE';
  let title = '';
  let whereLines = 0;
  for (const rawLine of answer.split(/\r?\n/)) {
    const line = clean(rawLine);
    if (!line) continue;
    const sev = SEVERITY_RE.exec(line);
    if (sev) {
      severity = severityOf(sev[1]!);
      title = sev[2]!.trim();
      continue;
    }
    const retract = RETRACT_RE.exec(line);
    if (retract) {
      for (const loc of splitLocations(retract[1]!)) {
        const m = LOC_RE.exec(loc);
        if (m) retractions.add(locationKey(m[1]!, Number(m[2])));
      }
      continue;
    }
    const where = WHERE_RE.exec(line);
    if (where) {
      for (const loc of splitLocations(where[1]!)) {
        whereLines++;
        const m = LOC_RE.exec(loc);
        if (!m) {
          rejected.push({ where: loc, reason: 'no line number' });
          continue;
        }
        const path = m[1]!;
        const lineNo = Number(m[2]);
        if (!inBundle.has(path)) {
          rejected.push({ where: loc, reason: 'not in bundle' });
          continue;
        }
        const key = locationKey(path, lineNo);
        const prev = byKey.get(key);
        if (!prev) byKey.set(key, { severity, title, path, line: lineNo });
        else if (RANK[severity] > RANK[prev.severity]) byKey.set(key, { severity, title, path, line: lineNo });
      }
      continue;
    }
    // Prose that takes a finding back: "I retract the BLOCK at src/a.ts:12 — it is guarded above."
    if (RETRACT_WORDS.test(line)) for (const m of line.matchAll(LOC_ANYWHERE)) retractions.add(locationKey(m[1]!, Number(m[2])));
  }
  const findings = [...byKey.entries()].map(([key, f]) => ({ ...f, retracted: f.severity === 'BLOCK' && retractions.has(key) }));
  return { findings, rejected, whereLines };
}
