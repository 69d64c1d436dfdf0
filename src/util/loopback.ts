import { isIP } from 'node:net';

/**
 * 127.0.0.0/8, ::1 (and its IPv4-mapped form), localhost — bracketed or not. The one test for
 * "this machine only": load targets, proxy and receiver listen addresses.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
