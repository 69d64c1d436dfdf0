import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const BIN = resolve(REPO_ROOT, 'bin/gauntlet.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real CLI in a fresh process (the way a user or CI does). */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gauntlet ${args.join(' ')} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/**
 * stderr without what a healthy run may print there: the note that the embedded default config is
 * in use (tests that mean to use it), and the progress lines a long phase prints into a log every
 * 10 s (how many depends on how busy the machine is). Anything else is a warning or an error.
 */
export function withoutDefaultNote(stderr: string): string {
  return stderr
    .replace(/^note: no gauntlet\.config\.[^\n]*using the embedded default[^\n]*\n/m, '')
    .replace(/^ {2}(parity|replay|smoke): \d+[^\n]*\n/gm, '')
    .replace(/^ {2}load \S+ · [^\n]*\n/gm, '');
}
