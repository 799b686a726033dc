// End to end (issue 16): the paper entry screen keeps every keystroke through a
// settlement, completes digit-only ids the same after a reload and shows the
// completed id before saving, keeps a half-keyed form across a reload, keeps the
// second keying blind, and speaks English in the status line and audit trail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, idbRevealed, launch, openStaff } from './browser.mjs';

const DEMO = readFileSync(
  new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url),
  'utf8',
).replace(/^\uFEFF/, '');
const [HEADER, ...LINES] = DEMO.trim().split(/\r?\n/);
const COLUMNS = HEADER.split(',');
const FORMS = LINES.map((line) => {
  const cells = line.split(',');
  return {
    id: cells[0],
    answers: COLUMNS.map((c, i) => (/^q\d+$/.test(c) ? cells[i] : null)).filter((a) => a !== null),
  };
});
const answerKeys = (answers) =>
  answers.flatMap((a) => (a === '' ? ['Space'] : a.split('').map((c) => c.toLowerCase())));
const codesOf = (answers) =>
  answers.map((a, i) => (a === '' ? 255 : i === 16 ? Number(a) : a.charCodeAt(0) - 65));
const other = (a) => (a === 'A' ? 'B' : 'A');

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function openEntry(page) {
  await openStaff(page, `${env.url}entry.html`);
  await page.locator('html[data-ready="true"]').waitFor();
}

async function setOperator(page, name) {
  await page.locator('#operator').fill(name);
  await page.locator('#operator').press('Enter');
}

async function message(page, pattern) {
  await page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector('#entry-msg').textContent),
    pattern.source,
  );
  return page.locator('#entry-msg').textContent();
}

/** Keys one form from the id field: its id, Enter, the answers, Enter. */
async function keyForm(page, id, answers) {
  await page.locator('#form-id').fill(id);
  await page.locator('#form-id').focus();
  for (const k of ['Enter', ...answerKeys(answers), 'Enter']) await page.keyboard.press(k);
}

test('after settling a disagreement with Enter the focus is on the next form and keys typed ahead are kept', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await openEntry(page);
  const [a, b] = [FORMS[4], FORMS[5]];
  await setOperator(page, '张三');
  await keyForm(page, a.id, a.answers);
  await message(page, new RegExp(`已保存 ${a.id}`));
  await keyForm(page, b.id, b.answers);
  await message(page, new RegExp(`已保存 ${b.id}`));
  await setOperator(page, '李四');
  await page.locator('input[name="pass"][value="second"]').check();
  const wrong = [...a.answers];
  wrong[0] = other(wrong[0]);
  await keyForm(page, a.id, wrong);
  await page.locator('#resolve:not([hidden])').waitFor();
  // The paper says a.answers[0]; then, without waiting, Enter (the suggested id, b) + 17 answers + Enter.
  const ahead = [
    ...answerKeys([a.answers[0]]),
    'Enter',
    'Enter',
    ...answerKeys(b.answers),
    'Enter',
  ];
  for (const k of ahead) await page.keyboard.press(k);
  await message(page, new RegExp(`${b.id} 两遍录入一致`));
  const stored = (await idbRevealed(page, 'responses')).sort((x, y) => (x.id < y.id ? -1 : 1));
  assert.deepEqual(
    stored.map((r) => r.id),
    [a.id, b.id],
  );
  assert.deepEqual(stored[0].codes, codesOf(a.answers));
  assert.deepEqual(stored[1].codes, codesOf(b.answers));
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'form-id',
    'the focus is back on the form',
  );
  // The audit line of the second keying names the field, both keyings and the paper, in both languages.
  await page.locator('#find').fill(a.id);
  await page.locator('#find').press('Enter');
  await page.locator('#history li[data-what="verify"]').waitFor();
  const q1 = (x) => `${x}`;
  assert.match(
    await page.locator('#history li[data-what="verify"]').textContent(),
    new RegExp(
      `Q1：第一遍 ${q1(a.answers[0])}，第二遍 ${q1(wrong[0])}，纸质问卷 ${q1(a.answers[0])}`,
    ),
  );
  await page.locator('#lang').click();
  // The English texts load on the switch: the line is redrawn when they are in.
  const english = new RegExp(
    `Q1: first ${a.answers[0]}, second ${wrong[0]}, paper ${a.answers[0]}`,
  );
  await page.locator('#history li[data-what="verify"]', { hasText: english }).waitFor();
  assert.match(await page.locator('#history li[data-what="verify"]').textContent(), english);
  assert.match(await page.locator('#history h3').textContent(), /^Audit trail of /);
  assert.match(
    await page.locator('#entry-msg').textContent(),
    /^[A-Z]/,
    'the status line is in English',
  );
  assert.doesNotMatch(await page.locator('#entry-msg').textContent(), /[\u4e00-\u9fff]/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('after a reload a digit-only id is completed as before, and the completed id is shown before saving', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await openEntry(page);
  await setOperator(page, '王五');
  await page.locator('#double').uncheck();
  await keyForm(page, FORMS[5].id, FORMS[5].answers);
  await message(page, /已保存 X2023-0006/);
  await page.reload();
  await openEntry(page);
  await page.locator('#form-id').fill('');
  await page.locator('#form-id').pressSequentially('7');
  assert.match(
    await page.locator('#id-full').textContent(),
    /X2023-0007/,
    'the completed id shows as it is typed',
  );
  await page.locator('#form-id').press('Enter');
  assert.equal(await page.locator('#form-id').inputValue(), 'X2023-0007');
  for (const k of [...answerKeys(FORMS[6].answers), 'Enter']) await page.keyboard.press(k);
  await message(page, /已保存 X2023-0007/);
  assert.deepEqual((await idbRevealed(page, 'responses')).map((r) => r.id).sort(), [
    'X2023-0006',
    'X2023-0007',
  ]);
  await context.close();
});

