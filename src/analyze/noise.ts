import { globToRegExp } from '../util/glob.ts';
import type { NoiseRules } from '../config/schema.ts';
import { REDACTED } from '../record/redact.ts';
import { compileGlobs, type DiffOptions } from '../shape/index.ts';
import { comparePair, type PairFinding } from './compare.ts';
import type { ObservedPair } from './exchanges.ts';
import { sameVolatileFormat } from './volatile.ts';

export interface Suppression {
  finding: PairFinding;
  reason: string;
}

const REDACTED_SNIPPET = JSON.stringify(REDACTED);
const matches = (glob: string, value: string) => glob === '*' || globToRegExp(glob).test(value);
export const generalisePath = (path: string) => path.replace(/\/\d+(?=\/|$)/g, '/*');
const routeKey = (p: { service: string; method: string; route: string }) => `${p.service}\u0000${p.method}\u0000${p.route}`;

/** Findings that carry no information about runtime differences once the noise model has spoken. */
const NEVER_NOISE = new Set(['transport', 'status']);

/**
 * The noise model, applied in the order DESIGN.md gives: explicit ignore rules; volatile-value
 * detectors; repeat calibration; A/A secondary thresholds (Diffy); numeric tolerance and unordered
 * arrays act inside the diff itself. Nothing is dropped: every suppression keeps its reason.
 */
export class NoiseModel {
  private readonly ignore: Array<{ service: string; route: string; path: (p: string) => boolean; reason: string }>;
  /** (route key) → generalised paths that changed between two identical requests to the primary. */
  private readonly calibrated = new Map<string, Set<string>>();
  /** (route key) → array paths whose order changed between two identical requests to the primary. */
  private readonly unstableOrder = new Map<string, Set<string>>();
  /** (route key) → (class + path) → pairs in which the secondary differed from the primary. */
  private readonly aaCounts = new Map<string, Map<string, number>>();
  private readonly aaPairs = new Map<string, number>();

  constructor(private readonly rules: NoiseRules) {
    this.ignore = rules.ignore.map((r) => ({ service: r.service, route: r.route, path: compileGlobs([r.path]) ?? (() => true), reason: r.reason }));
  }

  diffOptions(p: { service: string; method?: string; route: string }): DiffOptions {
    const unordered = this.rules.unordered.filter((u) => matches(u.service, p.service) && matches(u.route, p.route)).flatMap((u) => u.paths);
    const unstable = p.method === undefined ? undefined : this.unstableOrder.get(routeKey({ service: p.service, method: p.method, route: p.route }));
    return {
      ...(unordered.length ? { unorderedPaths: unordered } : {}),
      ...(unstable?.size ? { unstableOrderPaths: [...unstable] } : {}),
      ...(this.rules.numericTolerance ? { numericTolerance: this.rules.numericTolerance } : {}),
    };
  }

  /** Learn from calibration repeats and A/A secondaries before judging any pair. */
  learn(pairs: readonly ObservedPair[]): void {
    for (const p of pairs) {
      if (!p.primary) continue;
      const key = routeKey(p);
      const opts = this.diffOptions(p);
      if (p.calibration) {
        const set = this.calibrated.get(key) ?? new Set<string>();
        for (const f of comparePair(p.primary, p.calibration, opts)) {
          if (NEVER_NOISE.has(f.kind)) continue;
          set.add(generalisePath(f.path));
          // Map iteration order leaking into a list: the diff words its array-order findings as unstable.
          if (f.class === 'array-order') this.unstableOrder.set(key, (this.unstableOrder.get(key) ?? new Set()).add(generalisePath(f.path)));
        }
        this.calibrated.set(key, set);
      }
      const secondary = p.secondaries[0];
      if (secondary) {
        this.aaPairs.set(key, (this.aaPairs.get(key) ?? 0) + 1);
        const counts = this.aaCounts.get(key) ?? new Map<string, number>();
        const seen = new Set<string>();
        for (const f of this.filterPair(p, comparePair(p.primary, secondary, opts)).kept) {
          const k = `${f.class}\u0000${generalisePath(f.path)}`;
          if (!seen.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
          seen.add(k);
        }
        this.aaCounts.set(key, counts);
      }
    }
  }

  /** Per-pair filters: ignore rules, volatile formats, calibration. */
  filterPair(p: { service: string; method: string; route: string }, findings: readonly PairFinding[]): { kept: PairFinding[]; suppressed: Suppression[] } {
    const kept: PairFinding[] = [];
    const suppressed: Suppression[] = [];
    const calibrated = this.calibrated.get(routeKey(p));
    for (const f of findings) {
      const reason = NEVER_NOISE.has(f.kind) ? undefined : this.reasonFor(p, f, calibrated);
      if (reason) suppressed.push({ finding: f, reason });
      else kept.push(f);
    }
    return { kept, suppressed };
  }

  private reasonFor(p: { service: string; route: string }, f: PairFinding, calibrated: Set<string> | undefined): string | undefined {
    const rule = this.ignore.find((r) => matches(r.service, p.service) && matches(r.route, p.route) && r.path(f.path));
    if (rule) return `ignore rule: ${rule.reason}`;
    // Redaction ran before anything was stored: a value that matched a secret rule on one side only
    // (a 16-digit span id that passes Luhn, say) cannot be compared with the other side's.
    if (f.class === 'value-change' && (f.left === REDACTED_SNIPPET) !== (f.right === REDACTED_SNIPPET)) return 'redacted on one side: a secret is not compared';
    if (this.rules.volatile && f.class === 'value-change') {
      const format = sameVolatileFormat(f.left, f.right);
      if (format) return `volatile ${format} (compared by format)`;
    }
    if (calibrated?.has(generalisePath(f.path))) {
      return f.class === 'array-order' ? 'calibration: array order unstable between identical requests to the primary' : 'calibration: changes between two identical requests to the primary';
    }
    return undefined;
  }

  /**
   * Diffy's rule: a difference the A/A secondary shows too is noise unless the candidate shows it
   * materially more often — (raw − noise) above the absolute threshold *and* (raw − noise) / noise
   * above the relative one. Returns the reason to suppress, or undefined to keep.
   */
  aaVerdict(p: { service: string; method: string; route: string }, cls: string, path: string, rawPairs: number, routePairs: number): string | undefined {
    const key = routeKey(p);
    const aaPairs = this.aaPairs.get(key);
    if (!aaPairs || routePairs === 0) return undefined;
    const noiseCount = this.aaCounts.get(key)?.get(`${cls}\u0000${path}`) ?? 0;
    if (noiseCount === 0) return undefined;
    const raw = rawPairs / routePairs;
    const noise = noiseCount / aaPairs;
    const excess = raw - noise;
    if (excess > this.rules.aa.absolute && excess / noise > this.rules.aa.relative) return undefined;
    return `A/A: the secondary differs here too (candidate ${(raw * 100).toFixed(1)}% vs secondary ${(noise * 100).toFixed(1)}% of pairs)`;
  }
}
