import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (apt-get install chromium). A browser is never downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MISSING = `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run must list it)`;

/**
 * Whether the browser tests can run here. Missing chromium is one failure (the caller's
 * `failure` test), never a silent skip — a report nobody opened in a browser is not tested.
 */
export function chromiumOrFail(): { run: boolean; failure?: string } {
  if (existsSync(CHROMIUM_PATH)) return { run: true };
  return { run: false, failure: MISSING };
}

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Debian chromium with a fresh profile (`--user-data-dir`), removed on close. */
export async function launchChromium(viewport = { width: 1280, height: 900 }, opts: { javaScriptEnabled?: boolean } = {}): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'gauntlet-chromium-'));
  // launchPersistentContext is how playwright takes a user data dir (it refuses --user-data-dir in args).
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS, viewport, timeout: 30_000, ...opts });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
