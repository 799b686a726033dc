// End to end: the printable paper questionnaire is made from the instrument,
// with the form-number box and exactly the option letters the entry screen
// accepts, fits one A4 sheet, switches language and passes axe-core.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, launch } from './browser.mjs';

const INSTRUMENT = JSON.parse(
  readFileSync(new URL('../../instruments/zg-x-branch-2023.json', import.meta.url), 'utf8'),
);

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('the paper form has every question and option letter, a form-number box, and prints on one A4 sheet in both languages', async () => {
  const context = await env.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${env.url}paper-form.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  const questions = page.locator('.question');
  assert.equal(await questions.count(), INSTRUMENT.questions.length);
  for (const q of INSTRUMENT.questions) {
    const shown = await page
      .locator(`.question[data-question="${q.id}"] li[data-code]`)
      .evaluateAll((lis) => lis.map((li) => li.dataset.code));
    const want =
      q.kind === 'scale'
        ? Array.from({ length: q.max - q.min + 1 }, (_, k) => String(q.min + k))
        : q.options.map((o) => o.code);
    assert.deepEqual(shown, want, q.id);
    if (q.kind === 'single') {
      const letters = await page
        .locator(`.question[data-question="${q.id}"] .letter`)
        .allTextContents();
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
  assert.match(
    await page.locator('.question[data-question="q1"]').textContent(),
    /A Male.*B Female/s,
  );
  assert.deepEqual(await axe(page), []);
  await page.locator('#lang').click();

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.toolbar').isVisible(), false);
  // One A4 sheet in both languages, Q17 (the only required question) on it, the form-number box whole.
  for (const lang of ['zh-CN', 'en']) {
    if ((await page.locator('html').getAttribute('lang')) !== lang)
      await page.locator('#lang').evaluate((b) => b.click());
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    assert.equal(pages, 1, `${pages} pages in ${lang}`);
    // As printed: A4 less 12 mm margins is 186 mm wide; the box's right border inside it.
    await page.setViewportSize({ width: Math.floor((186 / 25.4) * 96), height: 900 });
    const cells = await page.locator('.form-id-cells').boundingBox();
    const sheet = await page.locator('.sheet').boundingBox();
    const border = await page
      .locator('.form-id-cells')
      .evaluate((e) => getComputedStyle(e).borderRightWidth);
    assert.ok(parseFloat(border) >= 1, `the box has a right border (${border})`);
    assert.ok(
      cells.x + cells.width <= sheet.x + sheet.width - 2,
      `the form-number box ends at ${cells.x + cells.width} within ${sheet.x + sheet.width} in ${lang}`,
    );
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
      `no overflow in print in ${lang}`,
    );
    await page.setViewportSize({ width: 1024, height: 900 });
  }
  // On a phone, in both languages: no overflow.
  await page.emulateMedia({ media: 'screen' });
  for (const width of [360, 390]) {
    await page.setViewportSize({ width, height: 800 });
    for (const lang of ['zh-CN', 'en']) {
      if ((await page.locator('html').getAttribute('lang')) !== lang)
        await page.locator('#lang').click();
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.ok(
        await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
        `no horizontal overflow at ${width} px, ${lang}`,
      );
      assert.ok(!(await page.locator('body').innerText()).includes('null'));
      await page.screenshot({ path: `/tmp/survey-paper-${width}-${lang}.png`, fullPage: true });
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});
