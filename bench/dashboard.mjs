// Browser benchmark: the dashboard over N synthetic responses. Loads them once,
// then changes filters and measures, per change, the worker's time for the new
// view (filter, full report, one cross-tab with its tests, follow-up list) and
// the time until the page shows it.
//   node bench/dashboard.mjs [N=100000]     (after ./dev build; needs ./dev setup)
// Not part of the test suite: timings are reported, never asserted.
import { launch, openStaff } from '../tests/e2e/browser.mjs';

const n = Number(process.argv[2] ?? 100000);
// Deterministic pseudo-random answers (a linear congruential generator).
let seed = 12345;
const next = (k) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % k;
};
const sizes = [2, 5, 5, 8, 5, 7, 8, 7, 5, 3, 4, 3, 3, 3, 3, 3];
const rows = ['id,mode,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17'];
for (let i = 0; i < n; i++) {
  const letters = sizes.map((k) => 'ABCDEFGH'[next(k)]);
  rows.push(
    `B${String(i).padStart(7, '0')},${next(3) ? 'paper' : 'online'},${letters.join(',')},${next(11)}`,
  );
}
const buffer = Buffer.from(rows.join('\n'));

const env = await launch();
try {
  const page = await (await env.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await openStaff(page, `${env.url}dashboard.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  let t = Date.now();
  await page
    .locator('#src-file')
    .setInputFiles({ name: 'bench.csv', mimeType: 'text/csv', buffer });
  await page.waitForFunction(
    (k) => document.querySelector('#dash-context')?.textContent.startsWith(`n = ${k}（`),
    n,
    { timeout: 600000 },
  );
  console.log(
    `dashboard over ${n} responses (${(buffer.length / 1e6).toFixed(1)} MB CSV) in headless Chromium`,
  );
  console.log(`  load and first view: ${((Date.now() - t) / 1000).toFixed(2)} s`);
  const changes = [
    ['Q1 = A', () => page.locator('#opt-q1-A').check()],
    ['Q1 = A, mode = paper', () => page.locator('#mode-paper').check()],
    ['mode = paper', () => page.locator('#opt-q1-A').uncheck()],
    ['no filter', () => page.locator('#mode-paper').uncheck()],
  ];
  // The key drivers' bootstrap runs in the same worker after each view is
  // drawn (under a second at 1,000,000); each change waits for it first, so the
  // view's own time is measured (a change made while it runs waits for it: its
  // time is printed apart).
  const driversReady = () =>
    page.locator('#board[data-drivers="ready"]').waitFor({ timeout: 600000 });
  for (const [name, change] of changes) {
    await driversReady();
    const before = await page.locator('#dash-context').textContent();
    t = Date.now();
    await change();
    await page.waitForFunction(
      (b) => document.querySelector('#dash-context')?.textContent !== b,
      before,
    );
    const page_ms = Date.now() - t;
    const worker_ms = Number(await page.locator('#board').getAttribute('data-view-ms'));
    await driversReady();
    const drivers_ms = Date.now() - t - page_ms;
    console.log(
      `  filter ${name}: worker ${worker_ms.toFixed(1)} ms, shown after ${page_ms} ms (includes the page's 60 ms debounce); key drivers ${drivers_ms} ms later`,
    );
  }
} finally {
  await env.close();
}