test('on a device with no earlier id, a digit-only id is flagged as a bare number before saving, in both languages', async () => {
  const context = await env.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await openEntry(page);
  await setOperator(page, '王五');
  await page.locator('#form-id').fill('');
  await page.locator('#form-id').pressSequentially('7');
  assert.match(
    await page.locator('#id-full').textContent(),
    /只有数字.*7/,
    'the bare number is pointed out as it is typed',
  );
  await page.locator('#lang').click();
  await page.locator('#form-id').fill('');
  await page.locator('#form-id').pressSequentially('7');
  assert.match(await page.locator('#id-full').textContent(), /only digits.*7/i);
  // A whole id is not flagged.
  await page.locator('#form-id').fill('X2023-0007');
  await page.locator('#form-id').press('Tab');
  assert.equal((await page.locator('#id-full').textContent()).trim(), '');
  await context.close();
});

test('a half-keyed form survives a reload', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await openEntry(page);
  await setOperator(page, '王五');
  const f = FORMS[7];
  await page.locator('#form-id').fill(f.id);
  await page.locator('#form-id').press('Enter');
  for (const k of answerKeys(f.answers.slice(0, 5))) await page.keyboard.press(k);
  await page.waitForFunction(() => document.documentElement.dataset.draft === 'saved');
  await page.reload();
  await openEntry(page);
  assert.equal(await page.locator('#form-id').inputValue(), f.id);
  assert.equal(await page.locator('#f-q5').inputValue(), f.answers[4]);
  assert.equal(await page.locator('#f-q6').inputValue(), '');
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'f-q6',
    'keying goes on where it stopped',
  );
  for (const k of [...answerKeys(f.answers.slice(5)), 'Enter']) await page.keyboard.press(k);
  await message(page, new RegExp(`已保存 ${f.id}`));
  assert.deepEqual((await idbRevealed(page, 'entries'))[0].codes, codesOf(f.answers));
  // Saved, the draft is gone: a reload starts a blank form.
  await page.reload();
  await openEntry(page);
  assert.equal(await page.locator('#f-q1').inputValue(), '');
  await context.close();
});

test('the second keying is blind: Edit on a waiting form does not show the first keying', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await openEntry(page);
  await setOperator(page, '张三');
  const f = FORMS[8];
  await keyForm(page, f.id, f.answers);
  await message(page, new RegExp(`已保存 ${f.id}`));
  await setOperator(page, '李四');
  await page.locator(`#saved tr[data-id="${f.id}"] .edit`).click();
  await message(page, /盲录/);
  const shown = await page
    .locator('#grid .ans')
    .evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.deepEqual(shown, Array(17).fill(''), 'no answer of the first keying is shown');
  assert.doesNotMatch(await page.locator('#grid').textContent(), /男|Male/);
  assert.deepEqual(await axe(page), []);
  await context.close();
});

test('on a phone the entry screen never scrolls sideways, in either language, with the tally and the list filled', async () => {
  for (const width of [360, 390]) {
    const context = await env.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await openEntry(page);
    const f = FORMS[7];
    await setOperator(page, 'Operator A with a reasonably long name');
    await keyForm(page, f.id, f.answers);
    await message(page, new RegExp(`已保存 ${f.id}`));
    // A second keying that disagrees once, settled: the tally has both operators.
    await setOperator(page, 'Op B');
    await page.locator('input[name="pass"][value="second"]').check();
    const second = [...f.answers];
    second[0] = other(second[0]);
    await keyForm(page, f.id, second);
    await page.locator('#resolve:not([hidden])').waitFor();
    for (const k of [...answerKeys([f.answers[0]]), 'Enter']) await page.keyboard.press(k);
    await page.locator('#tally table').waitFor();
    for (const lang of ['zh-CN', 'en']) {
      if (lang === 'en') {
        await page.locator('#lang').click();
        await page.locator('html[lang="en"]').waitFor();
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.equal(overflow, 0, `${width} px, ${lang}: the page is ${overflow} px too wide`);
    }
    await context.close();
  }
});
