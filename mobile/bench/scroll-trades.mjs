// Scrolling 5,000 trades in a bot's detail (the virtualised FlatList), measured in Debian's
// chromium: the real backend serves the web export and a database seeded with 5,000 closed
// trades (backend/bench/seed_trades.py); the page loads every page of the history, then the
// list is scrolled top to bottom by the mouse wheel while requestAnimationFrame records each
// frame's time. Prints frames, fps, frame-time percentiles and frames over 16.7 ms / 33.3 ms.
// Run: npx expo export --platform web --output-dir dist && node bench/scroll-trades.mjs
// (a measurement for docs/BENCHMARKS.md, not a test: nothing here fails on speed).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { byTestId, launchBrowser, machine, root, signIn, startBackend } from './_backend.mjs';

const TRADES = Number(process.env.TRADES ?? 5000);
// TRACE=file.json: also record a Chrome trace of the fling (DevTools' timeline categories), to
// open in DevTools' Performance panel or summarise with bench/trace-summary.mjs
const TRACE = process.env.TRACE;
// SHOT=file.png: a screenshot of the list's top once the history is loaded (to compare builds);
// VIEWPORT=390x844: another window size (a phone's), 1280x900 by default
const SHOT = process.env.SHOT;
const [WIDTH, HEIGHT] = (process.env.VIEWPORT ?? '1280x900').split('x').map(Number);
// BLANKS=1: at every 4th frame, also look at three points of the list (a quarter, half and three
// quarters down) below the header: a point on no trade row is a blank the fling outran (a
// virtualised list can scroll faster than it renders). Hit-testing costs frame time: compare
// fps only between runs with the same setting.
const BLANKS = process.env.BLANKS === '1';
// SPEED=2000: scroll at that many px/s of the page's clock instead of by the wheel, so that every
// build gets the same work per second (a wheel event waits for the page to take it: a busier
// page is flung slower, i.e. given less to do)
const SPEED = Number(process.env.SPEED ?? 0);

/**
 * CPU seconds used so far by this process's chromium processes, by kind (browser, renderer, gpu,
 * ...), from /proc: unlike frame times, the work the browser did for a fling hardly depends on how
 * many others share the cores. (Linux only; an empty object elsewhere.)
 */
function chromiumCpu() {
  const procs = new Map();
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        procs.set(Number(pid), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), cmdline });
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return {};
  }
  const mine = new Set([process.pid]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, p] of procs) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grown = true;
      }
    }
  }
  const seconds = {};
  for (const pid of mine) {
    const p = procs.get(pid);
    if (!p || !/chrom/.test(p.cmdline[0] ?? '')) continue;
    // (chromium rewrites its children's command lines as one string: no split on NUL)
    const kind = p.cmdline.join(' ').match(/--type=(\S+)/)?.[1] ?? 'browser';
    seconds[kind] = (seconds[kind] ?? 0) + p.ticks / 100; // USER_HZ
  }
  return seconds;
}

const backend = await startBackend({ name: 'scroll', seed: [join(root, 'backend', 'bench', 'seed_trades.py'), String(TRADES)] });
process.stderr.write(backend.seeded);
const browser = await launchBrowser().catch((error) => {
  backend.stop();
  throw error;
});
try {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } });
  const byTest = (id) => byTestId(page, id);
  await signIn(page, backend.base);
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
  if (SHOT) {
    // the header's cards scrolled away: the first rows of the history
    await list.evaluate((el) => {
      const card = el.querySelector('[data-testid="trade-history"]').getBoundingClientRect();
      el.scrollTop += card.top - el.getBoundingClientRect().top;
    });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: SHOT });
    await list.evaluate((el) => (el.scrollTop = 0));
    await page.waitForTimeout(1000);
  }
  const box = await list.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate((blanks) => {
    window.__frames = [];
    window.__samples = 0;
    window.__blanks = 0;
    const list = document.querySelector('[data-testid="bot-detail-list"]');
    const history = document.querySelector('[data-testid="trade-history"]');
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (blanks && window.__frames.length % 4 === 0) {
        const box = list.getBoundingClientRect();
        const below = history.getBoundingClientRect().bottom;
        for (const f of [0.25, 0.5, 0.75]) {
          const y = box.top + box.height * f;
          if (y <= below) continue;
          window.__samples += 1;
          if (!document.elementFromPoint(box.left + box.width / 2, y)?.closest('[data-testid^="trade-"]')) window.__blanks += 1;
        }
      }
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, BLANKS);
  const cdp = TRACE ? await page.context().newCDPSession(page) : null;
  const traced = [];
  if (cdp) {
    cdp.on('Tracing.dataCollected', ({ value }) => traced.push(...value));
    await cdp.send('Tracing.start', {
      traceConfig: {
        includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.user_timing', 'disabled-by-default-v8.cpu_profiler'],
      },
    });
  }
  const cpuBefore = chromiumCpu();
  // one wheel notch (100 px) per 16 ms: a fast, steady fling through the whole list
  // (FLING_PX: a shorter fling, e.g. for a trace of manageable size)
  const height = Math.min(Number(process.env.FLING_PX ?? Infinity), await list.evaluate((el) => el.scrollHeight - el.clientHeight));
  if (SPEED) {
    // the page scrolls itself at each frame, to where SPEED px/s puts it by then
    await list.evaluate(
      (el, { speed, height }) =>
        new Promise((resolve) => {
          const start = performance.now();
          const step = (now) => {
            el.scrollTop = Math.min(height, (speed * (now - start)) / 1000);
            if (el.scrollTop >= Math.min(height, el.scrollHeight - el.clientHeight) - 1) resolve();
            else requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        }),
      { speed: SPEED, height },
    );
  } else {
    for (let scrolled = 0; scrolled < height; scrolled += 100) {
      await page.mouse.wheel(0, 100);
      await page.waitForTimeout(16);
    }
  }
  const reached = await list.evaluate((el) => el.scrollTop);
  const cpuAfter = chromiumCpu();
  const cpu = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, Number((cpuAfter[k] - (cpuBefore[k] ?? 0)).toFixed(2))]));
  if (cdp) {
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await complete;
    writeFileSync(TRACE, JSON.stringify({ traceEvents: traced }));
  }
  const frames = await page.evaluate(() => {
    window.__stop = true;
    return window.__frames.slice(1);
  });
  const blanks = BLANKS ? await page.evaluate(() => ({ points: window.__samples, blank: window.__blanks })) : undefined;
  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const total = frames.reduce((a, b) => a + b, 0);
  const result = {
    trades: TRADES,
    history_load_ms: loadMs,
    scrolled_px: Math.round(reached),
    frames: frames.length,
    // the fling's length: each wheel event waits for the page to take it, so a busy page scrolls slower
    fling_s: Number((total / 1000).toFixed(1)),
    fps: Number(((frames.length / total) * 1000).toFixed(1)),
    frame_ms_p50: Number(pct(50).toFixed(1)),
    frame_ms_p95: Number(pct(95).toFixed(1)),
    frame_ms_p99: Number(pct(99).toFixed(1)),
    over_16_7ms: frames.filter((f) => f > 16.7 * 1.5).length, // a missed vsync (with timer jitter)
    over_33_3ms: frames.filter((f) => f > 33.4).length,
    blanks,
    // chromium's CPU seconds during the fling, all processes and by kind
    chromium_cpu_s: Number(Object.values(cpu).reduce((a, b) => a + b, 0).toFixed(1)),
    chromium_cpu_by_kind_s: cpu,
    machine: machine(),
    date: new Date().toISOString(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  backend.stop();
}
