import { randomBytes } from 'node:crypto';

/** Sortable, human-readable run id: r-20261127-145306-1a2b3c. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `r-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function newPairId(): string {
  return randomBytes(8).toString('hex');
}
