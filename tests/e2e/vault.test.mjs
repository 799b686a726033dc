// End to end: a stolen tablet and a curious customer (issue 14 items 4 and 5).
// Once the staff passphrase is set, the bytes IndexedDB keeps hold no answer,
// no contact and no branch key in clear; a wrong passphrase opens nothing and
// wrong tries slow down; the staff screens show nothing before it. A device put
// into kiosk mode cannot be left by Back, a reload or an address typed in, only
// with the passphrase, and each customer starts in Chinese.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PASSPHRASE, axe, idbAll, launch, openStaff, unlockStaff } from './browser.mjs';

const TABLET = { viewport: { width: 800, height: 1280 }, hasTouch: true };
const BUILTIN = readFileSync(
  new URL('../../instruments/zg-x-branch-2023.json', import.meta.url),
  'utf8',
);
const CALLBACK = BUILTIN.replace('"version": "2",', '"version": "2",\n  "callback": true,');
const DEMO = new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url);
// Answers of the thesis data's first row.
const ROW = ['A', 'A', 'C', 'G', 'A', 'D', 'H', 'C', 'E', 'B', 'D', 'C', 'C', 'C', 'C', 'B', '3'];
const NAME = '王女士';
const PHONE = '138 0013 8000';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** Every byte IndexedDB keeps, as text: records as JSON, byte arrays as Latin-1 and UTF-8 text. */
function everything(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open('manyi');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const text = (v) => {
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
        const bytes = new Uint8Array(
          v instanceof ArrayBuffer ? v : v.buffer,
          v.byteOffset ?? 0,
          v.byteLength,
        );
        return `${String.fromCharCode(...bytes.subarray(0, 200000))} ${new TextDecoder().decode(bytes)}`;
      }
      if (v && typeof v === 'object')
        return Object.entries(v)
          .map(([k, x]) => `${k}:${text(x)}`)
          .join(' ');
      return String(v);
    };
    const out = {};
    for (const name of db.objectStoreNames) {
      out[name] = await new Promise((ok) => {
        const get = db.transaction(name).objectStore(name).getAll();
        get.onsuccess = () => ok(get.result.map(text).join('\n'));
      });
    }
    return out;
  });
}

async function answerAll(page, withContact) {
  for (let n = 1; n <= 17; n++) {
    await page.locator(`html[data-screen="q${n}"][data-settled]`).waitFor();
    await page.locator(`#screen .option[data-code="${ROW[n - 1]}"]`).click();
  }
  if (withContact) {
    await page.locator('html[data-screen="contact"][data-settled]').waitFor();
    await page.locator('#name').fill(NAME);
    await page.locator('#phone').fill(PHONE);
    await page.locator('#consent').check();
    await page.locator('#next').click();
  }
  await page.locator('html[data-screen="review"][data-settled]').waitFor();
  await page.locator('#submit').click();
  await page.locator('html[data-screen="thanks"][data-settled]').waitFor();
}

