// End to end: the analyst dashboard on the thesis data in headless Chromium.
// The headline is the thesis's NPS of −3.28; the Q2 × Q14 cross-tab shows the
// counts and chi-square the CLI gives; filters change n as recounted here from
// the CSV; the follow-up list has every detractor; axe-core finds nothing; the
// print view renders.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { axe, launch, openStaff, openPage } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_PATH = `${ROOT}www/demo/zg-x-branch-2023.csv`;
const DEMO = readFileSync(DEMO_PATH, 'utf8').replace(/^\uFEFF/, '');
const [HEADER, ...LINES] = DEMO.trim().split(/\r?\n/);
const COL = Object.fromEntries(HEADER.split(',').map((c, i) => [c, i]));
const ROWS = LINES.map((l) => l.split(','));
/** Recounts straight from the CSV text, independently of the core. */
const count = (pred) => ROWS.filter(pred).length;

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function openDemo(viewport = { width: 1280, height: 900 }) {
  const context = await env.newContext({ viewport });
  // From the main page, as a branch manager would.
  const { page, errors } = await openPage(context, env.url);
  await page.locator('a[href="dashboard.html?demo"]').click();
  // Same tab: the staff session unlocked on the main page carries over.
  await page.locator('#nps-value').waitFor();
  // The key drivers follow the rest of the view.
  await page.waitForFunction(() => document.querySelector('#board')?.dataset.drivers === 'ready');
  return { context, page, errors };
}

const context = (page) => page.locator('#dash-context').textContent();

async function waitForN(page, n) {
  await page.waitForFunction(
    (want) => document.querySelector('#dash-context')?.textContent.startsWith(`n = ${want}（`),
    n,
  );
}

