import { globToRegExp } from '../util/glob.ts';
import type { NoiseRules } from '../config/schema.ts';
import { REDACTED } from '../record/redact.ts';
import { compileGlobs } from '../shape/index.ts';
import { comparePair, type PairFinding, type PairOptions } from './compare.ts';
import type { ObservedPair } from './exchanges.ts';
import { volatileHeaderReason } from './headers.ts';
import { toleranceReason } from './tolerance.ts';
import { representationOf, sameVolatileFormat } from './volatile.ts';

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
 * The noise model, per pair: explicit ignore rules; one-sided redaction; volatile-value detectors
 * (timestamps, UUID/ULID/KSUID, counter and snowflake ids); volatile headers (Date, Server, ETag,
 * Last-Modified by default); numeric tolerance; repeat calibration (value-level only). Across
 * pairs: A/A secondary thresholds (Diffy). Unordered arrays act inside the diff itself. Nothing is
 * dropped: every suppression keeps its reason.
 */
export class NoiseModel {
  private readonly ignore: Array<{ service: string; route: string; path: (p: string) => boolean; reason: string }>;
  /** (route key) → generalised path → classes of the value differences between two identical requests to the primary. */
  private readonly calibrated = new Map<string, Map<string, Set<string>>>();
  /** (route key) → array paths whose order changed between two identical requests to the primary. */
  private readonly unstableOrder = new Map<string, Set<string>>();
  /** (route key) → (class + path) → pairs in which the secondary differed from the primary. */
  private readonly aaCounts = new Map<string, Map<string, number>>();
  private readonly aaPairs = new Map<string, number>();

  constructor(private readonly rules: NoiseRules) {
    this.ignore = rules.ignore.map((r) => ({ service: r.service, route: r.route, path: compileGlobs([r.path]) ?? (() => true), reason: r.reason }));
  }

  /**
   * numericTolerance is deliberately not handed to the diff: a difference within tolerance must
   * come back as a finding so `filterPair` can report it as noise with its reason.
   */
  diffOptions(p: { service: string; method?: string; route: string }): PairOptions {
    const unordered = this.rules.unordered.filter((u) => matches(u.service, p.service) && matches(u.route, p.route)).flatMap((u) => u.paths);
    const unstable = p.method === undefined ? undefined : this.unstableOrder.get(routeKey({ service: p.service, method: p.method, route: p.route }));
    return {
      ...(unordered.length ? { unorderedPaths: unordered } : {}),
      headers: this.rules.headers,
      ...(unstable?.size ? { unstableOrderPaths: [...unstable] } : {}),
    };
  }

  /** Learn from calibration repeats and A/A secondaries before judging any pair. */
  learn(pairs: readonly ObservedPair[]): void {
    for (const p of pairs) {
      if (!p.primary) continue;
      const key = routeKey(p);
      const opts = this.diffOptions(p);
      if (p.calibration) {
        const paths = this.calibrated.get(key) ?? new Map<string, Set<string>>();
        for (const f of comparePair(p.primary, p.calibration, opts)) {
          // Map iteration order leaking into a list: the diff words its array-order findings as unstable.
          if (f.class === 'array-order') this.unstableOrder.set(key, (this.unstableOrder.get(key) ?? new Set()).add(generalisePath(f.path)));
          if (f.kind !== 'value' && f.kind !== 'header') continue;
          const path = generalisePath(f.path);
          const classes = paths.get(path) ?? new Set<string>();
          classes.add(f.class);
          paths.set(path, classes);
        }
        this.calibrated.set(key, paths);
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

  /** Per-pair filters: ignore rules, redaction, volatile formats and headers, numeric tolerance, calibration. */
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

  private reasonFor(p: { service: string; route: string }, f: PairFinding, calibrated: Map<string, Set<string>> | undefined): string | undefined {
    const rule = this.ignore.find((r) => matches(r.service, p.service) && matches(r.route, p.route) && r.path(f.path));
    if (rule) return `ignore rule: ${rule.reason}`;
    // Redaction ran before anything was stored: a value that matched a secret rule on one side only
    // (a 16-digit span id that passes Luhn, say) cannot be compared with the other side's.
    if (f.class === 'value-change' && (f.left === REDACTED_SNIPPET) !== (f.right === REDACTED_SNIPPET)) return 'redacted on one side: a secret is not compared';
    if (this.rules.volatile && f.class === 'value-change') {
      const format = sameVolatileFormat(f.left, f.right, f.path);
      if (format) return `volatile ${format} (compared by format)`;
    }
    const header = volatileHeaderReason(f, this.rules.headers);
    if (header) return header;
    if (this.rules.numericTolerance && f.kind === 'value') {
      const reason = toleranceReason(f, this.rules.numericTolerance, this.rules.numericStrings);
      if (reason) return reason;
    }
    if (this.calibrationHides(f, calibrated)) return 'calibration: changes between two identical requests to the primary';
    return undefined;
  }

  /**
   * Calibration hides only value-level differences: the same class of difference the primary showed
   * against itself, with both sides in the same representation. An epoch-ms number on one side and
   * an RFC 3339 string on the other is a divergence even in a field that changes on every request.
   * Array order is never hidden here: instability inside an array is itself worth reporting.
   */
  private calibrationHides(f: PairFinding, calibrated: Map<string, Set<string>> | undefined): boolean {
    if ((f.kind !== 'value' && f.kind !== 'header') || f.class === 'array-order') return false;
    if (!calibrated?.get(generalisePath(f.path))?.has(f.class)) return false;
    if (f.kind === 'header') return f.left !== undefined && f.right !== undefined;
    const l = representationOf(f.left);
    return l !== undefined && l === representationOf(f.right);
  }

  /** Whether calibration saw this path change (class) between two identical requests to the primary. */
  unstableAt(p: { service: string; method: string; route: string }, path: string, cls: string): boolean {
    return this.calibrated.get(routeKey(p))?.get(generalisePath(path))?.has(cls) ?? false;
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
