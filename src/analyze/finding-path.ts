import type { AggregatedFinding } from './parity-report.ts';

/**
 * What a finding's path column shows: its JSON Pointer, `(body)` for a whole-body difference —
 * but a status finding is about no body path (it shows its status pair) and a transport finding
 * has no response at all (`-`).
 */
export function findingPath(f: Pick<AggregatedFinding, 'kind' | 'path' | 'example'>): string {
  if (f.kind === 'status') return f.example.left !== undefined && f.example.right !== undefined ? `${f.example.left} → ${f.example.right}` : '-';
  if (f.kind === 'transport') return '-';
  return f.path || '(body)';
}