test('the dashboard opens from the main page with the thesis headline', async () => {
  const { context: ctx, page, errors } = await openDemo();
  // Thesis figure 3.8: NPS −3.28; statistics.md §1: adjusted-Wald 95% interval
  // [−11.8677252, 5.36366019], MoE z·SE' = 8.6156927 (issue 15: not Wald's −11.94 to 5.38).
  assert.equal(await page.locator('#nps-value').textContent(), '\u22123.28');
  assert.equal(
    await page.locator('#nps-ci').textContent(),
    '调整 Wald 95% 置信区间：\u221211.87 至 5.36（误差范围 ±8.62）',
  );
  assert.match(await context(page), /^n = 366（共 366 份）· 筛选：无筛选/);
  const group = (g) => page.locator(`#nps-groups tr[data-group="${g}"] td`).allTextContents();
  assert.deepEqual(await group('promoters'), ['125', '34.15%']);
  assert.deepEqual(await group('detractors'), ['137', '37.43%']);
  // Satisfaction sorted by % dissatisfied, most first.
  const order = await page
    .locator('#satisfaction tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.dataset.question));
  const dissatisfied = (q) => count((r) => r[COL[q]] === 'C');
  const expected = ['q12', 'q13', 'q14', 'q15', 'q16'].sort(
    (a, b) => dissatisfied(b) - dissatisfied(a),
  );
  assert.deepEqual(order, expected);
  assert.match(
    await page.locator('#scale-summary').textContent(),
    /Cronbach α = 0\.\d{3}（仅计 5 项全答的 366 人）/,
  );
  // Every question's table and chart; the charts are images with a text alternative.
  assert.equal(await page.locator('#frequencies table.freq').count(), 17);
  assert.equal(await page.locator('#frequencies svg[role="img"][aria-label]').count(), 17);
  // Thesis table 3.5: 177 men, 48.36%.
  assert.deepEqual(
    await page.locator('table[data-question="q1"] tr[data-code="A"] td').allTextContents(),
    ['177', '48.36%'],
  );
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the Q2 × Q14 cross-tab shows the counts and chi-square the CLI gives', async () => {
  const cli = spawnSync(
    'cargo',
    ['run', '-q', '--', 'crosstab', DEMO_PATH, 'q2', 'q14', '--json'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const want = JSON.parse(cli.stdout);
  const { context: ctx, page, errors } = await openDemo();
  const cells = await page
    .locator('#xt-table tbody tr:not(.total)')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td:not(.total)')].map((td) => Number(td.dataset.count)),
      ),
    );
  assert.deepEqual(cells, want.counts);
  assert.equal(await page.locator('#xt-chi2').textContent(), `χ² = ${want.chi2.toFixed(3)}`);
  assert.equal(await page.locator('#xt-v').textContent(), want.cramers_v.toFixed(3));
  assert.equal(
    await page.locator('#xt-p').textContent(),
    want.p < 0.001 ? 'p < 0.001' : `p = ${want.p.toFixed(3)}`,
  );
  // Significance letters per cell, as the core gives them.
  const letters = await page
    .locator('#xt-table tbody tr:not(.total)')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td:not(.total)')].map(
          (td) => td.querySelector('.letters')?.textContent ?? '',
        ),
      ),
    );
  assert.deepEqual(letters, want.letters);
  // SPSS's footnote marks for columns left out of a row's comparisons (a: proportion 0 or 1, b: base below 2), as the core gives them.
  const marks = await page
    .locator('#xt-table tbody tr:not(.total)')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td:not(.total)')].map(
          (td) => td.querySelector('.note')?.textContent ?? '',
        ),
      ),
    );
  assert.deepEqual(
    marks,
    want.letter_notes.map((row) =>
      row.map((k) => ({ proportion_0_or_1: 'a', base_below_2: 'b' })[k] ?? ''),
    ),
  );
  // Row percentages on request.
  await page.locator('#show-row').check();
  const first = await page
    .locator('#xt-table tbody tr')
    .first()
    .locator('td')
    .first()
    .textContent();
  assert.match(first, new RegExp(`^${want.row_pct[0][0].toFixed(2)}%`));
  // NPS by Q2 in one click, with an interval per age group.
  await page.locator('#nps-by').click();
  await page.locator('#npsby-table').waitFor();
  assert.equal(await page.locator('#npsby-table tbody tr').count(), 5);
  const under25 = count((r) => r[COL.q2] === 'A');
  assert.equal(
    await page.locator('#npsby-table tr[data-option="A"] td').first().textContent(),
    String(under25),
  );
  // Issue 15: the segment's adjusted-Wald interval. Q2 A (15, 14, 19): NPS' −7.8431373,
  // SE' 11.6309842, CI [−30.6394475, 14.9531730] (Python, exact fractions and mpmath,
  // as in tests/nps_verdicts.rs; Wald's would be [−32.03, 15.36], statistics.md §1).
  assert.equal(
    await page.locator('#npsby-table tr[data-option="A"] td').last().textContent(),
    '\u221230.64 – 14.95',
  );
  // Q2 × Q3 has a column at 0% in a row: its cell carries footnote a, explained under the table (IBM's CTABLES rule).
  const q3 = JSON.parse(
    spawnSync('cargo', ['run', '-q', '--', 'crosstab', DEMO_PATH, 'q2', 'q3', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).stdout,
  );
  await page.locator('#xt-col').selectOption('q3');
  await page.waitForFunction(() => document.querySelectorAll('#xt-table thead th').length === 7);
  const q3marks = await page
    .locator('#xt-table tbody tr:not(.total)')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td:not(.total)')].map(
          (td) => td.querySelector('.note')?.textContent ?? '',
        ),
      ),
    );
  assert.deepEqual(
    q3marks,
    q3.letter_notes.map((row) =>
      row.map((k) => ({ proportion_0_or_1: 'a', base_below_2: 'b' })[k] ?? ''),
    ),
  );
  assert.ok(q3marks.flat().includes('a'));
  assert.deepEqual(
    await page.locator('#xt-notes li').evaluateAll((lis) => lis.map((li) => li.dataset.note)),
    ['a'],
  );
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('filters change n, and every view follows them', async () => {
  const { context: ctx, page, errors } = await openDemo();
  await page.locator('#filter-question').selectOption('q1');
  await page.locator('#opt-q1-A').check();
  // Thesis table 3.5: 177 men.
  await waitForN(page, 177);
  assert.match(await context(page), /筛选：Q1 = A/);
  assert.deepEqual(
    await page.locator('table[data-question="q1"] tr[data-code="B"] td').allTextContents(),
    ['0', '0.00%'],
  );
  const menPaper = count((r) => r[COL.q1] === 'A' && r[COL.mode] === 'paper');
  await page.locator('#mode-paper').check();
  await waitForN(page, menPaper);
  // The follow-up list follows the filter too.
  const detractors = count(
    (r) => r[COL.q1] === 'A' && r[COL.mode] === 'paper' && Number(r[COL.q17]) <= 6,
  );
  assert.match(
    await page.locator('#fu-summary').textContent(),
    new RegExp(`贬损者（0–6 分）${detractors} 人`),
  );
  await page.locator('#filter-clear').click();
  await waitForN(page, 366);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the keyboard keeps its place when a control redraws the board (cross-tab questions, NPS by)', async () => {
  const { context: ctx, page, errors } = await openDemo();
  const busy = () =>
    page.waitForFunction(
      () => document.querySelector('#board').getAttribute('aria-busy') === 'false',
    );
  await page.locator('#xt-row').focus();
  await page.keyboard.press('ArrowDown');
  await busy();
  await page.waitForFunction(() => document.activeElement?.id === 'xt-row', null, {
    timeout: 5000,
  });
  await page.locator('#xt-col').focus();
  await page.keyboard.press('ArrowDown');
  await busy();
  await page.waitForFunction(() => document.activeElement?.id === 'xt-col', null, {
    timeout: 5000,
  });
  await page.locator('#nps-by').focus();
  await page.keyboard.press('Enter');
  await page.locator('#nps-by-view').waitFor();
  await busy();
  await page.waitForFunction(() => document.activeElement?.id === 'nps-by', null, {
    timeout: 5000,
  });
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a filter change shows the follow-up list from its first page again', async () => {
  const { context: ctx, page, errors } = await openDemo();
  await page.locator('#fu-next').click();
  await page.locator('#fu-next').click();
  assert.match(await page.locator('#fu-page').textContent(), /^第 21–30 人，共 137 人$/);
  await page.locator('#filter-question').selectOption('q1');
  await page.locator('#opt-q1-A').check();
  await waitForN(page, 177);
  assert.match(await page.locator('#fu-page').textContent(), /^第 1–10 人，共 \d+ 人$/);
  assert.equal(await page.locator('#fu-prev').isDisabled(), true);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the follow-up list has every detractor, flagged, and exports them', async () => {
  const { context: ctx, page, errors } = await openDemo();
  const detractors = ROWS.filter((r) => Number(r[COL.q17]) <= 6);
  assert.equal(detractors.length, 137); // thesis figure 3.8
  assert.equal(await page.locator('#fu-table tbody tr').count(), 137);
  const noManager = detractors.filter((r) => ['B', 'C'].includes(r[COL.q10])).length;
  const littleContact = detractors.filter((r) => r[COL.q11] === 'D').length;
  assert.equal(
    await page.locator('#follow-up li[data-flag="no-manager"] strong').textContent(),
    String(noManager),
  );
  assert.equal(
    await page.locator('#follow-up li[data-flag="little-contact"] strong').textContent(),
    String(littleContact),
  );
  assert.equal(
    await page.locator('#fu-table tbody tr[data-flags~="no-manager"]').count(),
    noManager,
  );
  // A row shows the id and the answers as on the form.
  const first = detractors[0];
  const row = page.locator(`#fu-table tr[data-id="${first[COL.id]}"]`);
  assert.equal(
    await row.locator('td.answers').textContent(),
    HEADER.split(',')
      .filter((c) => /^q\d+$/.test(c))
      .map((c) => first[COL[c]])
      .join(' '),
  );
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#fu-export').click(),
  ]);
  const csv = readFileSync(await dl.path(), 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  assert.equal(csv.length, 1 + 137);
  assert.ok(csv.slice(1).every((line) => detractors.some((r) => line.startsWith(`${r[COL.id]},`))));
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('axe-core finds no violations, in Chinese and English, on a phone', async () => {
  const { context: ctx, page, errors } = await openDemo({ width: 390, height: 844 });
  assert.deepEqual(await axe(page), []);
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await page.locator('#nps-ci').textContent(), /^Adjusted-Wald 95% interval/);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the print view renders the whole dashboard on A4 without the controls', async () => {
  const { context: ctx, page, errors } = await openDemo();
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#filters').isVisible(), false);
  assert.equal(await page.locator('#print').isVisible(), false);
  assert.equal(await page.locator('#nps-value').isVisible(), true);
  assert.equal(await page.locator('#xt-table').isVisible(), true);
  const pdf = await page.pdf({ format: 'A4' });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 3 && pages <= 40, `${pages} pages`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the main page’s report and the dashboard write the same figures the same way: columns, decimals, colours (issue 16)', async () => {
  const { context: ctx, page } = await openDemo();
  const satisfaction = (sel) =>
    page.locator(sel).evaluate((table) => ({
      head: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
      rows: Object.fromEntries(
        [...table.querySelectorAll('tbody tr')].map((tr) => [
          tr.dataset.question,
          [...tr.querySelectorAll('td')].map((td) => td.textContent),
        ]),
      ),
    }));
  const onBoard = await satisfaction('#sat-table');
  const boardNps = await page.locator('#nps-value').textContent();
  const boardIndex = await page.locator('#kpi-index').textContent();
  const report = await ctx.newPage();
  await openStaff(report, env.url);
  await report.locator('html[data-ready="true"]').waitFor();
  await report.locator('#demo').click();
  await report.locator('#nps-value').waitFor();
  const onReport = await report.locator('#satisfaction').evaluate((table) => ({
    head: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
    rows: Object.fromEntries(
      [...table.querySelectorAll('tbody tr')].map((tr) => [
        tr.dataset.question,
        [...tr.querySelectorAll('td')].map((td) => td.textContent),
      ]),
    ),
  }));
  assert.deepEqual(
    onBoard.head.slice(1),
    onReport.head.slice(1),
    'the same columns in the same order',
  );
  assert.deepEqual(onBoard.rows, onReport.rows, 'every item the same, to the digit');
  assert.equal(await report.locator('#nps-value').textContent(), boardNps);
  // The index with two decimals, as the CLI report prints it.
  assert.match(boardIndex, /^\d+\.\d\d$/);
  // Promoters and detractors in the same colours on both pages.
  const colour = (p, sel) =>
    p
      .locator(sel)
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await colour(report, '.dot.promoters'), 'rgb(0, 114, 178)');
  assert.equal(await colour(report, '.dot.detractors'), 'rgb(213, 94, 0)');
  const fills = await page
    .locator('#satisfaction svg rect')
    .evaluateAll((rs) => [...new Set(rs.map((r) => r.getAttribute('fill')))]);
  assert.ok(fills.includes('#0072B2') && fills.includes('#D55E00'), fills.join(' '));
  await ctx.close();
});

test('the status line names the data in the language shown and starts with a capital in English (issue 16)', async () => {
  const { context: ctx, page } = await openDemo();
  const status = () => page.locator('#dash-status').textContent();
  assert.match(await status(), /^示例数据：/);
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await status(), 'Demo data: 366 of 366 responses under the filters.');
  assert.match(
    await page.locator('#print-head').textContent(),
    /^manyi report · data: demo data \(zg-x-branch-2023\.csv\) · /,
  );
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.match(await status(), /^示例数据：/);
  await ctx.close();
});
