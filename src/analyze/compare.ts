import { compareBodies, type Difference, type DiffOptions } from '../shape/index.ts';
import type { ObservedExchange } from './exchanges.ts';

export type FindingKind = 'transport' | 'status' | 'header' | 'shape' | 'value' | 'body' | 'trace';

/** A difference between the two sides of one pair, in the report's taxonomy. */
export interface PairFinding {
  kind: FindingKind;
  class: string;
  /** JSON Pointer into the body ('' = whole body), or `/headers/<name>` for header findings. */
  path: string;
  left?: string;
  right?: string;
  detail?: string;
  cause: string;
  hint: string;
  sub?: PairFinding[];
}

function mediaType(ct: string | undefined): string | undefined {
  return ct?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function fromDifference(d: Difference): PairFinding {
  return {
    kind: d.kind,
    class: d.class,
    path: d.path,
    ...(d.left !== undefined ? { left: d.left } : {}),
    ...(d.right !== undefined ? { right: d.right } : {}),
    ...(d.detail !== undefined ? { detail: d.detail } : {}),
    cause: d.cause,
    hint: d.hint,
    ...(d.sub?.length ? { sub: d.sub.map(fromDifference) } : {}),
  };
}

const describeSide = (x: ObservedExchange): string => (x.status !== undefined ? `HTTP ${x.status}` : `${x.errorType}`);

/**
 * Compare the two sides of a pair. Transport trumps everything (there is nothing else to compare);
 * a status difference is reported and the bodies are still compared, since a 404-vs-200 body pair
 * rarely teaches anything but an error-envelope difference at the same status does.
 */
export function comparePair(left: ObservedExchange, right: ObservedExchange, opts: DiffOptions = {}): PairFinding[] {
  const leftFailed = left.status === undefined;
  const rightFailed = right.status === undefined;
  if (leftFailed || rightFailed) {
    if (leftFailed && rightFailed && left.errorType === right.errorType) return [];
    const failed = leftFailed ? left : right;
    return [
      {
        kind: 'transport',
        class: 'transport',
        path: '',
        left: describeSide(left),
        right: describeSide(right),
        detail: failed.errorMessage ? `${failed.runtime}: ${failed.errorMessage}` : `${failed.runtime} failed`,
        cause: `${failed.runtime} did not answer (${failed.errorType}) while ${(failed === left ? right : left).runtime} did`,
        hint: `check that ${failed.runtime} is up at ${failed.url || 'its configured URL'} and answers within the probe timeout`,
      },
    ];
  }
  const findings: PairFinding[] = [];
  if (left.status !== right.status) {
    findings.push({
      kind: 'status',
      class: 'status',
      path: '',
      left: String(left.status),
      right: String(right.status),
      cause: `${left.runtime} answered ${left.status}, ${right.runtime} answered ${right.status}`,
      hint: 'align the error mapping (e.g. Rust `IntoResponse` for the error enum vs Go `http.Error` status)',
    });
  }
  const lt = mediaType(left.contentType);
  const rt = mediaType(right.contentType);
  if (lt !== rt) {
    findings.push({
      kind: 'header',
      class: 'content-type',
      path: '/headers/content-type',
      ...(left.contentType ? { left: left.contentType } : {}),
      ...(right.contentType ? { right: right.contentType } : {}),
      cause: 'the runtimes declare different media types for the same response',
      hint: 'set the Content-Type explicitly on both (axum `Json` sets application/json; Go needs `w.Header().Set`)',
    });
  }
  if (left.bodyHash !== undefined && left.bodyHash === right.bodyHash) return findings;
  const diffs = compareBodies(
    { ...(left.contentType ? { contentType: left.contentType } : {}), text: left.body ?? '' },
    { ...(right.contentType ? { contentType: right.contentType } : {}), text: right.body ?? '' },
    opts,
  );
  // The header finding above already covers a media-type mismatch.
  for (const d of diffs) if (!(d.class === 'content-type' && lt !== rt)) findings.push(fromDifference(d));
  return findings;
}
