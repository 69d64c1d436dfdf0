import { createHash } from 'node:crypto';
import type { StoredSpan } from '../collect/index.ts';
import { NoiseSchema, type NoiseRules } from '../config/schema.ts';
import { ATTR_GAUNTLET_RUN_INCOMPLETE, ATTR_GAUNTLET_RUN_NOISE, ATTR_GAUNTLET_RUN_PAIRS, ATTR_GAUNTLET_RUN_PAIRS_PLANNED } from '../contract/attributes.ts';
import { runLifecycle } from './run-lifecycle.ts';
import { comparePair, type FindingKind, type PairFinding } from './compare.ts';
import { pairExchanges, reconstructExchanges, type ObservedExchange, type ObservedPair } from './exchanges.ts';
import { generalisePath, NoiseModel, type Suppression } from './noise.ts';
import { countRuntimeServerSpans } from './trace-summary.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface SideSummary {
  runtime: string;
  status: number | null;
  errorType: string | null;
  shapeHash: string | null;
  clientMs: number;
  serverMs: number | null;
}

export interface CaseResult {
  service: string;
  case: string;
  pairId: string;
  method: string;
  route: string;
  primary: SideSummary | null;
  candidate: SideSummary | null;
  statusMatch: boolean;
  shapeMatch: boolean;
  bodyMatch: boolean;
  findings: PairFinding[];
}

export interface AggregatedFinding {
  /** Stable id: the same divergence has the same id in every run (ledger and baselines key on it). */
  id: string;
  service: string;
  method: string;
  route: string;
  kind: FindingKind;
  class: string;
  /** JSON Pointer with array indices generalised to `*`. */
  path: string;
  count: number;
  cases: string[];
  example: { case: string; path: string; left?: string; right?: string; detail?: string };
  /** Classes of the finer differences an enum-encoding (or similar) finding explains. */
  details: string[];
  cause: string;
  hint: string;
  firstSeen: string;
  lastSeen: string;
}

export interface ServiceSummary {
  service: string;
  primary: string;
  candidate: string;
  /** Distinct cases; a case sent N times (repeats) counts once and matches only if all N did. */
  cases: number;
  pairs: number;
  complete: number;
  statusMatch: number;
  shapeDiverge: number;
  valueDiverge: number;
  transport: number;
  identical: number;
  summary: string;
}

/** A suppressed difference: reported as noise with its reason, never silently dropped. */
export interface NoiseEntry {
  service: string;
  method: string;
  route: string;
  class: string;
  path: string;
  reason: string;
  count: number;
}

export interface ParityReport {
  schemaVersion: number;
  runId: string;
  services: ServiceSummary[];
  cases: CaseResult[];
  findings: AggregatedFinding[];
  noise: NoiseEntry[];
  telemetry: { clientSpans: number; serverSpans: number; joined: number };
  /** Set when the run was cut short (interrupted): the verdict covers only what was sent. */
  incomplete?: { pairs: number; planned: number };
  /** Set when the run's lifecycle records say it did not finish (killed, crashed, interrupted). */
  unfinished?: string[];
}

/** What the run span says about completeness. */
export function incompletenessOf(spans: readonly StoredSpan[]): ParityReport['incomplete'] {
  for (const s of spans) {
    if (s.attributes[ATTR_GAUNTLET_RUN_INCOMPLETE] !== true) continue;
    return { pairs: Number(s.attributes[ATTR_GAUNTLET_RUN_PAIRS] ?? 0), planned: Number(s.attributes[ATTR_GAUNTLET_RUN_PAIRS_PLANNED] ?? 0) };
  }
  return undefined;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

function side(x: ObservedExchange | undefined): SideSummary | null {
  if (!x) return null;
  return {
    runtime: x.runtime,
    status: x.status ?? null,
    errorType: x.errorType ?? null,
    shapeHash: x.shapeHash ?? null,
    clientMs: round(x.clientMs),
    serverMs: x.serverMs === undefined ? null : round(x.serverMs),
  };
}

function findingId(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12);
}

/** The noise rules a run was made with, as its run span recorded them (so `analyze` needs no config). */
export function noiseRulesOf(spans: readonly StoredSpan[]): NoiseRules | undefined {
  for (const s of spans) {
    const raw = s.attributes[ATTR_GAUNTLET_RUN_NOISE];
    if (typeof raw !== 'string') continue;
    try {
      const parsed = NoiseSchema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
    } catch {
      // a damaged attribute falls back to the defaults below
    }
  }
  return undefined;
}

