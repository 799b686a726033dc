// End to end (issue 16): the main page's text never shows null/undefined/NaN or
// doubled punctuation in either language; English status lines start with a
// capital; the device's figures never say "nothing saved" right after an import;
// the device report shows that it is busy; and import conflicts show option texts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, launch, openPage } from './browser.mjs';

const DEMO = readFileSync(
  new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url),
  'utf8',
).replace(/^\uFEFF/, '');
const [HEADER, ...LINES] = DEMO.trim().split(/\r?\n/);

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const openMain = (context) => openPage(context, env.url);

/** What must never show on screen: a programming value, or two punctuation marks in a row. */
function flaws(text) {
  const found = [];
  for (const line of text.split('\n')) {
    if (/\b(null|undefined|NaN)\b/.test(line)) found.push(line);
    else if (/[？?！!：:，,。；;、]\s*[？?！!：:，,。；;、]/.test(line)) found.push(line);
  }
  return found;
}

async function importCsv(page, name, lines) {
  await page.locator('#import-file').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from([HEADER, ...lines].join('\n')),
  });
  await page.locator('#preview:not([hidden])').waitFor();
}

test('the demo report has no null, undefined, NaN or doubled punctuation, and English status lines start with a capital', async () => {
  const context = await env.newContext({ viewport: { width: 1366, height: 768 } });
  const { page, errors } = await openMain(context);
  await page.locator('#demo').click();
  await page.locator('#nps-value').waitFor();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total);
  assert.deepEqual(flaws(await page.evaluate(() => document.body.innerText)), []);
  await page.locator('#lang').click();
  assert.deepEqual(flaws(await page.evaluate(() => document.body.innerText)), []);
  for (const sel of ['#status', '#store-status'])
    assert.doesNotMatch(await page.locator(sel).textContent(), /^[a-z]/, sel);
  assert.doesNotMatch(
    await page.locator('#status').textContent(),
    /[\u4e00-\u9fff]/,
    'the demo’s name follows the language',
  );
  // The device's report, empty and then not: its status line too.
  await page.locator('#show-stored').click();
  await page.waitForFunction(
    () => !document.querySelector('#show-stored').hasAttribute('aria-busy'),
  );
  assert.match(await page.locator('#status').textContent(), /^[A-Z]/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('after an import the device figures never say nothing is saved, and the device report shows it is busy', async () => {
  const context = await env.newContext({ viewport: { width: 1366, height: 768 } });
  const { page, errors } = await openMain(context);
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '0');
  // Record what the device line says at the moment the import is announced.
  await page.evaluate(() => {
    globalThis.seen = [];
    new MutationObserver(() =>
      globalThis.seen.push([
        document.querySelector('#status').textContent,
        document.querySelector('#store-status').textContent,
      ]),
    ).observe(document.querySelector('#status'), {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await importCsv(page, 'all.csv', LINES);
  await page.locator('#commit').click();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '366');
  const seen = await page.evaluate(() => globalThis.seen);
  const announced = seen.filter(([s]) => /已导入/.test(s));
  assert.ok(announced.length, JSON.stringify(seen));
  for (const [, device] of announced)
    assert.doesNotMatch(
      device,
      /尚未保存/,
      'the import is announced while the device line still says nothing is saved',
    );
  // The device report: busy from the click until it is shown.
  const busy = await page.evaluate(() => {
    const b = document.querySelector('#show-stored');
    b.click();
    return {
      button: b.getAttribute('aria-busy'),
      status: document.querySelector('#status').textContent,
    };
  });
  assert.equal(busy.button, 'true');
  assert.match(busy.status, /正在/);
  await page.locator('#nps-value').waitFor();
  assert.equal(await page.locator('#show-stored').getAttribute('aria-busy'), null);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an import previewed before another tab saved is planned again, then imported when confirmed again', async () => {
  const context = await env.newContext({ viewport: { width: 1366, height: 768 } });
  const { page, errors } = await openMain(context);
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '0');
  await importCsv(page, 'first.csv', LINES.slice(0, 100));
  // Meanwhile another tab imports other rows and one of the previewed ones.
  const { page: other } = await openMain(context);
  await importCsv(other, 'other.csv', LINES.slice(99, 110));
  await other.locator('#commit').click();
  await other.waitForFunction(() => document.querySelector('#store-status').dataset.total === '11');
  // Nothing is written from the old plan: the file is planned again against the device now.
  await page.locator('#commit').click();
  await page.waitForFunction(() =>
    document.querySelector('#status').textContent.includes('重新生成预览'),
  );
  await page.locator('#preview:not([hidden])').waitFor();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '11');
  await page.locator('#commit').click();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '110');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an import conflict shows each answer’s option text, not the letter alone', async () => {
  const context = await env.newContext({ viewport: { width: 1366, height: 768 } });
  const { page, errors } = await openMain(context);
  await importCsv(page, 'one.csv', LINES.slice(0, 1));
  await page.locator('#commit').click();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '1');
  // The same id with Q1 changed (Q1 is gender: A 男, B 女).
  const cells = LINES[0].split(',');
  const q1 = HEADER.split(',').indexOf('q1');
  const was = cells[q1];
  cells[q1] = was === 'A' ? 'B' : 'A';
  await importCsv(page, 'changed.csv', [cells.join(',')]);
  const row = page.locator('#conflicts tbody tr').first();
  const texts = await row.locator('td').allTextContents();
  assert.deepEqual(
    texts,
    [was, cells[q1]].map((c) => (c === 'A' ? 'A 男' : 'B 女')),
  );
  await page.locator('#lang').click();
  assert.deepEqual(
    await row.locator('td').allTextContents(),
    [was, cells[q1]].map((c) => (c === 'A' ? 'A Male' : 'B Female')),
  );
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a failure no handler caught is shown in the page's status line, in its language, on every staff screen", async () => {
  const context = await env.newContext();
  for (const [path, status] of [
    ['', '#status'],
    ['dashboard.html', '#dash-status'],
    ['entry.html', '#entry-msg'],
    ['invite.html', '#issue-status'],
  ]) {
    const { page } = await openPage(context, env.url + path);
    // As a failed write or a stopped worker leaves it: a rejection nobody awaits.
    await page.evaluate(() => {
      Promise.reject(new Error('the worker stopped'));
    });
    await page.locator(status, { hasText: /操作未完成：the worker stopped/ }).waitFor();
    await page.close();
  }
  await context.close();
});
