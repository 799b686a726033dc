// End to end: the printable paper questionnaire is made from the instrument,
// with the form-number box and exactly the option letters the entry screen
// accepts, fits two A4 pages, switches language and passes axe-core.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, launch } from './browser.mjs';

const INSTRUMENT = JSON.parse(readFileSync(new URL('../../instruments/zg-x-branch-2023.json', import.meta.url), 'utf8'));

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('the paper form has every question and option letter, a form-number box, and prints on two A4 pages', async () => {
  const context = await env.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${env.url}paper-form.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  const questions = page.locator('.question');
  assert.equal(await questions.count(), INSTRUMENT.questions.length);
  for (const q of INSTRUMENT.questions) {
    const shown = await page.locator(`.question[data-question="${q.id}"] li[data-code]`).evaluateAll((lis) => lis.map((li) => li.dataset.code));
    const want = q.kind === 'scale' ? Array.from({ length: q.max - q.min + 1 }, (_, k) => String(q.min + k)) : q.options.map((o) => o.code);
    assert.deepEqual(shown, want, q.id);
    if (q.kind === 'single') {
      const letters = await page.locator(`.question[data-question="${q.id}"] .letter`).allTextContents();
      assert.deepEqual(letters, want);
    }
  }
  // Table 3.5's options, by their labels.
  assert.match(await page.locator('.question[data-question="q1"]').textContent(), /A 男.*B 女/s);
  assert.equal(await page.locator('.form-id .cell').count(), 10);
  assert.match(await page.locator('.question[data-question="q17"]').textContent(), /必答/);
  assert.deepEqual(await axe(page), []);

  await page.locator('#lang').click();
  assert.equal(await page.locator('h1').textContent(), INSTRUMENT.title.en);
  assert.match(await page.locator('.question[data-question="q1"]').textContent(), /A Male.*B Female/s);
  assert.deepEqual(await axe(page), []);
  await page.locator('#lang').click();

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.toolbar').isVisible(), false);
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 1 && pages <= 2, `${pages} pages`);
  assert.deepEqual(errors, []);
  await context.close();
});
