// Browser benchmark: import N synthetic responses through the page (worker
// parse + merge preview, one IndexedDB transaction, report from the store) and
// measure the time of each step and the longest main-thread task meanwhile.
//   node bench/import.mjs [N=1000000]     (after ./dev build; needs ./dev setup)
// Not part of the test suite: timings are reported, never asserted.
import { launch, openStaff } from '../tests/e2e/browser.mjs';

const n = Number(process.argv[2] ?? 1000000);
const header = 'id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17';
const rows = [header];
for (let i = 0; i < n; i++)
  rows.push(
    `M${String(i).padStart(7, '0')},${'AB'[i % 2]},A,B,C,D,A,B,C,D,A,B,C,A,B,C,A,${i % 11}`,
  );
const buffer = Buffer.from(rows.join('\n'));

const env = await launch();
try {
  const page = await (await env.newContext()).newPage();
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  await page
    .locator('#import-file')
    .setInputFiles({ name: 'bench.csv', mimeType: 'text/csv', buffer });
  // Long tasks on the page's main thread from here on (the hand-over of the
  // file by the test harness above is not the page's own work).
  await page.evaluate(() => {
    window.__long = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__long = Math.max(window.__long, e.duration);
    }).observe({ type: 'longtask' });
  });
  const step = async (name, run) => {
    const t = Date.now();
    await run();
    return { step: name, seconds: (Date.now() - t) / 1000 };
  };
  const results = [
    await step('preview (parse + merge plan in the worker)', () =>
      page.locator('#preview:not([hidden])').waitFor({ timeout: 600000 }),
    ),
    await step('save (one IndexedDB transaction)', async () => {
      await page.locator('#commit').click();
      await page.waitForFunction(
        (k) => document.querySelector('#store-status').dataset.total === String(k),
        n,
        { timeout: 900000 },
      );
    }),
    await step('report from the store', async () => {
      await page.locator('#show-stored').click();
      await page.locator('#nps-value').waitFor({ timeout: 600000 });
    }),
  ];
  const longest = await page.evaluate(() => window.__long);
  console.log(
    `import of ${n} responses (${(buffer.length / 1e6).toFixed(1)} MB CSV) in headless Chromium`,
  );
  for (const r of results) console.log(`  ${r.step}: ${r.seconds.toFixed(1)} s`);
  console.log(`  longest main-thread task meanwhile: ${Math.round(longest)} ms`);
} finally {
  await env.close();
}
