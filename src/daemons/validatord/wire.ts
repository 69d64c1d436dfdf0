import type { Flavour } from '../common/args.ts';
import { goWire } from './encode-go.ts';
import { rustWire } from './encode-rust.ts';
import type { ValidationIssue } from './validate.ts';

/**
 * Everything validatord says in bytes. The handler decides *what* to answer; a wire format decides
 * how it is spelled by the runtime being emulated. Every body is `application/json`.
 */
export interface ValidatordWire {
  readonly runtime: Flavour;
  /** Body of 200 (no issues) and 422 (some issues): `{"valid":…,"errors":[…]}`. */
  encodeResult(issues: readonly ValidationIssue[]): string;
  /** Body of 400/413/500: `{"error":"…"}`. */
  encodeError(message: string): string;
  /** Body of `GET /healthz`. */
  encodeHealth(): string;
}

export const WIRES: Record<Flavour, ValidatordWire> = { rust: rustWire, go: goWire };
