// "A backtest of 8 years of 1h candles launched from the app shows its result in under 2 s"
// (issue 16), the e2e's backtest step alone: the real backend (`cryptotrader api`, its pool of
// warm backtest workers) serving the web export, the 72,540 candles of BTC/USDT 1h imported
// before the API starts (so the first launch reads them from the database, as in the e2e), and
// Debian's chromium. The page picks the series, `sma_cross(10, 30)`, clicks Launch; the time
// runs, as in e2e/run.mjs, to the result page's metrics and equity chart on screen, split into:
// the 202 (validation, candles, job row), the Open button (the socket said `succeeded`), the
// result's body received (fetched when the socket said `succeeded`), the result page drawn after
// the click on Open. Round 1 is the first backtest after the API started; then repeats.
// Run: npx expo export --platform web --output-dir dist && node bench/backtest-launch.mjs
// (a measurement for docs/BENCHMARKS.md, not a test: nothing here fails on speed).
import { join } from 'node:path';

import { byTestId, launchBrowser, machine, root, signIn, startBackend } from './_backend.mjs';

const file = join(root, '..', 'shared', 'data', 'binance_BTC-USDT_1h.csv.gz');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 20_000);

const seed = ['-m', 'cryptotrader', 'data', 'import', file, '--exchange', 'archive'];
const backend = await startBackend({ name: 'launch', seed });
const browser = await launchBrowser().catch((error) => {
  backend.stop();
  throw error;
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(120_000); // a loaded machine: the first page load can take a while
  const byTest = (id) => byTestId(page, id);
  const started = Date.now();
  await signIn(page, backend.base);
  await byTest('tab-backtest').click();
  await byTest('backtest-form').waitFor({ timeout: 120_000 });
  // the e2e launches well after the API started (its workers are warm by then)
  await page.waitForTimeout(Math.max(0, SETTLE_MS - (Date.now() - started)));

  const round = async () => {
    await byTest('backtest-series-archive BTC/USDT 1h').click();
    await byTest('backtest-strategy-sma_cross').click();
    await byTest('param-fast').fill('10');
    await byTest('param-slow').fill('30');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/backtest') && r.request().method() === 'POST');
    let resultAt = null;
    let resultKb = 0;
    const onFinished = async (request) => {
      if (!/\/api\/backtest\/\d+\/result$/.test(request.url())) return;
      resultAt = Date.now() - t0;
      resultKb = ((await (await request.response())?.body())?.length ?? 0) / 1000;
    };
    page.on('requestfinished', onFinished);
    const t0 = Date.now();
    await byTest('backtest-launch').click();
    const response = await answer;
    if (response.status() !== 202) throw new Error(`launch answered ${response.status()}`);
    const accepted = Date.now() - t0;
    const { id } = await response.json();
    await page.getByText(`#${id}`, { exact: true }).waitFor({ timeout: 120_000 }); // not the last round's Open
    await byTest('current-run-open').waitFor({ timeout: 120_000 });
    const succeeded = Date.now() - t0;
    await byTest('current-run-open').click();
    await byTest('metrics').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="backtest-curves"] canvas').first().waitFor({ timeout: 120_000 });
    const shown = Date.now() - t0;
    page.off('requestfinished', onFinished);
    await page.goBack();
    await byTest('backtest-form').waitFor({ timeout: 120_000 });
    return { accepted, succeeded, resultAt, shown, resultKb };
  };

  const found = [];
  for (let i = 1; i <= ROUNDS; i += 1) {
    const r = await round();
    found.push(r);
    process.stdout.write(
      `round ${i}: 202 at ${r.accepted} ms, Open (succeeded) at ${r.succeeded} ms, result received at ${r.resultAt} ms,` +
        ` result shown at ${r.shown} ms` +
        ` (result ${r.resultKb.toFixed(0)} kB) [${machine()}]\n`,
    );
  }
  const later = found.slice(1).map((r) => r.shown);
  const repeats = later.length ? median(later) : '-';
  process.stdout.write(`first launch ${found[0].shown} ms; later launches median ${repeats} ms; ${new Date().toISOString()}\n`);
} finally {
  await browser.close();
  backend.stop();
}
