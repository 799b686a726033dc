// End to end: responses stored on the device in IndexedDB — imports through a
// preview, the merge rules, conflicts decided by a person, bad files storing
// nothing, exports that round-trip, and a tab closed mid-save leaving the
// store whole.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { axe, launch, openPage } from './browser.mjs';

const DEMO = new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url).pathname;
const DEMO_TEXT = readFileSync(DEMO, 'utf8');
const HEADER = 'id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function open(context) {
  // A new tab: sets the staff passphrase on a fresh device, else enters it.
  const opened = await openPage(context, env.url);
  await opened.page.waitForFunction(
    () => document.querySelector('#store-status').dataset.total !== undefined,
  );
  return opened;
}

const stored = (page) => page.locator('#store-status').getAttribute('data-total').then(Number);
const unexported = (page) =>
  page.locator('#store-status').getAttribute('data-unexported').then(Number);

async function preview(page, file) {
  await page.locator('#import-file').setInputFiles(file);
  await page.locator('#preview:not([hidden])').waitFor();
  return page.locator('#preview-summary').textContent();
}

async function commit(page, expectTotal) {
  await page.locator('#commit').click();
  await page.waitForFunction(
    (n) => document.querySelector('#store-status').dataset.total === String(n),
    expectTotal,
  );
}

const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('an import is previewed, stored, survives a reload, and importing it again changes nothing', async () => {
  const context = await env.newContext();
  const { page, errors } = await open(context);
  assert.equal(await stored(page), 0);
  assert.match(
    await preview(page, DEMO),
    /共 366 行；新增 366 行，已存在且相同 0 行（将跳过），冲突 0 行/,
  );
  await commit(page, 366);
  assert.equal(await unexported(page), 366);
  await page.reload();
  // The tab's staff session stays unlocked across the reload: no passphrase asked.
  await page.locator('html[data-ready="true"]').waitFor();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '366');
  assert.match(await preview(page, DEMO), /新增 0 行，已存在且相同 366 行/);
  await commit(page, 366);
  // The stored data's report is the thesis's.
  await page.locator('#show-stored').click();
  await page.locator('#nps-value').waitFor();
  assert.equal(await page.locator('#nps-value').textContent(), '\u22123.28');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a conflict is shown side by side and stored only as the person decides', async () => {
  const context = await env.newContext();
  const { page } = await open(context);
  await preview(page, DEMO);
  await commit(page, 366);
  // X2023-0001 is A…,3 in the demo; this file says q1 B and q17 10, plus one new response.
  const first = DEMO_TEXT.split('\n')[1].split(',');
  const changed = [...first];
  changed[2] = 'B';
  changed[18] = '10';
  const text = [
    'id,mode,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17',
    changed.join(','),
    'N-1,online,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9',
  ].join('\n');
  assert.match(
    await preview(page, csvFile('tablet-2.csv', text)),
    /新增 1 行，已存在且相同 0 行（将跳过），冲突 1 行/,
  );
  const rows = await page
    .locator('fieldset.conflict[data-id="X2023-0001"] tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows, [
    // The options' texts beside their letters (issue 16: letters alone meant nothing to a clerk).
    ['Q1', 'A 男', 'B 女'],
    ['Q17', '3', '10'],
  ]);
  assert.deepEqual(await axe(page), [], 'the preview with a conflict');
  // Importing without a decision is refused and stores nothing.
  await page.locator('#commit').click();
  assert.match(await page.locator('#status').textContent(), /还有 1 处冲突未作选择/);
  assert.equal(await stored(page), 366);
  await page.getByLabel('采用导入文件').check();
  await commit(page, 367);
  assert.match(await page.locator('#status').textContent(), /新增 1 份，替换 1 份/);
  await page.locator('#show-stored').click();
  await page.locator('table[data-question="q17"]').waitFor();
  // The demo has 67 tens and 58 nines (data README); X2023-0001 now says 10 and N-1 says 9.
  assert.equal(
    await page.locator('table[data-question="q17"] tr[data-code="10"] .count').textContent(),
    '68',
  );
  assert.equal(
    await page.locator('table[data-question="q17"] tr[data-code="9"] .count').textContent(),
    '59',
  );
  await context.close();
});