test('with the staff passphrase set, IndexedDB holds no answer, contact or key in clear, and a wrong passphrase opens nothing', async () => {
  const context = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  await context.route('**/instruments/callback-instrument.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: CALLBACK }),
  );
  const staff = await context.newPage();
  const errors = [];
  staff.on('pageerror', (e) => errors.push(e));
  // First use: the passphrase is set, with the plain warning about forgetting it.
  await staff.goto(env.url);
  await staff.locator('html[data-lock="none"]').waitFor();
  assert.match(await staff.locator('#lock-warning').textContent(), /忘记口令.*任何人.*无法读取/);
  assert.equal(
    await staff.locator('#device').isVisible(),
    false,
    'nothing of the screen shows before the passphrase',
  );
  assert.deepEqual(await axe(staff), []);
  // Too weak, and two that differ, are refused with the reason.
  await staff.locator('#lock-pass').fill('short');
  await staff.locator('#lock-again').fill('short');
  await staff.locator('#lock-go').click();
  await staff.waitForFunction(() =>
    /至少 8 个字符/.test(document.querySelector('#lock-error').textContent),
  );
  await staff.locator('#lock-again').fill('something else');
  await staff.locator('#lock-pass').fill(PASSPHRASE);
  await staff.locator('#lock-go').click();
  await staff.waitForFunction(() =>
    /不一致/.test(document.querySelector('#lock-error').textContent),
  );
  await unlockStaff(staff);
  await staff.locator('html[data-ready="true"]').waitFor();

  // The thesis's 366 responses imported (chunks), a branch key made (invitations).
  await staff.locator('#import-file').setInputFiles(DEMO.pathname);
  await staff.locator('#preview:not([hidden])').waitFor();
  await staff.locator('#commit').click();
  await staff.waitForFunction(
    () => document.querySelector('#store-status').dataset.total === '366',
  );
  await staff.goto(`${env.url}invite.html`);
  await staff.locator('html[data-ready="true"]').waitFor();
  await staff.locator('#make-key').click();
  await staff.locator('#make-key[hidden]').waitFor({ state: 'attached' });
  const key = await staff.evaluate(async () =>
    Array.from((await (await import('/storage.js')).branchKey()).key),
  );
  assert.equal(key.length, 32);

  // A customer at the tablet answers with a call-back contact; another stops half-way.
  const survey = await context.newPage();
  await survey.goto(`${env.url}survey.html?instrument=instruments/callback-instrument.json`);
  await answerAll(survey, true);
  await survey.locator('#again').click();
  for (let n = 1; n <= 3; n++) {
    await survey.locator(`html[data-screen="q${n}"][data-settled]`).waitFor();
    await survey.locator(`#screen .option[data-code="${ROW[n - 1]}"]`).click();
  }
  await survey.locator('html[data-screen="q4"][data-settled]').waitFor();

  // What a thief copying the browser's storage gets.
  const raw = await everything(survey);
  for (const [store, text] of Object.entries(raw)) {
    for (const secret of [
      NAME,
      PHONE,
      '13800138000',
      'X2023-0001',
      'submitted_at',
      'online',
      'consent_at',
      '"codes"',
      'codes:',
      'answers',
      'MNYC',
    ]) {
      assert.ok(!text.includes(secret), `${store} holds ${secret} in clear`);
    }
  }
  const hex = Buffer.from(key).toString('latin1');
  assert.ok(
    !Object.values(raw).some((t) => t.includes(hex)),
    'the branch key is stored only sealed',
  );
  const responses = await idbAll(survey, 'responses');
  assert.equal(responses.length, 1);
  assert.deepEqual(Object.keys(responses[0]).sort(), ['exported', 'id', 'instrument', 'sealed']);
  const draft = (await idbAll(survey, 'meta')).find((r) => r.key === 'draft');
  assert.deepEqual(Object.keys(draft.value), ['tab'], 'the unfinished survey is encrypted too');
  // …and the survey page itself, which has no passphrase, cannot open what it wrote.
  const locked = await survey.evaluate(async (id) => {
    const s = await import('/storage.js');
    const db = await s.openDb();
    const rec = await s.done(db.transaction('responses').objectStore('responses').get(id));
    return s.revealRecord(rec).then(
      () => 'opened',
      (e) => e.message,
    );
  }, responses[0].id);
  assert.match(locked, /locked/);

  // The staff screen reads everything with the passphrase: the report counts all 367.
  await staff.goto(env.url);
  await staff.waitForFunction(
    () => document.querySelector('#store-status').dataset.total === '367',
  );

  // Another tab (a thief at the screen): wrong passphrases open nothing, and slow down.
  const thief = await context.newPage();
  await thief.goto(env.url);
  await thief.locator('html[data-lock="locked"]').waitFor();
  const said = [];
  for (let i = 1; i <= 3; i++) {
    await thief.locator('#lock-pass').fill(`guess number ${i}`);
    await thief.locator('#lock-go').click();
    await thief.waitForFunction(() =>
      /不正确|秒后/.test(document.querySelector('#lock-error').textContent),
    );
    said.push(await thief.locator('#lock-error').textContent());
    await thief.evaluate(() => (document.querySelector('#lock-error').textContent = ''));
  }
  // Three free tries, then each wrong try makes the next one wait (the core's src/core/lock.rs: 1 s, 2 s, …).
  assert.deepEqual(said, ['口令不正确。', '口令不正确。', '口令错误次数过多，请 1 秒后再试。']);
  // Within the wait even the right passphrase is not tried (one call, so no test latency can outlast the wait).
  const during = await thief.evaluate(async (pass) => {
    await new Promise((ok) => setTimeout(ok, 1100));
    const v = await import('/vault.js');
    await v.unlock('guess number 4').catch(() => {});
    return v.unlock(pass).then(
      () => 'opened',
      (e) => e.wait,
    );
  }, PASSPHRASE);
  assert.ok(during > 0, `refused with a wait, not ${during}`);
  assert.equal(await thief.locator('#device').isVisible(), false);
  assert.equal(await thief.locator('html').getAttribute('data-ready'), null);
  // The right passphrase, after the wait, opens it.
  await thief.waitForTimeout(2500);
  await unlockStaff(thief);
  await thief.waitForFunction(
    () => document.querySelector('#store-status').dataset.total === '367',
  );

  // Changing the passphrase: the old one stops working, the data stays readable.
  await thief.locator('#passphrase summary').click();
  await thief.locator('#old-pass').fill(PASSPHRASE);
  await thief.locator('#new-pass').fill('a brand new passphrase');
  await thief.locator('#new-pass-again').fill('a brand new passphrase');
  await thief.locator('#change-pass-go').click();
  await thief.waitForFunction(() =>
    /已更改/.test(document.querySelector('#change-pass-status').textContent),
  );
  await thief.locator('#lock-now').click();
  await thief.locator('html[data-lock="locked"]').waitFor();
  await thief.locator('#lock-pass').fill(PASSPHRASE);
  await thief.locator('#lock-go').click();
  await thief.waitForFunction(() =>
    /不正确/.test(document.querySelector('#lock-error').textContent),
  );
  await unlockStaff(thief, 'a brand new passphrase');
  await thief.waitForFunction(
    () => document.querySelector('#store-status').dataset.total === '367',
  );

  // An encrypted backup: unreadable without its passphrase, restored with it on another device.
  await thief.locator('#backup-encrypt').check();
  await thief.locator('#backup-pass').fill('backup passphrase 9');
  await thief.locator('#backup-pass-again').fill('backup passphrase 9');
  const [download] = await Promise.all([
    thief.waitForEvent('download'),
    thief.locator('[data-export="backup"]').click(),
  ]);
  assert.match(download.suggestedFilename(), /-encrypted\.json$/);
  const file = readFileSync(await download.path());
  // Only the envelope's fields; and neither the file nor its decoded data holds a secret (long strings:
  // a short one such as "q17" turns up in random base64 by chance).
  const envelope = JSON.parse(file.toString('utf8'));
  assert.deepEqual(Object.keys(envelope).sort(), ['data', 'format', 'iterations', 'salt', 'v']);
  assert.equal(envelope.format, 'manyi-encrypted-backup');
  const data = Buffer.from(envelope.data, 'base64');
  for (const secret of [NAME, PHONE, 'X2023-0001', 'zg-x-branch-2023', '"responses"']) {
    assert.ok(
      !file.includes(secret) && !data.includes(secret),
      `the encrypted backup holds ${secret} in clear`,
    );
  }
  const other = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  const restore = await other.newPage();
  await openStaff(restore, env.url);
  await restore.waitForFunction(
    () => document.querySelector('#store-status').dataset.total !== undefined,
  );
  await restore.locator('#import-file').setInputFiles({
    name: download.suggestedFilename(),
    mimeType: 'application/json',
    buffer: file,
  });
  await restore.locator('#open-backup:not([hidden])').waitFor();
  await restore.locator('#open-backup-pass').fill('not the passphrase');
  await restore.locator('#open-backup-go').click();
  await restore.waitForFunction(() =>
    /备份口令不正确/.test(document.querySelector('#status').textContent),
  );
  await restore.locator('#open-backup-pass').fill('backup passphrase 9');
  await restore.locator('#open-backup-go').click();
  await restore.locator('#preview:not([hidden])').waitFor();
  await restore.locator('#commit').click();
  await restore.waitForFunction(
    () => document.querySelector('#store-status').dataset.total === '367',
  );

  assert.deepEqual(errors, []);
  await other.close();
  await context.close();
});

