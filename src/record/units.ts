import { GauntletError } from '../util/errors.ts';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `1048576`, `512k`, `10MiB` → bytes (binary units: a recording cap is about disk, not marketing). */
export function parseByteSize(option: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(raw).trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) * unit < 1) {
    throw new GauntletError('GAUNTLET_USAGE', `--${option} must be a size such as 1048576, 512k or 10MiB, got "${String(raw)}"`);
  }
  return Math.floor(Number(m[1]) * unit);
}

/** A positive number option (`--speed 2`, `--rate 100`); `integer` refuses fractions. */
export function parsePositive(option: string, raw: string | boolean | undefined, opts: { integer?: boolean; max?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (opts.integer && !Number.isInteger(n)) || (opts.max !== undefined && n > opts.max)) {
    const what = opts.integer ? 'a whole number' : 'a number';
    throw new GauntletError('GAUNTLET_USAGE', `--${option} must be ${what} greater than 0${opts.max !== undefined ? ` and at most ${opts.max}` : ''}, got "${String(raw)}"`);
  }
  return n;
}

/** `127.0.0.1:8080`, `[::1]:8080` or `8080` (loopback). */
export function parseListen(raw: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new GauntletError('GAUNTLET_USAGE', `--listen must be HOST:PORT or PORT, got "${raw}"`, { hint: 'e.g. --listen 127.0.0.1:8080 (port 0 picks a free one)' });
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}
