import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GauntletError, INPUT_ERROR_CODES } from '../../util/errors.ts';
import { watchParent } from '../../util/lifeline.ts';

/** In-flight requests get this long after SIGTERM before their connections are cut. */
const DRAIN_GRACE_MS = 2_000;
/**
 * Span flush budget on shutdown. A reachable collector takes milliseconds (the batch holds ~100 ms
 * of spans); an unreachable one would keep the exporter retrying, and a daemon that ignores
 * SIGTERM for long gets SIGKILLed by whoever stops it.
 */
const FLUSH_TIMEOUT_MS = 3_000;
/**
 * When the parent is gone, the daemon tries its usual shutdown but exits after this long whatever
 * happens: its collector most likely died with the parent, and nobody will stop it otherwise.
 */
const ORPHAN_EXIT_MS = 2_000;

export interface ListeningEvent {
  event: 'listening';
  service: string;
  runtime: string;
  url: string;
  pid: number;
}

export interface RunDaemonOptions {
  server: Server;
  host: string;
  port: number;
  service: string;
  runtime: string;
  /** Flushes telemetry; awaited after the server stops accepting. */
  flush(): Promise<void>;
}

/**
 * Listens, announces the URL as the single JSON line on stdout that `spawnDaemon` waits for, and
 * on SIGTERM/SIGINT stops accepting, drains, flushes spans and exits 0. A failed flush is reported
 * on stderr but still exits 0, as the real services do: the shutdown itself went as asked.
 * This is a process entry helper, so it may call process.exit.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<ListeningEvent> {
  const { server } = options;
  let stop: ((signal: NodeJS.Signals) => Promise<void>) | undefined;
  watchParent((why) => {
    process.stderr.write(`${options.service} (${options.runtime}): ${why}; shutting down\n`);
    setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref();
    if (stop) void stop('SIGTERM');
    else process.exit(1);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const event: ListeningEvent = {
    event: 'listening',
    service: options.service,
    runtime: options.runtime,
    url: `http://${host}:${address.port}`,
    pid: process.pid,
  };

  let stopping = false;
  stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      // A second Ctrl-C means "now": skip the flush.
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    await shutdown(server, options.flush);
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void stop!(signal));
  process.on('SIGINT', (signal) => void stop!(signal));

  process.stdout.write(`${JSON.stringify(event)}\n`);
  return event;
}

async function shutdown(server: Server, flush: () => Promise<void>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), DRAIN_GRACE_MS);
  cut.unref();
  await closed;
  clearTimeout(cut);
  try {
    await Promise.race([
      flush(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`span flush took over ${FLUSH_TIMEOUT_MS} ms`)), FLUSH_TIMEOUT_MS).unref()),
    ]);
  } catch (error) {
    process.stderr.write(`shutdown: spans may be lost, flush failed: ${(error as Error).message}\n`);
  }
}

/** Reports a startup failure on stderr (where spawnDaemon's error shows it) and picks the exit code. */
export function reportStartupFailure(error: unknown): number {
  const text = error instanceof GauntletError ? error.describe() : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${text}\n`);
  return error instanceof GauntletError && INPUT_ERROR_CODES.has(error.code) ? 2 : 1;
}
