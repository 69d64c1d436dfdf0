import { randomBytes } from 'node:crypto';

/** Sortable, human-readable run id: r-20261127-145306-1a2b3c. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `r-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Random bytes drawn in bulk: one `randomBytes` call per pair was a measurable share of a replay. */
const POOL_BYTES = 8 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

export function newPairId(): string {
  if (offset + 8 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  offset += 8;
  return pool.toString('hex', offset - 8, offset);
}