interface JudgedPair {
  pair: ObservedPair;
  complete: boolean;
  findings: PairFinding[];
  suppressed: Suppression[];
}

/** Per pair: raw findings, then the per-pair noise filters; then Diffy's A/A rule across pairs. */
function judgePairs(pairs: readonly ObservedPair[], noise: NoiseModel): JudgedPair[] {
  noise.learn(pairs);
  const judged: JudgedPair[] = pairs.map((pair) => {
    const complete = pair.primary !== undefined && pair.candidate !== undefined;
    const raw = complete ? comparePair(pair.primary!, pair.candidate!, noise.diffOptions(pair)) : [];
    const { kept, suppressed } = noise.filterPair(pair, raw);
    return { pair, complete, findings: kept, suppressed };
  });
  const routePairs = new Map<string, number>();
  const rawPairs = new Map<string, number>();
  for (const j of judged) {
    const rk = `${j.pair.service}\u0000${j.pair.method}\u0000${j.pair.route}`;
    routePairs.set(rk, (routePairs.get(rk) ?? 0) + 1);
    for (const k of new Set(j.findings.map((f) => `${rk}\u0000${f.class}\u0000${generalisePath(f.path)}`))) rawPairs.set(k, (rawPairs.get(k) ?? 0) + 1);
  }
  for (const j of judged) {
    const rk = `${j.pair.service}\u0000${j.pair.method}\u0000${j.pair.route}`;
    const kept: PairFinding[] = [];
    for (const f of j.findings) {
      const path = generalisePath(f.path);
      const reason = f.kind === 'transport' || f.kind === 'status' ? undefined : noise.aaVerdict(j.pair, f.class, path, rawPairs.get(`${rk}\u0000${f.class}\u0000${path}`) ?? 0, routePairs.get(rk) ?? 0);
      if (reason) j.suppressed.push({ finding: f, reason });
      else kept.push(f);
    }
    j.findings = kept;
  }
  return judged;
}

