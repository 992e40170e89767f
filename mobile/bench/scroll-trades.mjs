// Scrolling 5,000 trades in a bot's detail (the virtualised FlatList), measured in Debian's
// chromium: the real backend serves the web export and a database seeded with 5,000 closed
// trades (backend/bench/seed_trades.py); the page loads every page of the history, then the
// list is scrolled top to bottom by the mouse wheel while requestAnimationFrame records each
// frame's time. Prints frames, fps, frame-time percentiles and frames over 16.7 ms / 33.3 ms.
// Run: npx expo export --platform web --output-dir dist && node bench/scroll-trades.mjs
// (a measurement for docs/BENCHMARKS.md, not a test: nothing here fails on speed).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const mobile = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(mobile, '..');
const cli = join(root, '.venv', 'bin', 'cryptotrader');
const python = join(root, '.venv', 'bin', 'python');
const TRADES = Number(process.env.TRADES ?? 5000);
const USER = 'bench';
const PASSWORD = 'bench-password-123456';

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = s.address();
    s.close(() => resolve(p));
  });
});
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'cryptotrader-scroll-'));
const env = { ...process.env, CRYPTOTRADER_DATA_DIR: dataDir, CRYPTOTRADER_API__WEB_DIR: join(mobile, 'dist'), CRYPTOTRADER_LOG_LEVEL: 'WARNING' };
execFileSync(cli, ['user', 'create', USER, '--role', 'admin', '--password-stdin'], { env, input: `${PASSWORD}\n` });
execFileSync(python, [join(root, 'backend', 'bench', 'seed_trades.py'), String(TRADES)], { env, stdio: 'inherit' });
const server = spawn(cli, ['api', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const until = Date.now() + 120_000;
while (Date.now() < until) {
  try {
    if ((await fetch(`${base}/health`)).ok) break;
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 300));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const byTest = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(`${base}/`);
  await byTest('login-username').fill(USER);
  await byTest('login-password').fill(PASSWORD);
  await byTest('login-submit').click();
  await byTest('total-capital').waitFor({ timeout: 120_000 });
  await byTest('bot-summary-safe').click(); // in-app navigation (a reload would sign out)
  const list = byTest('bot-detail-list');
  await list.waitFor({ timeout: 120_000 });
  // load every page of the history (50 trades a page, fetched as the end comes near)
  const loaded = Date.now();
  for (;;) {
    const rows = await page.evaluate(() => document.body.innerText.match(/(\d[\d,\s]*) of (\d[\d,\s]*)/)?.slice(1, 3).map((n) => Number(n.replace(/\D/g, ''))));
    if (rows && rows[0] >= TRADES) break;
    if (Date.now() - loaded > 600_000) throw new Error(`history not loaded: ${rows}`);
    await list.evaluate((el) => {
      const scroller = el.scrollHeight > el.clientHeight ? el : el.querySelector('div');
      scroller.scrollTop = scroller.scrollHeight;
    });
    await page.waitForTimeout(200);
  }
  const loadMs = Date.now() - loaded;
  await list.evaluate((el) => (el.scrollTop = 0));
  await page.waitForTimeout(1000);
  const box = await list.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  // one wheel notch (100 px) per 16 ms: a fast, steady fling through the whole list
  const height = await list.evaluate((el) => el.scrollHeight - el.clientHeight);
  for (let scrolled = 0; scrolled < height; scrolled += 100) {
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(16);
  }
  const reached = await list.evaluate((el) => el.scrollTop);
  const frames = await page.evaluate(() => {
    window.__stop = true;
    return window.__frames.slice(1);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const total = frames.reduce((a, b) => a + b, 0);
  const result = {
    trades: TRADES,
    history_load_ms: loadMs,
    scrolled_px: Math.round(reached),
    frames: frames.length,
    fps: Number(((frames.length / total) * 1000).toFixed(1)),
    frame_ms_p50: Number(pct(50).toFixed(1)),
    frame_ms_p95: Number(pct(95).toFixed(1)),
    frame_ms_p99: Number(pct(99).toFixed(1)),
    over_16_7ms: frames.filter((f) => f > 16.7 * 1.5).length, // a missed vsync (with timer jitter)
    over_33_3ms: frames.filter((f) => f > 33.4).length,
    machine: `${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
