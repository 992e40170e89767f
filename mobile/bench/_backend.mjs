// What every browser benchmark of the app starts from: the real backend (this worktree's .venv)
// serving the web export (mobile/dist, or $DIST) on a free loopback port with a fresh data directory and
// an admin user, Debian's chromium launched headless, and a signed-in page on the dashboard.
// One place, so that the benchmarks measure the same start-up (not a helper for tests: the e2e
// run, e2e/run.mjs, has its own runtime with a replaying exchange).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const mobile = join(dirname(fileURLToPath(import.meta.url)), '..');
export const root = join(mobile, '..');
const cli = join(root, '.venv', 'bin', 'cryptotrader');
const python = join(root, '.venv', 'bin', 'python');
export const USER = 'bench';
const PASSWORD = 'bench-password-123456';

/** A port nobody listens on right now. */
async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Creates the data directory and the user, runs `seed` (the script's path and its arguments,
 * run with the worktree's Python; its output is returned), starts the API and waits for
 * /health. Returns `{ base, seeded, stop }`; `stop()` ends the API and removes the data.
 */
export async function startBackend({ name, seed }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), `cryptotrader-${name}-`));
  const env = {
    ...process.env,
    CRYPTOTRADER_DATA_DIR: dataDir,
    // DIST=dir: another export (e.g. the build before a change, for interleaved runs)
    CRYPTOTRADER_API__WEB_DIR: process.env.DIST ?? join(mobile, 'dist'),
    CRYPTOTRADER_LOG_LEVEL: 'WARNING',
  };
  let server = null;
  const stop = () => {
    server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    execFileSync(cli, ['user', 'create', USER, '--role', 'admin', '--password-stdin'], { env, input: `${PASSWORD}\n` });
    const seeded = seed ? execFileSync(python, seed, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }) : '';
    server = spawn(cli, ['api', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const until = Date.now() + 120_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > until) throw new Error(`the API did not answer ${base}/health in 120 s`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return { base, seeded, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** Debian's chromium, headless, with nothing that would reach outside 127.0.0.1. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** `[data-testid=id]` on the page. */
export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** A fresh page load and sign-in (the access token is kept in memory only), up to the dashboard. */
export async function signIn(page, base) {
  await page.goto(`${base}/`);
  await byTestId(page, 'login-username').fill(USER);
  await byTestId(page, 'login-password').fill(PASSWORD);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'total-capital').waitFor({ timeout: 120_000 });
}

/** The machine line every result carries (the machine is shared: the load matters). */
export function machine() {
  return `${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}
