/**
 * Pure: the answers of every reviewer on one bundle → locations, deduped by (reviewer, location),
 * with convergence counted in distinct lineages (three answers from one model family are one vote).
 */
import { kb, type Bundle } from './bundle.ts';
import { higher, locationKey, type Finding, type ParsedAnswer, type Rejected, type Severity } from './findings.ts';

export interface ReviewerRef {
  readonly name: string;
  readonly lineage: string;
}

export interface CallResult {
  readonly reviewer: ReviewerRef;
  /** Absent when the call failed. */
  readonly parsed?: ParsedAnswer;
  readonly error?: string;
  readonly durationMs: number;
  readonly outputBytes: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly model?: string;
}

export interface Location {
  readonly path: string;
  readonly line: number;
  /** Highest severity any reviewer gave it, retracted BLOCKs not counted as BLOCK. */
  readonly severity: Severity;
  readonly reviewers: readonly string[];
  readonly lineages: readonly string[];
  /** Lineages that gave it a BLOCK they did not retract. */
  readonly blockLineages: readonly string[];
  readonly convergent: boolean;
  readonly convergentBlock: boolean;
  readonly notes: ReadonlyArray<{ reviewer: string; severity: Severity; title: string; retracted: boolean }>;
}

export interface BundleTally {
  readonly id: string;
  readonly name: string;
  readonly bytes: number;
  readonly files: readonly string[];
  readonly guard: Bundle['guard'];
  readonly calls: ReadonlyArray<Omit<CallResult, 'parsed'> & { findings: number; rejected: readonly Rejected[] }>;
  readonly locations: readonly Location[];
  readonly distinct: number;
  readonly convergent: number;
  readonly convergentBlocks: number;
  readonly retractedBlocks: ReadonlyArray<{ reviewer: string; path: string; line: number; title: string }>;
  readonly rejected: number;
  readonly failedCalls: number;
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const demote = (f: Finding): Severity => (f.retracted ? 'WARN' : f.severity);

export function tallyBundle(bundle: Bundle, results: readonly CallResult[], convergence: number): BundleTally {
  // (reviewer, location) → the reviewer's finding there; a reviewer configured twice under one name is still one.
  const perReviewer = new Map<string, Map<string, Finding>>();
  const lineageOf = new Map<string, string>();
  for (const r of results) {
    lineageOf.set(r.reviewer.name, r.reviewer.lineage);
    const mine = perReviewer.get(r.reviewer.name) ?? perReviewer.set(r.reviewer.name, new Map()).get(r.reviewer.name)!;
    for (const f of r.parsed?.findings ?? []) {
      const key = locationKey(f.path, f.line);
      const prev = mine.get(key);
      if (!prev || (demote(f) !== demote(prev) && higher(demote(f), demote(prev)) === demote(f))) mine.set(key, f);
    }
  }
  const byLocation = new Map<string, Array<{ reviewer: string; finding: Finding }>>();
  for (const [reviewer, mine] of perReviewer) for (const [key, finding] of mine) (byLocation.get(key) ?? byLocation.set(key, []).get(key)!).push({ reviewer, finding });
  const locations: Location[] = [...byLocation.values()].map((hits) => {
    const lineages = uniq(hits.map((h) => lineageOf.get(h.reviewer)!)).sort();
    const blockLineages = uniq(hits.filter((h) => h.finding.severity === 'BLOCK' && !h.finding.retracted).map((h) => lineageOf.get(h.reviewer)!)).sort();
    return {
      path: hits[0]!.finding.path,
      line: hits[0]!.finding.line,
      severity: hits.map((h) => demote(h.finding)).reduce(higher),
      reviewers: hits.map((h) => h.reviewer).sort(),
      lineages,
      blockLineages,
      convergent: lineages.length >= convergence,
      convergentBlock: blockLineages.length >= convergence,
      notes: hits.map((h) => ({ reviewer: h.reviewer, severity: h.finding.severity, title: h.finding.title, retracted: h.finding.retracted })),
    };
  });
  locations.sort((a, b) => Number(b.convergentBlock) - Number(a.convergentBlock) || b.lineages.length - a.lineages.length || a.path.localeCompare(b.path) || a.line - b.line);
  const retractedBlocks = [...perReviewer].flatMap(([reviewer, mine]) => [...mine.values()].filter((f) => f.retracted).map((f) => ({ reviewer, path: f.path, line: f.line, title: f.title })));
  const calls = results.map(({ parsed, ...rest }) => ({ ...rest, findings: parsed?.findings.length ?? 0, rejected: parsed?.rejected ?? [] }));
  return {
    id: bundle.id,
    name: bundle.name,
    bytes: bundle.bytes,
    files: bundle.files,
    guard: bundle.guard,
    calls,
    locations,
    distinct: locations.length,
    convergent: locations.filter((l) => l.convergent).length,
    convergentBlocks: locations.filter((l) => l.convergentBlock).length,
    retractedBlocks,
    rejected: calls.reduce((n, c) => n + c.rejected.length, 0),
    failedCalls: calls.filter((c) => c.error !== undefined).length,
  };
}

/** `c1 validatord (46KB) → 0 convergent / 11 distinct`, then what else needs a look. */
export function summaryLine(t: BundleTally): string {
  const extra = [
    t.convergentBlocks ? `${t.convergentBlocks} convergent BLOCK` : '',
    t.retractedBlocks.length ? `${t.retractedBlocks.length} retracted BLOCK` : '',
    t.rejected ? `${t.rejected} rejected path${t.rejected === 1 ? '' : 's'}` : '',
    t.failedCalls ? `${t.failedCalls} reviewer call${t.failedCalls === 1 ? '' : 's'} failed` : '',
    t.guard === 'warn' ? 'over the warn size' : t.guard === 'override' ? 'over the fail size (overridden)' : '',
  ].filter(Boolean);
  return `${t.id} ${t.name} (${kb(t.bytes)}) → ${t.convergent} convergent / ${t.distinct} distinct${extra.length ? ` · ${extra.join(' · ')}` : ''}`;
}
