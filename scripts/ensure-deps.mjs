// `npm start` / `npm test` on a fresh clone: install the locked npm dependencies first if they are
// missing or older than the lockfile (a no-op after `npm ci`). With --system (`npm test`), also the
// Debian packages the tests drive: installed with apt-get when this is Debian/Ubuntu and we are root
// (or have password-less sudo); anywhere else it stops at once with the one command to run — the
// suite never skips a test because a real server is missing.
import { existsSync, statSync } from 'node:fs';
import { execSync, spawnSync } from 'node:child_process';
import { SYSTEM_PACKAGES } from './system-packages.mjs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  console.error('gauntlet: installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

if (process.argv.includes('--system')) {
  const missing = SYSTEM_PACKAGES.filter((p) => !existsSync(p.bin));
  if (missing.length) {
    const names = missing.map((p) => p.pkg);
    const command = `apt-get update && apt-get install -y --no-install-recommends ${names.join(' ')}`;
    const hasApt = existsSync('/usr/bin/apt-get');
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const sudo = !root && hasApt && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
    if (!hasApt || (!root && !sudo)) {
      console.error(`gauntlet: the tests drive real servers that are not installed here: ${names.join(', ')}.`);
      for (const p of missing) console.error(`  ${p.pkg}: ${p.why}`);
      console.error(hasApt ? `Install them, then run npm test again:\n  sudo ${command}` : `Install the equivalents of these Debian packages (${names.join(' ')}), then run npm test again.`);
      process.exit(1);
    }
    console.error(`gauntlet: installing Debian packages the tests drive: ${names.join(' ')}`);
    const run = (cmd) => execSync(sudo ? `sudo -n ${cmd}` : cmd, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    run('apt-get update -qq');
    run(`apt-get install -y -qq --no-install-recommends ${names.join(' ')}`);
    const still = missing.filter((p) => !existsSync(p.bin));
    if (still.length) {
      console.error(`gauntlet: still missing after apt-get: ${still.map((p) => p.bin).join(', ')}`);
      process.exit(1);
    }
  }
}