test('kiosk mode is closed: Back, reload and typed addresses stay in the survey; only the passphrase leaves; each customer starts in Chinese', async () => {
  const context = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.goto(`${env.url}dashboard.html?demo`);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.goto(env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.locator('#kiosk-start').click();
  await page.waitForURL(/survey\.html$/);
  await page.locator('html[data-screen="q1"][data-settled]').waitFor();
  assert.deepEqual(await axe(page), []);

  // A customer switches to English and answers; the next one starts in Chinese.
  await page.locator('#lang').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await answerAll(page, false);
  await page.locator('html[data-screen="q1"][data-settled]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(
    await page.evaluate(() => localStorage.getItem('manyi.lang')),
    null,
    'the choice was not remembered',
  );

  // Back (twice, as in the report) stays in the survey, and so does a reload.
  for (let i = 0; i < 2; i++) {
    await page.goBack().catch(() => {});
    await page.waitForTimeout(300);
    assert.match(page.url(), /survey\.html/);
  }
  await page.reload();
  await page.locator('#staff-exit').waitFor();
  // Typing a staff screen's address: sent back to the survey, nothing shown.
  for (const path of ['', 'dashboard.html', 'entry.html', 'invite.html', 'paper-form.html']) {
    await page.goto(`${env.url}${path}`);
    await page.waitForURL(/survey\.html$/);
    await page.locator('html[data-ready="true"]').waitFor();
  }
  // Leaving needs the staff passphrase.
  await page.locator('#staff-exit').click();
  await page.locator('html[data-screen="kiosk-exit"][data-settled]').waitFor();
  await page.locator('#kiosk-pass').fill('a customer guesses');
  await page.locator('#kiosk-leave').click();
  await page.waitForFunction(() =>
    /不正确/.test(document.querySelector('#kiosk-error').textContent),
  );
  assert.match(page.url(), /survey\.html/);
  await page.locator('#kiosk-pass').fill(PASSPHRASE);
  await page.locator('#kiosk-leave').click();
  await page.waitForURL(/index\.html$/);
  // The main page opens without asking again (the exit unlocked this tab), and the device is no longer a kiosk.
  await page.locator('html[data-ready="true"]').waitFor();
  await page.goto(`${env.url}survey.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  assert.equal(await page.locator('#staff-exit').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a staff session locks itself after 15 idle minutes, and on Lock', async () => {
  const context = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.clock.install();
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  // Fourteen minutes untouched: still open.
  await page.clock.fastForward('14:00');
  await page.waitForTimeout(200);
  assert.equal(await page.locator('html').getAttribute('data-lock'), null);
  // A touch, then sixteen minutes untouched: locked, the data key gone from the tab.
  await page.locator('h1').first().click();
  await page.clock.fastForward('16:00');
  await page.locator('html[data-lock="locked"]').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('manyi.staff')), null);
  assert.equal(await page.locator('#device').isVisible(), false);
  await unlockStaff(page);
  await page.locator('html[data-ready="true"]').waitFor();
  // Lock, at once.
  await page.locator('#lock-now').click();
  await page.locator('html[data-lock="locked"]').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('manyi.staff')), null);
  await context.close();
});

test('what a device kept before its passphrase was set is encrypted when it is set', async () => {
  const context = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  await context.route('**/instruments/callback-instrument.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: CALLBACK }),
  );
  const page = await context.newPage();
  await page.goto(`${env.url}survey.html?instrument=instruments/callback-instrument.json`);
  await answerAll(page, true);
  // No passphrase yet: kept as before (a customer's own phone stays this way).
  const before = await idbAll(page, 'responses');
  assert.equal(before.length, 1);
  assert.equal(before[0].contact.name, NAME);
  await openStaff(page, env.url);
  await page.waitForFunction(() => document.querySelector('#store-status')?.dataset.total === '1');
  const raw = await everything(page);
  for (const [store, text] of Object.entries(raw)) {
    for (const secret of [NAME, PHONE, 'submitted_at', 'codes:'])
      assert.ok(!text.includes(secret), `${store} still holds ${secret} in clear`);
  }
  assert.deepEqual(Object.keys((await idbAll(page, 'responses'))[0]).sort(), [
    'exported',
    'id',
    'instrument',
    'sealed',
  ]);
  await context.close();
});

test('an encrypted backup of a large device is made and opened (megabytes, not a few rows)', async () => {
  const context = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  const page = await context.newPage();
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  const result = await page.evaluate(async () => {
    const v = await import('/vault.js');
    // 8 MB: a backup of some 100,000 responses.
    const bytes = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536)
      crypto.getRandomValues(bytes.subarray(i, i + 65536));
    try {
      const sealed = await v.encryptBackup(bytes, 'backup passphrase 9');
      const back = await v.decryptBackup(await v.readSealedBackup(sealed), 'backup passphrase 9');
      return back.length === bytes.length && back.every((b, i) => b === bytes[i])
        ? 'same'
        : 'differs';
    } catch (e) {
      return String(e?.message ?? e);
    }
  });
  assert.equal(result, 'same');
  await context.close();
});

test('an encrypted backup asking for hours of key derivation is refused at once, before any passphrase, naming the field', async () => {
  const context = await env.newContext({ ...TABLET, serviceWorkers: 'block' });
  const page = await context.newPage();
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  const envelope = {
    format: 'manyi-encrypted-backup',
    v: 1,
    iterations: 1e12,
    salt: Buffer.alloc(16, 7).toString('base64'),
    data: Buffer.alloc(64, 9).toString('base64'),
  };
  await page.locator('#import-file').setInputFiles({
    name: 'backup-encrypted.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(envelope)),
  });
  await page.locator('#errors table').waitFor();
  const text = await page.locator('#errors').textContent();
  assert.match(text, /iterations/);
  assert.match(text, /1000000000000/);
  assert.match(text, /密钥计算次数不在允许范围内（应为 1–6000000）/);
  assert.equal(await page.locator('#open-backup').isHidden(), true, 'no passphrase asked');
  // A well-formed envelope still asks for its passphrase.
  await page.locator('#import-file').setInputFiles({
    name: 'backup-encrypted.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...envelope, iterations: 600000 })),
  });
  await page.locator('#open-backup:not([hidden])').waitFor();
  await context.close();
});
