// End to end: staff keying paper questionnaires with the keyboard alone in
// headless Chromium. Keystrokes are counted; invalid letters and duplicate ids
// are refused; a double entry with two disagreements is settled from the paper;
// edits and deletions leave an audit trail; and a sample of the thesis forms,
// keyed twice, gives the same report as importing the same rows as CSV.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, idbAll, idbRevealed, launch, openStaff, openPage, unlockStaff } from './browser.mjs';

const DEMO = readFileSync(
  new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url),
  'utf8',
).replace(/^\uFEFF/, '');
const [HEADER, ...LINES] = DEMO.trim().split(/\r?\n/);
const COLUMNS = HEADER.split(',');
/** The thesis forms: id and the 17 answers as written on paper (www/demo/zg-x-branch-2023.csv). */
const FORMS = LINES.map((line) => {
  const cells = line.split(',');
  return {
    id: cells[0],
    mode: cells[COLUMNS.indexOf('mode')],
    answers: COLUMNS.map((c, i) => (/^q\d+$/.test(c) ? cells[i] : null)).filter((a) => a !== null),
    line,
  };
});

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function openEntry(context) {
  const opened = await openPage(context, `${env.url}entry.html`);
  // The entry screen never stops the clerk with a modal dialog.
  opened.page.on('dialog', (d) =>
    opened.errors.push(new Error(`a modal dialog opened: ${d.message()}`)),
  );
  return opened;
}

/** Imports `forms` (thesis rows) on the main page of `context`, as a CSV; returns that page. */
async function importForms(context, forms) {
  const home = await context.newPage();
  await openStaff(home, env.url);
  await home.locator('html[data-ready="true"]').waitFor();
  await home.locator('#import-file').setInputFiles({
    name: 'paper.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([HEADER, ...forms.map((f) => f.line)].join('\n')),
  });
  await home.locator('#preview:not([hidden])').waitFor();
  await home.locator('#commit').click();
  await home.waitForFunction(
    (n) => document.querySelector('#store-status')?.dataset.total === String(n),
    forms.length,
  );
  return home;
}

/** Presses keys one by one, counting them. */
function keyboard(page) {
  const counter = {
    count: 0,
    async press(...keys) {
      for (const k of keys) {
        await page.keyboard.press(k);
        counter.count += 1;
      }
    },
  };
  return counter;
}

/** The keys for a form's answers as printed: letters (lower case, as typed fast), digits, Space for blank. */
function answerKeys(answers) {
  return answers.flatMap((a) => (a === '' ? ['Space'] : a.split('').map((c) => c.toLowerCase())));
}

async function setOperator(page, name) {
  await page.locator('#operator').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'form-id');
}

/** Waits until the message says `pattern`. */
async function message(page, pattern) {
  await page
    .waitForFunction(
      (src) => new RegExp(src).test(document.querySelector('#entry-msg').textContent),
      pattern.source,
    )
    .catch(async (e) => {
      const said = await page.locator('#entry-msg').textContent();
      throw new Error(`the message never matched ${pattern}; it says "${said}"`, { cause: e });
    });
  return page.locator('#entry-msg').textContent();
}

/** Records as the entry screen reads them (encrypted at rest once the staff passphrase is set). */
const idb = idbRevealed;

const figure = (page, name) => page.locator(`#figures [data-figure="${name}"]`).textContent();