/** Pure: the parity verdict of a run from its spans. `parity` and `analyze --run` both call this. */
export function buildParityReport(runId: string, spans: readonly StoredSpan[], opts: { noise?: NoiseRules } = {}): ParityReport {
  const exchanges = reconstructExchanges(spans);
  const pairs = pairExchanges(exchanges);
  const noise = new NoiseModel(opts.noise ?? noiseRulesOf(spans) ?? NoiseSchema.parse({}));
  const cases: CaseResult[] = [];
  const agg = new Map<string, AggregatedFinding & { firstNs: bigint; lastNs: bigint }>();
  const noiseAgg = new Map<string, NoiseEntry>();
  const services = new Map<string, ServiceSummary>();
  const caseFlags = new Map<string, { service: string; complete: boolean; statusMatch: boolean; shapeDiverge: boolean; valueDiverge: boolean; transport: boolean; identical: boolean }>();

  for (const { pair: p, complete, findings, suppressed } of judgePairs(pairs, noise)) {
    const { primary, candidate } = p;
    const statusMatch = complete && primary!.status === candidate!.status && primary!.errorType === candidate!.errorType;
    // A side that did not answer has no body to compare: that is a transport divergence, not a shape one.
    const shapeDiverges = findings.some((f) => f.kind === 'shape' || f.kind === 'body');
    cases.push({
      service: p.service,
      case: p.caseId,
      pairId: p.pairId,
      method: p.method,
      route: p.route,
      primary: side(primary),
      candidate: side(candidate),
      statusMatch,
      shapeMatch: complete && !shapeDiverges,
      bodyMatch: complete && findings.length === 0,
      findings,
    });
    for (const { finding, reason } of suppressed) {
      const path = generalisePath(finding.path);
      const key = [p.service, p.method, p.route, finding.class, path, reason].join('\u0000');
      const e = noiseAgg.get(key);
      if (e) e.count++;
      else noiseAgg.set(key, { service: p.service, method: p.method, route: p.route, class: finding.class, path, reason, count: 1 });
    }

    let s = services.get(p.service);
    if (!s) {
      s = {
        service: p.service,
        primary: primary?.runtime ?? '?',
        candidate: candidate?.runtime ?? '?',
        cases: 0, pairs: 0, complete: 0, statusMatch: 0, shapeDiverge: 0, valueDiverge: 0, transport: 0, identical: 0, summary: '',
      };
      services.set(p.service, s);
    }
    if (s.primary === '?' && primary) s.primary = primary.runtime;
    if (s.candidate === '?' && candidate) s.candidate = candidate.runtime;
    s.pairs++;
    // A case sent several times (repeats) counts once: it matches only if every one of its pairs did.
    const caseKey = `${p.service}\u0000${p.caseId}`;
    const flags = caseFlags.get(caseKey) ?? { service: p.service, complete: true, statusMatch: true, shapeDiverge: false, valueDiverge: false, transport: false, identical: true };
    flags.complete &&= complete;
    flags.statusMatch &&= statusMatch;
    flags.transport ||= findings.some((f) => f.kind === 'transport');
    flags.shapeDiverge ||= shapeDiverges;
    flags.valueDiverge ||= !shapeDiverges && findings.some((f) => f.kind === 'value' || f.kind === 'header');
    flags.identical &&= complete && findings.length === 0;
    caseFlags.set(caseKey, flags);

    for (const f of findings) {
      const path = generalisePath(f.path);
      // A status finding's identity includes its status pair: 422→400 and 404→200 are two findings.
      const key = [p.service, p.method, p.route, f.kind, f.class, path, f.identity ?? ''].join('\u0000');
      const existing = agg.get(key);
      if (existing) {
        existing.count++;
        if (!existing.cases.includes(p.caseId)) existing.cases.push(p.caseId);
        for (const sub of f.sub ?? []) if (!existing.details.includes(sub.class)) existing.details.push(sub.class);
        if (p.startNs < existing.firstNs) existing.firstNs = p.startNs;
        if (p.startNs > existing.lastNs) existing.lastNs = p.startNs;
      } else {
        agg.set(key, {
          id: findingId([p.service, p.method, p.route, f.class, path, ...(f.identity ? [f.identity] : [])]),
          service: p.service,
          method: p.method,
          route: p.route,
          kind: f.kind,
          class: f.class,
          path,
          count: 1,
          cases: [p.caseId],
          example: {
            case: p.caseId,
            path: f.path,
            ...(f.left !== undefined ? { left: f.left } : {}),
            ...(f.right !== undefined ? { right: f.right } : {}),
            ...(f.detail !== undefined ? { detail: f.detail } : {}),
          },
          details: [...new Set((f.sub ?? []).map((d) => d.class))],
          cause: f.cause,
          hint: f.hint,
          firstSeen: '',
          lastSeen: '',
          firstNs: p.startNs,
          lastNs: p.startNs,
        });
      }
    }
  }

  for (const f of caseFlags.values()) {
    const s = services.get(f.service)!;
    s.cases++;
    if (f.complete) s.complete++;
    if (f.statusMatch) s.statusMatch++;
    if (f.transport) s.transport++;
    if (f.shapeDiverge) s.shapeDiverge++;
    else if (f.valueDiverge) s.valueDiverge++;
    if (f.identical) s.identical++;
  }
  for (const s of services.values()) {
    s.summary = `${s.statusMatch}/${s.cases} status codes match · ${s.shapeDiverge}/${s.cases} body shapes diverge`;
  }
  const findings = [...agg.values()]
    .map(({ firstNs, lastNs, ...f }) => ({ ...f, details: [...f.details].sort(), firstSeen: iso(firstNs), lastSeen: iso(lastNs) }))
    .sort(
      (a, b) =>
        a.service.localeCompare(b.service) ||
        a.route.localeCompare(b.route) ||
        a.path.localeCompare(b.path) ||
        a.class.localeCompare(b.class) ||
        (a.example.left ?? '').localeCompare(b.example.left ?? '') ||
        (a.example.right ?? '').localeCompare(b.example.right ?? ''),
    );
  const clientSpans = exchanges.length;
  const incomplete = incompletenessOf(spans);
  const unfinished = runLifecycle(spans, runId).incomplete;
  const noiseEntries = [...noiseAgg.values()].sort(
    (a, b) => a.service.localeCompare(b.service) || a.route.localeCompare(b.route) || a.path.localeCompare(b.path) || a.class.localeCompare(b.class) || a.reason.localeCompare(b.reason),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId,
    services: [...services.values()].sort((a, b) => a.service.localeCompare(b.service)),
    cases,
    findings,
    noise: noiseEntries,
    ...(incomplete ? { incomplete } : {}),
    ...(unfinished.length ? { unfinished } : {}),
    telemetry: {
      clientSpans,
      // The runtimes' own SERVER spans; a downstream's (under a runtime's CLIENT span) is not one.
      serverSpans: countRuntimeServerSpans(spans),
      joined: exchanges.filter((x) => x.serverMs !== undefined).length,
    },
  };
}
