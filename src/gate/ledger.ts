import { globToRegExp } from '../util/glob.ts';
import { classGlob, readDataFile, LedgerSchema, type Ledger, type LedgerEntry } from '../config/index.ts';
import { compileGlobs } from '../shape/index.ts';

export type LedgerLabel = 'new' | 'known' | 'regressed';

export interface LabelledRef {
  label: LedgerLabel;
  ledgerId?: string;
  /** Why the label: e.g. "open in ledger VAL-001", "VAL-003 was fixed", "VAL-002 expired 2026-10-01". */
  reason: string;
}

/** An open ledger entry whose divergence did not reproduce in a run that exercised its service. */
export interface ResolvedCandidate {
  ledgerId: string;
  service: string;
  route: string;
  class: string;
  path: string;
  note: string;
}

export interface FindingKey {
  service: string;
  method: string;
  route: string;
  class: string;
  path: string;
}

export async function readLedger(file: string): Promise<Ledger> {
  return readDataFile(file, LedgerSchema, 'GAUNTLET_INPUT_INVALID', 'ledger');
}


interface CompiledEntry {
  entry: LedgerEntry;
  route: RegExp;
  cls: RegExp;
  path: (p: string) => boolean;
  expired: boolean;
}

/**
 * Labels findings against the decisions tracker. Precedence when several entries match: a `fixed`
 * entry makes it `regressed` (a gap came back — the loudest state), else a live open/accepted entry
 * makes it `known`, else `new` (an expired entry is named in the reason).
 */
export class LedgerMatcher {
  private readonly compiled: CompiledEntry[];

  constructor(ledger: Ledger | undefined, today: Date = new Date()) {
    const day = today.toISOString().slice(0, 10);
    this.compiled = (ledger?.entries ?? []).map((entry) => ({
      entry,
      route: globToRegExp(entry.route),
      cls: classGlob(entry.class),
      path: compileGlobs([entry.path]) ?? (() => true),
      expired: entry.expires !== undefined && entry.expires < day,
    }));
  }

  private matches(f: FindingKey): CompiledEntry[] {
    return this.compiled.filter(
      (c) =>
        c.entry.service === f.service &&
        c.cls.test(f.class) &&
        (c.entry.method === '*' || c.entry.method.toUpperCase() === f.method.toUpperCase()) &&
        c.route.test(f.route) &&
        c.path(f.path),
    );
  }

  label(f: FindingKey): LabelledRef {
    const hits = this.matches(f);
    const fixed = hits.find((h) => h.entry.status === 'fixed');
    if (fixed) return { label: 'regressed', ledgerId: fixed.entry.id, reason: `${fixed.entry.id} was marked fixed and is back` };
    const live = hits.find((h) => !h.expired);
    if (live) return { label: 'known', ledgerId: live.entry.id, reason: `${live.entry.status} in ledger ${live.entry.id}: ${live.entry.note}` };
    const expired = hits[0];
    if (expired) return { label: 'new', ledgerId: expired.entry.id, reason: `ledger ${expired.entry.id} expired on ${expired.entry.expires}` };
    return { label: 'new', reason: 'not in the ledger' };
  }

  /**
   * Open entries that no finding matched, among services the run exercised. "resolved?" with a
   * question mark: one clean run is evidence, not proof — close the entry by hand.
   */
  unreproduced(findings: readonly FindingKey[], exercised: ReadonlySet<string>): ResolvedCandidate[] {
    const out: ResolvedCandidate[] = [];
    for (const c of this.compiled) {
      if (c.entry.status !== 'open' || !exercised.has(c.entry.service)) continue;
      if (findings.some((f) => this.matches(f).includes(c))) continue;
      out.push({ ledgerId: c.entry.id, service: c.entry.service, route: c.entry.route, class: c.entry.class, path: c.entry.path, note: c.entry.note });
    }
    return out;
  }
}