test('forms are keyed with the keyboard alone, in at most 22 keystrokes each', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  // The page's clock runs as usual, and can be moved on (the pace below).
  await context.clock.install();
  const { page, errors } = await openEntry(context);
  await setOperator(page, '张三');
  await page.locator('#double').uncheck();
  await page.locator('#form-id').focus();
  const keys = keyboard(page);
  const perForm = [];
  for (const [n, f] of FORMS.slice(0, 5).entries()) {
    const before = keys.count;
    // The first form's id is typed in full; after it, the next number is suggested and Enter takes it.
    if (n === 0) await keys.press(...f.id.split(''));
    assert.equal(
      await page.locator('#form-id').inputValue(),
      n === 0 ? f.id : f.id,
      'the suggested id is the next form',
    );
    await keys.press('Enter', ...answerKeys(f.answers), 'Enter');
    await message(page, new RegExp(`已保存 ${f.id}`));
    perForm.push(keys.count - before);
  }
  // Form 1 carries the one-off prefix; every later form: Enter, 16 letters, 1–2 digits, Enter.
  assert.ok(
    perForm.slice(1).every((k) => k <= 22),
    `keystrokes per form: ${perForm}`,
  );
  assert.equal(perForm[0], FORMS[0].id.length + 1 + answerKeys(FORMS[0].answers).length + 1);
  const stored = await idb(page, 'responses');
  assert.deepEqual(
    stored.map((r) => r.id).sort(),
    FORMS.slice(0, 5).map((f) => f.id),
  );
  for (const r of stored) {
    assert.equal(r.extras.mode, 'paper');
    assert.equal(r.extras.operator, '张三');
  }
  // As stored, the answers and who keyed them are sealed: only the id and questionnaire stay in clear.
  for (const r of await idbAll(page, 'responses')) {
    assert.ok(r.sealed, `${r.id} is sealed`);
    assert.deepEqual(
      Object.keys(r).filter(
        (k) => !['id', 'instrument', 'exported', 'deleted', 'sealed'].includes(k),
      ),
      [],
      r.id,
    );
  }
  // Digits alone take the previous form's prefix and width.
  await page.locator('#form-id').fill('');
  await page.keyboard.type('9');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#form-id').inputValue(), 'X2023-0009');
  assert.equal(await figure(page, 'keyed'), '5');
  // Five forms in a few seconds are not a pace: 14,000 an hour was shown before.
  assert.equal(await figure(page, 'rate'), '—', 'no pace in the first minute');
  await page.clock.fastForward('02:00');
  for (const k of [...answerKeys(FORMS[8].answers), 'Enter']) await page.keyboard.press(k);
  await message(page, /X2023-0009/);
  assert.equal(await figure(page, 'keyed'), '6');
  // Five forms after the first, over a little more than two minutes: under 150 an hour.
  const pace = await figure(page, 'rate');
  assert.match(pace, /^\d+$/, 'forms per hour, once keying has gone on a minute');
  assert.ok(Number(pace) > 100 && Number(pace) <= 150, pace);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a letter the question does not have is refused where it is typed, without a dialog', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  await setOperator(page, '李四');
  await page.keyboard.type('T-1');
  await page.keyboard.press('Enter');
  await page.keyboard.press('a'); // Q1: A
  await page.keyboard.press('f'); // Q2 has A–E only
  assert.equal(await message(page, /第 2 题没有“f”，可选 A–E/), '第 2 题没有“f”，可选 A–E。');
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'f-q2',
    'the focus stays on question 2',
  );
  assert.equal(await page.locator('#f-q2').inputValue(), '');
  await page.keyboard.press('7'); // a digit on a letter question
  await message(page, /第 2 题没有“7”/);
  await page.keyboard.press('E'); // upper case works too
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-q3');
  assert.equal(await page.locator('#f-q2').inputValue(), 'E');
  // Q17: letters and out-of-range numbers are refused; 1 then 5 is not 15.
  for (const k of 'aaaaaaaaaaaaaa') await page.keyboard.press(k);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-q17');
  await page.keyboard.press('b');
  await message(page, /第 17 题没有“b”，可选 0–10/);
  await page.keyboard.press('1');
  await page.keyboard.press('5');
  await message(page, /第 17 题没有“15”/);
  // Enter with question 17 blank is refused and points to it.
  await page.keyboard.press('Enter');
  await message(page, /第 17 题尚未键入/);
  assert.equal((await idb(page, 'entries')).length + (await idb(page, 'responses')).length, 0);
  await page.keyboard.press('1');
  await page.keyboard.press('Enter'); // 1, then Enter saves
  await message(page, /已保存 T-1/);
  const [entry] = await idb(page, 'entries');
  assert.deepEqual(entry.codes, [0, 4, ...Array(14).fill(0), 1]);
  assert.deepEqual(await axe(page), []);
  // English, at any point, keeps what is on the form.
  assert.equal(await page.locator('#form-id').inputValue(), 'T-2', 'the next number is suggested');
  await page.keyboard.press('Enter');
  await page.keyboard.press('a');
  await page.locator('#lang').click();
  assert.equal(await page.locator('h1').textContent(), 'Paper form entry');
  assert.equal(await page.locator('#f-q1').inputValue(), 'A');
  assert.match(await page.locator('#m-q1').textContent(), /Male/);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a duplicate form id is caught before saving, and nothing is stored twice', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  await setOperator(page, '王五');
  await page.locator('#double').uncheck();
  const f = FORMS[0];
  await page.locator('#form-id').fill(f.id);
  await page.locator('#form-id').press('Enter');
  for (const k of [...answerKeys(f.answers), 'Enter']) await page.keyboard.press(k);
  await message(page, /已保存/);
  // The same id again: flagged as soon as it is entered…
  await page.locator('#form-id').fill(f.id);
  await page.locator('#form-id').press('Enter');
  await message(page, /问卷编号 X2023-0001 已录入/);
  assert.equal(await page.locator('#form-id').getAttribute('aria-invalid'), 'true');
  // …and refused on Enter even if the operator keys on; the form is put back as it was.
  for (const k of [...answerKeys(FORMS[1].answers), 'Enter']) await page.keyboard.press(k);
  await message(page, /已录入，不能重复保存/);
  assert.equal(await page.locator('#form-id').inputValue(), f.id);
  assert.equal(await page.locator('#f-q17').inputValue(), FORMS[1].answers[16]);
  const stored = await idb(page, 'responses');
  assert.equal(stored.length, 1);
  assert.deepEqual(
    stored[0].codes,
    f.answers.map((a, i) => (i === 16 ? Number(a) : a.charCodeAt(0) - 65)),
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('double entry: two disagreements shown side by side, settled from the paper, and charged to the operator who erred', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  const f = FORMS[2]; // X2023-0003
  await setOperator(page, '张三');
  await page.locator('#form-id').fill(f.id);
  await page.locator('#form-id').press('Enter');
  // 张三 mis-keys Q3 (paper: f.answers[2]).
  const first = [...f.answers];
  first[2] = first[2] === 'A' ? 'B' : 'A';
  for (const k of [...answerKeys(first), 'Enter']) await page.keyboard.press(k);
  await message(page, /待第二遍核对/);
  assert.equal(await figure(page, 'pending'), '1');
  // Keyed once, it is not a response yet: reports do not count it.
  assert.equal((await idb(page, 'responses')).length, 0);

  // 李四 keys it blind and mis-keys Q17.
  await setOperator(page, '李四');
  await page.locator('input[name="pass"][value="second"]').check();
  // The pending form is suggested.
  await page.waitForFunction((id) => document.querySelector('#form-id').value === id, f.id);
  await page.locator('#form-id').focus();
  const second = [...f.answers];
  second[16] = second[16] === '9' ? '8' : '9';
  await page.keyboard.press('Enter');
  for (const k of [...answerKeys(second), 'Enter']) await page.keyboard.press(k);
  await page.locator('#resolve:not([hidden])').waitFor();
  const rows = page.locator('#resolve tbody tr');
  assert.equal(await rows.count(), 2);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.question)), [
    'q3',
    'q17',
  ]);
  assert.match(await rows.nth(0).locator('td.first').textContent(), new RegExp(`^${first[2]} `));
  assert.match(
    await rows.nth(0).locator('td.second').textContent(),
    new RegExp(`^${f.answers[2]} `),
  );
  assert.equal(
    (await rows.nth(1).locator('td.first').textContent()).trim(),
    f.answers[16],
    'a number is shown once',
  );
  assert.match(
    await page.locator('#resolve thead').textContent(),
    /第一遍（张三）.*第二遍（李四）/,
  );
  assert.deepEqual(await axe(page), []);
  // The paper says: the answers as printed in the thesis data. Type them, Enter.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'r-q3');
  for (const k of [...answerKeys([f.answers[2], f.answers[16]]), 'Enter'])
    await page.keyboard.press(k);
  await message(page, /已按纸质问卷更正/);
  const [stored] = await idb(page, 'responses');
  assert.equal(stored.id, f.id);
  assert.deepEqual(
    stored.codes,
    f.answers.map((a, i) => (i === 16 ? Number(a) : a.charCodeAt(0) - 65)),
  );
  assert.equal(stored.extras.operator, '张三');
  assert.equal(stored.extras.verified_by, '李四');
  assert.equal((await idb(page, 'entries')).length, 0);
  assert.equal(await figure(page, 'pending'), '0');
  // The tally: each operator checked one form with two disagreements, one of them their own error.
  const tally = async (who) =>
    page.locator(`#tally tr[data-operator="${who}"] td`).allTextContents();
  // Keyed by two people: neither verified their own keying.
  assert.deepEqual(await tally('张三'), ['1', '2', '1', (100 / 17).toFixed(2) + '%', '0']);
  assert.deepEqual(await tally('李四'), ['1', '2', '1', (100 / 17).toFixed(2) + '%', '0']);
  const verify = (await idb(page, 'audit')).find((a) => a.what === 'verify');
  assert.equal(verify.detail.disagreements.length, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a form keyed both times by the same operator is verified, said to be their own, and counted apart in the tally', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  const f = FORMS[4];
  await setOperator(page, '张三');
  await page.locator('#form-id').fill(f.id);
  await page.locator('#form-id').press('Enter');
  for (const k of [...answerKeys(f.answers), 'Enter']) await page.keyboard.press(k);
  await message(page, /待第二遍核对/);
  // The same clerk (typed with a space after the name) keys the second pass.
  await setOperator(page, '张三 ');
  await page.locator('input[name="pass"][value="second"]').check();
  await page.waitForFunction((id) => document.querySelector('#form-id').value === id, f.id);
  await page.locator('#form-id').focus();
  await page.keyboard.press('Enter');
  for (const k of [...answerKeys(f.answers), 'Enter']) await page.keyboard.press(k);
  assert.equal(
    await message(page, /两遍录入一致/),
    `${f.id} 两遍录入一致，已计入报告。两遍都由同一操作员录入：由另一人录第二遍才能发现看错的地方。`,
  );
  assert.equal((await idb(page, 'responses')).length, 1);
  const tally = () => page.locator('#tally tr[data-operator="张三"] td').allTextContents();
  // Two keyings, no disagreement, one form verified against their own first keying.
  assert.deepEqual(await tally(), ['2', '0', '0', '0.00%', '1']);
  assert.equal(await page.locator('#tally thead th').last().textContent(), '本人两遍');
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(
    await page.locator('#entry-msg').textContent(),
    `${f.id}: both entries agree; it counts in reports. The same operator keyed both passes: a second pass by someone else catches misreadings.`,
  );
  assert.equal(await page.locator('#tally thead th').last().textContent(), 'Both passes theirs');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('edits and deletions leave an audit trail: what changed, when, by whom', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  await setOperator(page, '王五');
  await page.locator('#double').uncheck();
  const f = FORMS[3];
  await page.locator('#form-id').fill(f.id);
  await page.locator('#form-id').press('Enter');
  for (const k of [...answerKeys(f.answers), 'Enter']) await page.keyboard.press(k);
  await message(page, /已保存/);
  // Open it by keyboard: find by number.
  await page.locator('#find').focus();
  await page.keyboard.type(f.id);
  await page.keyboard.press('Enter');
  await message(page, /正在修改/);
  assert.equal(await page.locator('html').getAttribute('data-mode'), 'edit');
  assert.equal(await page.locator('#f-q5').inputValue(), f.answers[4]);
  const to = f.answers[4] === 'A' ? 'B' : 'A';
  await page.locator('#f-q5').focus();
  await page.keyboard.press(to.toLowerCase());
  await page.keyboard.press('Enter');
  await message(page, /已修改 X2023-0004（1 处）/);
  const history = page.locator('#history li');
  assert.match(
    await history.last().textContent(),
    new RegExp(`王五 修改：Q5 ${f.answers[4]}→${to}`),
  );
  const edit = (await idb(page, 'audit')).find((a) => a.what === 'edit');
  assert.equal(edit.who, '王五');
  assert.deepEqual(edit.detail, {
    id: f.id,
    changes: [{ question: 'q5', from: f.answers[4], to }],
  });
  assert.ok(Math.abs(Date.parse(edit.at) - Date.now()) < 60_000);
  const [stored] = await idb(page, 'responses');
  assert.equal(stored.codes[4], to.charCodeAt(0) - 65);
  // Delete asks twice (no modal dialog), then records what was deleted.
  const del = page.locator(`#saved tr[data-id="${f.id}"] .delete`);
  await del.click();
  assert.match(await del.textContent(), /确认删除/);
  assert.equal((await idb(page, 'responses')).length, 1);
  await del.click();
  await message(page, /已删除/);
  assert.equal((await idb(page, 'responses')).length, 0);
  const gone = (await idb(page, 'audit')).find((a) => a.what === 'delete');
  assert.equal(gone.detail.id, f.id);
  const edited = [...f.answers];
  edited[4] = to;
  assert.deepEqual(gone.detail.answers, edited, 'the deleted answers are kept in the trail');
  assert.match(await history.last().textContent(), /王五 删除/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a paper form deleted from the imported forms can be keyed again, with or without double entry', async () => {
  const paper = FORMS.filter((f) => f.mode === 'paper').slice(0, 2);
  assert.equal(paper.length, 2);
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const home = await importForms(context, paper);
  const { page, errors } = await openEntry(context);
  await setOperator(page, '王五');
  for (const [f, double] of [
    [paper[0], true],
    [paper[1], false],
  ]) {
    // Imported, so kept in the core's chunks: deleting one leaves a deletion record.
    const del = page.locator(`#saved tr[data-id="${f.id}"] .delete`);
    await del.click();
    await del.click();
    await message(page, new RegExp(`已删除 ${f.id}`));
    await page.locator('#double').setChecked(double);
    await page.locator('#form-id').fill(f.id);
    await page.locator('#form-id').focus();
    for (const k of ['Enter', ...answerKeys(f.answers), 'Enter']) await page.keyboard.press(k);
    await message(page, new RegExp(`已保存 ${f.id}，${double ? '待第二遍核对' : '已计入报告'}`));
  }
  // The single keying counts again; the first keying waits for its second.
  assert.deepEqual(
    (await idb(page, 'responses')).filter((r) => !r.deleted).map((r) => r.id),
    [paper[1].id],
  );
  assert.deepEqual(
    (await idb(page, 'entries')).map((e) => e.id),
    [paper[0].id],
  );
  // The device counts the keyed form once, and the waiting one not at all.
  await home.reload();
  await unlockStaff(home);
  await home.waitForFunction(() => document.querySelector('#store-status')?.dataset.total === '1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('any imported paper form can be found, opened and deleted, and a form without a time shows none', async () => {
  const paper = FORMS.filter((f) => f.mode === 'paper').slice(0, 14);
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const home = await importForms(context, paper);
  const { page, errors } = await openEntry(context);
  await setOperator(page, '王五');
  await page.locator('#saved tr[data-id]').first().waitFor();
  // Imported rows carry no keying time: the list says so rather than "Invalid Date".
  assert.doesNotMatch(await page.locator('#saved').textContent(), /Invalid Date/);
  // The first form is not among the ten listed, but finding it opens it, with its delete.
  const first = paper[0];
  assert.equal(await page.locator(`#saved tr[data-id="${first.id}"]`).count(), 0);
  await page.locator('#find').fill(first.id);
  await page.locator('#find').press('Enter');
  await message(page, /正在修改/);
  const del = page.locator('#edit-delete');
  await del.click();
  assert.match(await del.textContent(), /确认删除/);
  await del.click();
  await message(page, new RegExp(`已删除 ${first.id}`));
  assert.notEqual(await page.locator('html').getAttribute('data-mode'), 'edit');
  await home.reload();
  await unlockStaff(home);
  await home.waitForFunction(
    (n) => document.querySelector('#store-status')?.dataset.total === String(n),
    paper.length - 1,
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("Esc leaves an edit unsaved; a deleted form's trail can still be found; a form not found shows no other trail", async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  await setOperator(page, '王五');
  await page.locator('#double').uncheck();
  const [f, g] = [FORMS[10], FORMS[11]];
  for (const x of [f, g]) {
    await page.locator('#form-id').fill(x.id);
    await page.locator('#form-id').press('Enter');
    for (const k of [...answerKeys(x.answers), 'Enter']) await page.keyboard.press(k);
    await message(page, new RegExp(`已保存 ${x.id}`));
  }
  await page.locator('#find').fill(f.id);
  await page.locator('#find').press('Enter');
  await message(page, /按 Esc 放弃修改/);
  await page.locator('#f-q1').focus();
  await page.keyboard.press(f.answers[0] === 'A' ? 'b' : 'a');
  await page.keyboard.press('Escape');
  await message(page, new RegExp(`已放弃对 ${f.id} 的修改`));
  assert.notEqual(await page.locator('html').getAttribute('data-mode'), 'edit');
  const stored = (await idb(page, 'responses')).find((r) => r.id === f.id);
  assert.equal(stored.codes[0], f.answers[0].charCodeAt(0) - 65, 'the stored form is unchanged');
  // Delete g; finding it afterwards says it is gone and shows its trail, deletion included.
  const del = page.locator(`#saved tr[data-id="${g.id}"] .delete`);
  await del.click();
  await del.click();
  await message(page, new RegExp(`已删除 ${g.id}`));
  await page.locator('#find').fill(f.id);
  await page.locator('#find').press('Enter');
  await message(page, /正在修改/);
  await page.keyboard.press('Escape');
  await page.locator('#find').fill(g.id);
  await page.locator('#find').press('Enter');
  await message(page, /没有编号/);
  assert.match(await page.locator('#history').textContent(), new RegExp(`${g.id}.*删除`));
  // A form never stored: no trail, and not the last one shown.
  await page.locator('#find').fill('NOPE-1');
  await page.locator('#find').press('Enter');
  await message(page, /没有编号为 NOPE-1/);
  assert.equal(await page.locator('#history').textContent(), '');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a sample of the thesis forms keyed twice gives the same report as importing them', async () => {
  const sample = FORMS.slice(0, 24);
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openEntry(context);
  for (const [who, pass] of [
    ['张三', 'first'],
    ['李四', 'second'],
  ]) {
    await setOperator(page, who);
    await page.locator(`input[name="pass"][value="${pass}"]`).check();
    await page.locator('#form-id').fill(sample[0].id);
    await page.locator('#form-id').focus();
    for (const f of sample) {
      assert.equal(await page.locator('#form-id').inputValue(), f.id);
      for (const k of ['Enter', ...answerKeys(f.answers), 'Enter']) await page.keyboard.press(k);
      await message(page, new RegExp(`${f.id}`));
    }
  }
  assert.equal((await idb(page, 'responses')).length, sample.length);
  await openStaff(page, env.url);
  await page.waitForFunction(
    (n) => document.querySelector('#store-status')?.dataset.total === String(n),
    sample.length,
  );
  await page.locator('#show-stored').click();
  await page.locator('#nps-value').waitFor();
  // Everything under the title (which names the source): n, NPS, satisfaction, every frequency table.
  const keyed = await page.locator('#report > :not(h2)').allInnerTexts();
  const keyedTables = await page.locator('#report table').count();

  // The same rows imported as CSV, in a fresh profile.
  const other = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page2 = await other.newPage();
  await openStaff(page2, env.url);
  await page2.locator('html[data-ready="true"]').waitFor();
  await page2.locator('#file').setInputFiles({
    name: 'sample.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([HEADER, ...sample.map((f) => f.line)].join('\n')),
  });
  await page2.locator('#nps-value').waitFor();
  const imported = await page2.locator('#report > :not(h2)').allInnerTexts();
  assert.ok(keyedTables >= 17, `${keyedTables} tables`);
  assert.match(keyed[0], /24/);
  assert.deepEqual(keyed, imported);
  assert.deepEqual(errors, []);
  await other.close();
  await context.close();
});
