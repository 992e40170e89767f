// The compare view of 5 runs with 70k-point equity curves (issue 16: under 1 s), measured in
// Debian's chromium against the real backend serving the web export. The database holds 5
// finished runs of 8 years of BTC/USDT 1h (72,540 candles) whose reports keep every equity
// point (backend/bench/seed_backtests.py; the API's own jobs keep 1,000). The page selects the
// 5 runs and opens the compare view; the time runs from the click on Compare to the metrics
// table and the curves' canvas on screen plus two animation frames (the chart has drawn).
// "cold": the 5 reports are fetched (5 x ~4 MB of JSON), parsed, thinned and drawn (also given:
// when the last report arrived, and the time after it); "warm": the same view opened again from
// the query cache (mount, thinning and drawing; the thinned curves are kept per report object,
// lib/backtest displayCurve). Several rounds; prints each and the medians.
// Run: npx expo export --platform web --output-dir dist && node bench/compare-curves.mjs
// (a measurement for docs/BENCHMARKS.md, not a test: nothing here fails on speed).
import { join } from 'node:path';

import { byTestId, launchBrowser, machine, root, signIn as signInToDashboard, startBackend, USER } from './_backend.mjs';

const file = join(root, '..', 'shared', 'data', 'binance_BTC-USDT_1h.csv.gz');
const RUNS = 5;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const backend = await startBackend({ name: 'compare', seed: [join(root, 'backend', 'bench', 'seed_backtests.py'), USER, file, String(RUNS)] });
const seeded = backend.seeded;
process.stderr.write(seeded);
const points = [...seeded.matchAll(/(\d+) points/g)].map((m) => Number(m[1]));
const base = backend.base;
const browser = await launchBrowser().catch((error) => {
  backend.stop();
  throw error;
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const byTest = (id) => byTestId(page, id);
  /** A fresh page load (an empty query cache; the access token is in memory: sign in again). */
  const signIn = async () => {
    await signInToDashboard(page, base);
    await byTest('tab-backtest').click();
    await byTest('backtest-runs').waitFor({ timeout: 120_000 });
    const ids = await page.locator('[data-testid$="-select"][data-testid^="run-"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
    if (ids.length !== RUNS) throw new Error(`${ids.length} runs listed`);
    for (const id of ids) await byTest(id).click();
  };

  /** Click Compare; ms until the table and the drawn curves are on screen (and until the last report arrived); then back. */
  const open = async () => {
    let lastReport = null;
    const onFinished = (request) => {
      if (/\/api\/backtest\/\d+\/result$/.test(request.url())) lastReport = Date.now();
    };
    page.on('requestfinished', onFinished);
    const started = Date.now();
    await byTest('backtest-compare').click();
    await byTest('metrics').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="backtest-curves"] canvas').first().waitFor({ timeout: 120_000 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const ended = Date.now();
    page.off('requestfinished', onFinished);
    const columns = await page.locator('[data-testid^="metric-final_capital-"]').count();
    if (columns !== RUNS) throw new Error(`compare shows ${columns} columns`);
    await page.goBack();
    await byTest('backtest-runs').waitFor({ timeout: 120_000 });
    return { total: ended - started, fetched: lastReport === null ? 0 : lastReport - started };
  };
  const cold = [];
  const warm = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    await signIn();
    cold.push(await open());
    warm.push(await open());
    if (warm.at(-1).fetched) throw new Error('the warm open fetched the reports again');
  }
  const result = {
    runs: RUNS,
    points_per_curve: points,
    cold_ms: cold.map((c) => c.total),
    cold_reports_fetched_ms: cold.map((c) => c.fetched),
    warm_ms: warm.map((c) => c.total),
    cold_ms_median: median(cold.map((c) => c.total)),
    cold_after_fetch_ms_median: median(cold.map((c) => c.total - c.fetched)),
    warm_ms_median: median(warm.map((c) => c.total)),
    target_ms: 1000,
    machine: machine(),
    date: new Date().toISOString(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  backend.stop();
}
