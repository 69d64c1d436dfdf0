import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from './cli.ts';

/** Run the CLI, sampling its peak resident set (VmHWM) from /proc while it runs. */
export function runMeasured(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; peakMb: number; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let peakKb = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, peakMb: peakKb / 1024, ms: performance.now() - started });
    });
  });
}