test('a bad file shows every problem and stores nothing', async () => {
  const context = await env.newContext();
  const { page } = await open(context);
  await page
    .locator('#import-file')
    .setInputFiles(
      csvFile(
        'bad.csv',
        `${HEADER}\na,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,12\nb,Q,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,1\n`,
      ),
    );
  await page.locator('#problems').waitFor();
  const codes = await page
    .locator('#problems tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.dataset.code));
  assert.deepEqual(codes, ['out_of_range', 'unknown_option']);
  assert.equal(await page.locator('#preview').isHidden(), true);
  assert.equal(await stored(page), 0);
  await context.close();
});

test('every bad file under tests/bad-csv gives its documented problems and stores nothing', async () => {
  const dir = new URL('../bad-csv/', import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
  assert.ok(files.length >= 15, `only ${files.length} bad files`);
  const context = await env.newContext();
  const { page } = await open(context);
  for (const f of files) {
    const expected = readFileSync(dir + f.replace(/\.csv$/, '.err'), 'utf8')
      .trim()
      .split('\n');
    await page.locator('#import-file').setInputFiles(dir + f);
    await page.locator('#errors:not(:empty)').waitFor();
    const shown = await page.locator('#errors').textContent();
    // The first line of the .err says how many problems: the page says the same.
    const total = Number(expected[0].match(/: (\d+) problems?$/)[1]);
    assert.match(shown, new RegExp(`发现 ${total} 处问题，未导入任何数据`), f);
    const listed = await page.locator('#problems tbody tr').count();
    assert.equal(listed, Math.min(total, 100), f);
    assert.equal(await stored(page), 0, f);
    await page.evaluate(() => document.querySelector('#errors').replaceChildren());
  }
  await context.close();
});

test('exports round-trip: CSV with BOM, labelled CSV, Excel workbook, and a backup restored on another device', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page } = await open(context);
  await page.getByLabel('操作员').fill('王芳');
  await page.getByLabel('操作员').press('Tab');
  await preview(page, DEMO);
  await commit(page, 366);
  const download = async (format) => {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`[data-export="${format}"]`).click(),
    ]);
    return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
  };
  const csv = await download('csv');
  assert.match(csv.name, /^manyi-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = csv.bytes.toString('utf8').slice(1).split('\r\n');
  // The file's columns in its order (the demo has mode second), then the
  // provenance the import added: the source file, the device and the operator.
  assert.equal(
    lines[0],
    'id,mode,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17,source,device,operator',
  );
  assert.match(
    lines[1],
    /^X2023-0001,paper,A,A,C,G,A,D,H,C,E,B,D,C,C,C,C,B,3,zg-x-branch-2023\.csv,dev-[0-9a-f]{12},王芳$/,
  );
  assert.equal(lines.length, 368); // header, 366 rows, and the final line end
  await page.waitForFunction(
    () => document.querySelector('#store-status').dataset.unexported === '0',
  );
  const labelled = await download('labelled');
  assert.match(labelled.bytes.toString('utf8'), /不满意/);
  const backup = await download('backup');
  const workbook = await download('xlsx');
  assert.match(workbook.name, /\.xlsx$/);
  assert.equal(workbook.bytes.subarray(0, 2).toString(), 'PK');
  // Another device restores the backup and the labelled CSV: the same 366 responses.
  const other = await env.newContext({ acceptDownloads: true });
  const { page: page2 } = await open(other);
  assert.match(
    await preview(page2, { name: backup.name, mimeType: 'application/json', buffer: backup.bytes }),
    /新增 366 行/,
  );
  await commit(page2, 366);
  assert.match(
    await preview(page2, { name: labelled.name, mimeType: 'text/csv', buffer: labelled.bytes }),
    /新增 0 行，已存在且相同 366 行/,
  );
  await page2.locator('#cancel').click();
  const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  assert.match(
    await preview(page2, { name: workbook.name, mimeType: xlsxType, buffer: workbook.bytes }),
    /新增 0 行，已存在且相同 366 行/,
  );
  await page2.locator('#show-stored').click();
  await page2.locator('#nps-value').waitFor();
  assert.equal(await page2.locator('#nps-value').textContent(), '\u22123.28');
  // The audit trail came along: device 2's own backup holds device 1's import and exports.
  const [dl2] = await Promise.all([
    page2.waitForEvent('download'),
    page2.locator('[data-export="backup"]').click(),
  ]);
  const trail = JSON.parse(readFileSync(await dl2.path(), 'utf8')).audit;
  const carried = JSON.parse(backup.bytes.toString('utf8')).audit;
  assert.ok(
    carried.some(
      (e) => e.what === 'import' && e.who === '王芳' && e.detail.file === 'zg-x-branch-2023.csv',
    ),
    JSON.stringify(carried),
  );
  assert.deepEqual(trail.slice(0, carried.length), carried);
  assert.ok(trail.some((e) => e.what === 'import' && e.detail.file === backup.name));
  await other.close();
  await context.close();
});

test('a tab closed in the middle of saving leaves the store whole: all or nothing', async () => {
  const context = await env.newContext();
  const { page } = await open(context);
  const n = 150000;
  const rows = [HEADER];
  for (let i = 0; i < n; i++)
    rows.push(
      `K${String(i).padStart(6, '0')},${'AB'[i % 2]},A,B,C,D,A,B,C,D,A,B,C,A,B,C,A,${i % 11}`,
    );
  await preview(page, csvFile('big.csv', rows.join('\n')));
  await page.locator('#commit').click();
  await page.waitForFunction(
    () => Number(document.querySelector('#import-progress').value) > 0,
    null,
    { timeout: 60000 },
  );
  await page.close({ runBeforeUnload: false });
  const { page: again } = await open(context);
  const total = await stored(again);
  assert.ok(total === 0 || total === n, `stored ${total} of ${n}`);
  await context.close();
});
