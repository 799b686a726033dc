// End to end: the report page in headless Chromium reads the thesis's numbers
// off the demo data, refuses a bad file without importing anything, switches
// language, and passes axe-core.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, launch, openPage } from './browser.mjs';

const DEMO = new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url);
const HEADER = 'id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function openMain(viewport = { width: 390, height: 844 }) {
  const context = await env.newContext({ viewport });
  const opened = await openPage(context, env.url);
  opened.page.on('close', () => context.close());
  return opened;
}

/** The count and percentage cells of one option row of a question's table. */
async function freqRow(page, question, code) {
  const row = page.locator(`table[data-question="${question}"] tr[data-code="${code}"]`);
  return [await row.locator('.count').textContent(), await row.locator('.pct').textContent()];
}

test('the demo data shows the thesis numbers', async () => {
  const { page, errors } = await openMain();
  await page.getByRole('button', { name: /示例数据/ }).click();
  await page.locator('#nps-value').waitFor();
  // Thesis figure 3.8: NPS −3.28 from 125 promoters, 104 passives, 137 detractors of 366.
  assert.equal(await page.locator('#nps-value').textContent(), '\u22123.28');
  assert.match(await page.locator('#report-n').textContent(), /366/);
  // Issue 15: the adjusted-Wald interval, not Wald's [−11.94, 5.38]. statistics.md §1:
  // adjusted CI [−11.8677252, 5.36366019]; MoE = z·SE' = 1.959963984540054 × 4.39584236
  // = 8.6156927 (Python, exact fractions and mpmath; tests/nps_verdicts.rs).
  assert.equal(
    await page.locator('#nps-ci').textContent(),
    '调整 Wald 95% 置信区间：\u221211.87 至 5.36（误差范围 ±8.62）',
  );
  const group = (g) => page.locator(`#nps-groups tr[data-group="${g}"] td`).allTextContents();
  assert.deepEqual(await group('promoters'), ['125', '34.15%']);
  assert.deepEqual(await group('passives'), ['104', '28.42%']);
  assert.deepEqual(await group('detractors'), ['137', '37.43%']);
  // Thesis tables 3.5 (Q1), 3.6 (Q2), 3.11 (Q15).
  assert.deepEqual(await freqRow(page, 'q1', 'A'), ['177', '48.36%']);
  assert.deepEqual(await freqRow(page, 'q1', 'B'), ['189', '51.64%']);
  assert.deepEqual(await freqRow(page, 'q2', 'D'), ['124', '33.88%']);
  assert.deepEqual(await freqRow(page, 'q15', 'C'), ['207', '56.56%']);
  // Data README: the Q17 split inside the groups (67 answered 10).
  assert.deepEqual(await freqRow(page, 'q17', '10'), ['67', '18.31%']);
  // statistics.md §4: Q15's satisfaction index 28.8251366.
  const q15 = await page.locator('#satisfaction tr[data-question="q15"] td').allTextContents();
  assert.deepEqual(q15, ['366', '14.21%', '56.56%', '1.58', '28.83']);
  // Issue 15 item 8: the mean's range comes from the items (3 options here).
  assert.match(await page.locator('#satisfaction thead').textContent(), /均值（1–3）/);
  assert.match(await page.locator('table[data-question="q1"] caption').textContent(), /您的性别/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('picking the demo file itself gives the same report', async () => {
  const { page } = await openMain();
  await page.locator('#file').setInputFiles(DEMO.pathname);
  await page.locator('#nps-value').waitFor();
  assert.equal(await page.locator('#nps-value').textContent(), '\u22123.28');
  assert.match(await page.locator('#status').textContent(), /zg-x-branch-2023\.csv.*366/);
  await page.close();
});

test('a bad file is refused with every problem located, and nothing is shown as imported', async () => {
  const { page } = await openMain();
  await page.getByRole('button', { name: /示例数据/ }).click();
  await page.locator('#nps-value').waitFor();
  const bad = [
    HEADER,
    'a,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9',
    'b,Z,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,11',
    'a,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,5',
  ].join('\n');
  await page
    .locator('#file')
    .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.locator('#problems').waitFor();
  assert.equal(await page.locator('#report').isHidden(), true);
  assert.match(await page.locator('#errors').textContent(), /bad\.csv 未导入：发现 3 处问题/);
  const rows = await page
    .locator('#problems tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-code'), ...[...tr.cells].map((c) => c.textContent)]),
    );
  assert.deepEqual(rows, [
    // The same details as the core's English sentences (issue 16): what was expected, where the id first stands.
    ['unknown_option', '3', '2 (q1)', 'Z', '不是该题的选项，应为 A B 之一'],
    ['out_of_range', '3', '18 (q17)', '11', '超出该题的取值范围，应为 0–10 的整数'],
    ['duplicate_id', '4', '1 (id)', 'a', '问卷编号（id）重复，与第 2 行相同'],
  ]);
  // In English the core's own sentences are shown.
  await page.getByRole('button', { name: 'Switch to English' }).click();
  assert.match(
    await page.locator('#problems').textContent(),
    /not an option of q1; expected one of A B/,
  );
  await page.close();
});

test('the language switches both ways and is remembered', async () => {
  const { page } = await openMain();
  await page.getByRole('button', { name: /示例数据/ }).click();
  await page.locator('#nps-value').waitFor();
  await page.getByRole('button', { name: 'Switch to English' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#nps-h').textContent(), 'Net Promoter Score (NPS)');
  assert.match(await page.locator('table[data-question="q1"] caption').textContent(), /Gender/);
  assert.deepEqual(await freqRow(page, 'q1', 'A'), ['177', '48.36%']);
  await page.reload();
  await page.locator('html[data-ready="true"]').waitFor();
  assert.equal(
    await page.locator('h1').textContent(),
    'Satisfaction and Net Promoter Score report',
  );
  await page.getByRole('button', { name: '切换到中文' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.close();
});

test('keyboard alone loads the demo', async () => {
  const { page } = await openMain();
  await page.locator('#demo').focus();
  await page.keyboard.press('Enter');
  await page.locator('#nps-value').waitFor();
  assert.equal(await page.locator('#nps-value').textContent(), '\u22123.28');
  await page.close();
});

test('axe-core finds no violations, before and after a report and on an error', async () => {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 900 },
  ]) {
    const { page } = await openMain(viewport);
    assert.deepEqual(await axe(page), [], 'empty page');
    await page.getByRole('button', { name: /示例数据/ }).click();
    await page.locator('#nps-value').waitFor();
    assert.deepEqual(await axe(page), [], 'report');
    await page.locator('#file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER}\n,A\n`),
    });
    await page.locator('#problems').waitFor();
    assert.deepEqual(await axe(page), [], 'errors');
    await page.close();
  }
});

test('the demo file served is the reference data', async () => {
  const res = await fetch(new URL('demo/zg-x-branch-2023.csv', env.url));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), readFileSync(DEMO, 'utf8'));
  const wasm = await fetch(new URL('pkg/manyi_bg.wasm', env.url));
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.equal(
    (await fetch(new URL('../../etc/passwd', env.url).href.replace('/etc', '/%2e%2e/etc'))).status,
    404,
  );
});
